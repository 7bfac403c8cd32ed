"""The gene database's schema: migrating it to head, checking it, and guarding loaders.

Alembic owns the schema (`migrations/`, shipped in `kg_pipeline.project_files`). Migrations run
under a PostgreSQL advisory lock so that two runs started together cannot migrate at once.
`require_schema_at_head` is the guard every loader calls before it writes.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from kg_pipeline.db.models import VIEWS, Base
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


@functools.cache
def head_revision() -> str:
    # Cached: the shipped migrations do not change while a process runs, and reading them
    # (25 ms) is asked by every step that needs the schema at head.
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
    """Differences between the live database and the models (empty when in sync).

    Tables by Alembic's autogenerate comparison; views (which autogenerate does not see) by
    name, kind and columns in order against `models.VIEWS`.
    """
    context = MigrationContext.configure(
        conn, opts={"compare_type": True, "compare_server_default": True}
    )
    differences = [repr(diff) for diff in compare_metadata(context, Base.metadata)]
    live = {
        name: relation
        for name, relation in describe_relations(conn).items()
        if relation.kind != "table"
    }
    for name in sorted(live.keys() - VIEWS.keys()):
        differences.append(f"view {name} is in the database, not in the models")
    for name, view in sorted(VIEWS.items()):
        relation = live.get(name)
        kind = "materialized view" if view.materialized else "view"
        if relation is None:
            differences.append(f"{kind} {name} is in the models, not in the database")
        elif relation.kind != kind:
            differences.append(f"{name} is a {relation.kind}, the models say {kind}")
        elif tuple(relation.columns) != view.columns:
            differences.append(
                f"{name} has columns {list(relation.columns)}, the models say {list(view.columns)}"
            )
    return differences


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


RELATION_KINDS = {"r": "table", "v": "view", "m": "materialized view"}


@dataclass(frozen=True)
class Relation:
    """A table or view as the catalog has it: its kind and its columns' types, in order."""

    kind: str
    columns: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "columns": self.columns}


def describe_relations(conn: sa.Connection) -> dict[str, Relation]:
    """Every table, view and materialised view of the public schema with its column types.

    Types are PostgreSQL's own spelling (`format_type`), e.g. `character varying(100)`,
    `timestamp with time zone`, `text[]`.
    """
    rows = conn.execute(
        sa.text(
            """
            SELECT c.relname, c.relkind, a.attname, format_type(a.atttypid, a.atttypmod)
            FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
            WHERE n.nspname = 'public' AND c.relkind IN ('r', 'v', 'm')
              AND c.relname <> 'alembic_version'
            ORDER BY c.relname, a.attnum
            """
        )
    ).all()
    described: dict[str, Relation] = {}
    for name, kind, column, type_ in rows:
        relation = described.setdefault(name, Relation(RELATION_KINDS[kind]))
        relation.columns[column] = type_
    return described


# Types a reader can use interchangeably: an integer of any width, text of any length, a
# timestamp with or without zone, JSON or JSONB. A reader written for one accepts the other.
_TYPE_FAMILIES = {
    "smallint": "integer",
    "integer": "integer",
    "bigint": "integer",
    "real": "float",
    "double precision": "float",
    "numeric": "float",
    "text": "text",
    "character varying": "text",
    "character": "text",
    "timestamp without time zone": "timestamp",
    "timestamp with time zone": "timestamp",
    "json": "json",
    "jsonb": "json",
}


def type_family(pg_type: str) -> str:
    """The family of a `format_type` spelling: `character varying(50)[]` → `text[]`."""
    array = pg_type.endswith("[]")
    base = pg_type.removesuffix("[]").split("(")[0].strip()
    family = _TYPE_FAMILIES.get(base, base)
    return f"{family}[]" if array else family


def compatibility_gaps(provided: dict[str, Relation], declared: dict[str, Relation]) -> list[str]:
    """What `declared` (another application's tables and views) needs that `provided` lacks.

    A relation must exist (a view may be provided as a materialised view and the reverse: a
    reader cannot tell), and each declared column must exist with a type of the same family.
    Extra relations and columns are fine.
    """
    gaps: list[str] = []
    for name, wanted in sorted(declared.items()):
        have = provided.get(name)
        if have is None:
            gaps.append(f"{wanted.kind} {name} is missing")
            continue
        if (wanted.kind == "table") != (have.kind == "table"):
            gaps.append(f"{name} is a {have.kind}, declared as a {wanted.kind}")
        for column, type_ in wanted.columns.items():
            if column not in have.columns:
                gaps.append(f"{name}.{column} ({type_}) is missing")
            elif type_family(have.columns[column]) != type_family(type_):
                gaps.append(f"{name}.{column} is {have.columns[column]}, declared as {type_}")
    return gaps
