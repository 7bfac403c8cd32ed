"""Describe the tables and views the upstream web application declares, as JSON.

The upstream kidney-genetics-db backend reads the database this project builds. This script
takes a checkout of that repository, creates its SQLAlchemy models and its views in a scratch
database, reads back from PostgreSQL's catalog what they are (relation kinds, column names and
types), and writes that description. `kg_pipeline_tests/db/test_upstream_schema.py` checks
that our migrated schema provides all of it.

    python scripts/describe_upstream_schema.py --upstream ../kidney-genetics-db \\
        --database-url postgresql://postgres@127.0.0.1:5432/postgres

The upstream backend needs only SQLAlchemy to import its models and views, which this
project's environment has. The scratch database is dropped afterwards.
"""

from __future__ import annotations

import argparse
import importlib
import json
import re
import subprocess
import sys
import uuid
from pathlib import Path

import sqlalchemy as sa

from kg_pipeline.db.schema import describe_relations
from kg_pipeline.db.server import GENE_DB_DRIVER, ensure_database, with_driver

REPOSITORY = "berntpopp/kidney-genetics-db"
DEFAULT_OUTPUT = (
    Path(__file__).resolve().parents[1] / "kg_pipeline_tests" / "db" / "upstream_schema.json"
)
# Created at application start-up (app/core/database_init.py), not among app/db/views.py.
STARTUP_MATVIEW = re.compile(
    r"(CREATE MATERIALIZED VIEW IF NOT EXISTS gene_annotations_summary AS.*?)\"\"\"", re.S
)


def upstream_commit(checkout: Path) -> str:
    """The checkout's commit: from git when it is a clone, else from a COMMIT file."""
    try:
        return subprocess.run(
            ["git", "-C", str(checkout), "rev-parse", "HEAD"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except (subprocess.CalledProcessError, FileNotFoundError):
        marker = checkout / "COMMIT"
        if marker.exists():
            return marker.read_text().strip()
        raise SystemExit(f"{checkout} is neither a git clone nor has a COMMIT file") from None


def upstream_statements(backend: Path) -> list[str]:
    """Upstream's view statements in its own dependency order, then the start-up matview."""
    sys.path.insert(0, str(backend))
    views = importlib.import_module("app.db.views")
    statements = [f"CREATE VIEW {view.name} AS {view.sqltext}" for view in views.ALL_VIEWS]
    startup = (backend / "app" / "core" / "database_init.py").read_text()
    matview = STARTUP_MATVIEW.search(startup)
    if matview is None:
        raise SystemExit("gene_annotations_summary not found in app/core/database_init.py")
    return [*statements, matview.group(1)]


def describe(backend: Path, admin_url: str) -> dict[str, object]:
    statements = upstream_statements(backend)
    models = importlib.import_module("app.models")
    name = f"kg_upstream_schema_{uuid.uuid4().hex[:8]}"
    ensure_database(admin_url, name)
    engine = sa.create_engine(with_driver(admin_url, GENE_DB_DRIVER, name))
    # Defaults are not part of the description, and one of upstream's (a JSONB literal in a
    # cast) does not compile with every SQLAlchemy release.
    for table in models.Base.metadata.tables.values():
        for column in table.columns:
            column.server_default = None
    try:
        models.Base.metadata.create_all(engine)
        with engine.begin() as conn:
            for statement in statements:
                conn.execute(sa.text(statement))
        with engine.connect() as conn:
            relations = describe_relations(conn)
    finally:
        engine.dispose()
        admin_driver_url = with_driver(admin_url, GENE_DB_DRIVER)
        admin = sa.create_engine(admin_driver_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    return {name: relation.as_json() for name, relation in sorted(relations.items())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upstream", type=Path, required=True, help="a checkout of " + REPOSITORY)
    parser.add_argument("--database-url", required=True, help="a server to create scratch DBs on")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args()
    checkout = args.upstream.resolve()
    description = {
        "repository": REPOSITORY,
        "commit": upstream_commit(checkout),
        "generated_by": "scripts/describe_upstream_schema.py",
        "relations": describe(checkout / "backend", args.database_url),
    }
    args.output.write_text(json.dumps(description, indent=1) + "\n")
    print(f"{len(description['relations'])} relations of {REPOSITORY} → {args.output}")


if __name__ == "__main__":
    main()
