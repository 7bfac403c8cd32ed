"""Which databases exist on the test server, to check what a bench creates and drops."""

import sqlalchemy as sa


def database_exists(admin_url: str, name: str) -> bool:
    engine = sa.create_engine(admin_url)
    try:
        with engine.connect() as conn:
            return bool(
                conn.execute(
                    sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
                ).scalar()
            )
    finally:
        engine.dispose()
