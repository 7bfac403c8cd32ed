"""Alembic environment for the gene database.

The URL comes from kg-pipeline's settings (starting the embedded server when none is
configured), unless the caller hands over an open connection in `config.attributes`, which is
how the `database_schema` asset runs migrations inside its advisory lock.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from kg_pipeline.db.models import Base

target_metadata = Base.metadata


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return

    from kg_pipeline.db.server import database_urls
    from kg_pipeline.settings import Settings

    engine = create_engine(database_urls(Settings()).gene)
    try:
        with engine.connect() as conn:
            _run(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("kg-pipeline migrations run online only: drop --sql")
run_migrations_online()
