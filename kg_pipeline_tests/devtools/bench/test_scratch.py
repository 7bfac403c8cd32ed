"""The bench's scratch databases: created on entry, dropped on exit unless kept."""

from kg_pipeline.devtools.bench.scratch import ScratchDatabases
from kg_pipeline_tests.devtools.bench.catalog import database_exists


def test_scratch_databases_are_dropped_unless_kept(pg_admin_url: str) -> None:
    with ScratchDatabases(pg_admin_url, "test_scratch") as databases:
        assert database_exists(pg_admin_url, databases.gene_name)
        assert database_exists(pg_admin_url, databases.dagster_name)
        assert databases.dagster_url.startswith("postgresql+psycopg2://")
    assert not database_exists(pg_admin_url, databases.gene_name)
    assert not database_exists(pg_admin_url, databases.dagster_name)
