"""The gene database's schema: migrating it to head, checking it, and guarding loaders.

Alembic owns the schema (`migrations/`, shipped in `kg_pipeline.project_files`). Migrations run
under a PostgreSQL advisory lock so that two runs started together cannot migrate at once.
`require_schema_at_head` is the guard every loader calls before it writes.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from kg_pipeline.db.models import Base
from kg_pipeline.project_files import MIGRATIONS_DIR

# Arbitrary constant identifying "kg-pipeline schema migration" among advisory locks.
MIGRATION_LOCK_ID = 0x6B67_7363


class SchemaNotAtHead(RuntimeError):
    """The gene database is not at the migration head this code expects."""


@dataclass(frozen=True)
class SchemaUpgrade:
    """What one `upgrade_to_head` did."""

    revision_before: str | None
    revision_after: str
    dropped: bool
    tables: list[str]
    views: list[str]
    materialized_views: list[str]


def alembic_config(connection: sa.Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError(f"no Alembic revisions found in {MIGRATIONS_DIR}")
    return head


def current_revision(conn: sa.Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def relations(conn: sa.Connection) -> tuple[list[str], list[str], list[str]]:
    """Tables, views and materialised views in the public schema, sorted by name."""
    rows = conn.execute(
        sa.text(
            "SELECT c.relname, c.relkind FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'v', 'm') ORDER BY c.relname"
        )
    ).all()
    by_kind: dict[str, list[str]] = {"r": [], "v": [], "m": []}
    for name, kind in rows:
        by_kind[kind].append(name)
    return by_kind["r"], by_kind["v"], by_kind["m"]


def upgrade_to_head(engine: sa.Engine, *, drop_first: bool = False) -> SchemaUpgrade:
    """Migrate the gene database to head; with `drop_first`, drop the whole schema before.

    Dropping removes the `public` schema of the gene database only; Dagster's storage lives in
    its own database and is never touched.
    """
    with engine.connect() as conn:
        conn.execute(sa.text("SELECT pg_advisory_lock(:id)"), {"id": MIGRATION_LOCK_ID})
        try:
            before = current_revision(conn)
            if drop_first:
                conn.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
                conn.execute(sa.text("CREATE SCHEMA public"))
                conn.commit()
            command.upgrade(alembic_config(conn), "head")
            conn.commit()
            after = current_revision(conn)
            tables, views, matviews = relations(conn)
        finally:
            conn.execute(sa.text("SELECT pg_advisory_unlock(:id)"), {"id": MIGRATION_LOCK_ID})
            conn.commit()
    assert after is not None
    return SchemaUpgrade(before, after, drop_first, tables, views, matviews)


def require_schema_at_head(engine: sa.Engine) -> None:
    """Fail with a message saying what to run unless the gene database is at head."""
    with engine.connect() as conn:
        current = current_revision(conn)
    head = head_revision()
    if current != head:
        state = "has no schema" if current is None else f"is at revision {current}"
        raise SchemaNotAtHead(
            f"the gene database {state}, this code needs {head}: materialise database_schema "
            "(`kg-pipeline rebuild`, or `alembic upgrade head` from the repository root)"
        )


def schema_differences(conn: sa.Connection) -> list[str]:
    """Differences between the live database and the SQLAlchemy models (empty when in sync)."""
    context = MigrationContext.configure(
        conn, opts={"compare_type": True, "compare_server_default": True}
    )
    return [repr(diff) for diff in compare_metadata(context, Base.metadata)]


def non_bigint_keys(conn: sa.Connection) -> list[str]:
    """Primary- and foreign-key columns of our tables (not Alembic's) that are not bigint."""
    rows = conn.execute(
        sa.text(
            """
            SELECT DISTINCT kcu.table_name || '.' || kcu.column_name || ' (' || c.data_type || ')'
            FROM information_schema.table_constraints tc
            JOIN information_schema.key_column_usage kcu
              ON kcu.constraint_name = tc.constraint_name
             AND kcu.table_schema = tc.table_schema
            JOIN information_schema.columns c
              ON c.table_schema = kcu.table_schema AND c.table_name = kcu.table_name
             AND c.column_name = kcu.column_name
            WHERE tc.table_schema = 'public'
              AND tc.constraint_type IN ('PRIMARY KEY', 'FOREIGN KEY')
              AND c.data_type <> 'bigint'
              AND kcu.table_name <> 'alembic_version'
            ORDER BY 1
            """
        )
    ).scalars()
    return list(rows)
