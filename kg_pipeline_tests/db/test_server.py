"""The embedded PostgreSQL: starts from a pip package, is reused, serves both databases."""

from pathlib import Path

import sqlalchemy as sa

from kg_pipeline.db.server import database_urls, start_embedded_server, stop_embedded_server
from kg_pipeline.settings import Settings


def test_embedded_server_serves_the_gene_and_dagster_databases(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, database_url=None, dagster_pg_url=None)
    urls = database_urls(settings)
    assert urls.embedded
    assert urls.gene.startswith("postgresql+psycopg://")
    assert urls.dagster.startswith("postgresql+psycopg2://")
    for url, name in ((urls.gene, "kidney_genetics"), (urls.dagster, "dagster")):
        engine = sa.create_engine(url)
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT current_database()")).scalar_one() == name
        engine.dispose()
    assert (tmp_path / "postgres" / "PG_VERSION").is_file()

    # A second start (a later command) reuses the running server and its databases.
    start_embedded_server.cache_clear()
    try:
        again = database_urls(settings)
        assert again == urls
    finally:
        stop_embedded_server(tmp_path)
    assert not (tmp_path / "postgres" / "postmaster.pid").exists()
