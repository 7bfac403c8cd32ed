"""The gene database after the rebuild: the server's version, the database sizes, and every
table's size and rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from kg_pipeline.db.server import GENE_DB_DRIVER, with_driver
from kg_pipeline.devtools.bench.scratch import ScratchDatabases


@dataclass
class TableFigures:
    name: str
    kind: str
    rows: int
    total_bytes: int
    table_bytes: int
    index_bytes: int


@dataclass
class DatabaseFigures:
    postgres_version: str
    gene_database_bytes: int
    dagster_database_bytes: int
    tables: list[TableFigures] = field(default_factory=list)


def measure_database(databases: ScratchDatabases) -> DatabaseFigures:
    gene = sa.create_engine(databases.gene_url)
    dagster = sa.create_engine(with_driver(databases.dagster_url, GENE_DB_DRIVER))
    try:
        with gene.connect() as conn:
            version = conn.execute(sa.text("SHOW server_version")).scalar_one()
            size = conn.execute(sa.text("SELECT pg_database_size(current_database())")).scalar()
            relations = conn.execute(
                sa.text(
                    "SELECT c.relname, c.relkind, pg_total_relation_size(c.oid), "
                    "pg_relation_size(c.oid), pg_indexes_size(c.oid) "
                    "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'm', 'p') "
                    "ORDER BY c.relname"
                )
            ).all()
            tables = [
                TableFigures(
                    name=name,
                    kind={"r": "table", "m": "materialized view", "p": "table"}[kind],
                    rows=conn.execute(
                        sa.text(f'SELECT count(*) FROM public."{name}"')
                    ).scalar_one(),
                    total_bytes=total,
                    table_bytes=heap,
                    index_bytes=indexes,
                )
                for name, kind, total, heap, indexes in relations
            ]
        with dagster.connect() as conn:
            dagster_size = conn.execute(
                sa.text("SELECT pg_database_size(current_database())")
            ).scalar()
    finally:
        gene.dispose()
        dagster.dispose()
    return DatabaseFigures(
        postgres_version=str(version),
        gene_database_bytes=int(size or 0),
        dagster_database_bytes=int(dagster_size or 0),
        tables=tables,
    )
