"""Shared fixtures: a real PostgreSQL for every test that needs one, and the real data
(`real_data_dir`, from `kg_pipeline_tests/real_data.py`).

PostgreSQL is the embedded server (started once per session in a temporary directory) unless
KG_TEST_DATABASE_URL names a server, e.g. postgresql://postgres@127.0.0.1:5432/postgres. Each
test that asks for `gene_db_url` gets a database of its own, dropped afterwards.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dagster as dg
import pytest
import sqlalchemy as sa

import kg_pipeline.defs
from kg_pipeline.db.server import (
    DAGSTER_DB_DRIVER,
    GENE_DB_DRIVER,
    start_embedded_server,
    stop_embedded_server,
    with_driver,
)
from kg_pipeline.defs.resources import pipeline_resources
from kg_pipeline.settings import Settings

# `real_data_dir`: the real published files, for every test that reads them.
pytest_plugins = ["kg_pipeline_tests.real_data"]


def pipeline_definitions() -> tuple[dict[str, dg.AssetsDefinition], list[dg.AssetChecksDefinition]]:
    """Every asset (by name) and asset check of the code location, before resources are bound.

    Tests materialise these with resources of their own (`pipeline_test_resources`).
    """
    assets: dict[str, dg.AssetsDefinition] = {}
    checks: list[dg.AssetChecksDefinition] = []
    for module_info in pkgutil.walk_packages(kg_pipeline.defs.__path__, "kg_pipeline.defs."):
        module = importlib.import_module(module_info.name)
        for value in vars(module).values():
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, dg.AssetChecksDefinition):
                    if item not in checks:
                        checks.append(item)
                elif isinstance(item, dg.AssetsDefinition):
                    assets[item.key.to_user_string()] = item
    return assets, checks


def pipeline_test_resources(gene_db_url: str, raw_root: Path, **settings: Any) -> dict[str, Any]:
    """The code location's resources, configured from explicit test settings: the test's
    database, a raw store at `raw_root` (`<data_dir>/raw`), and e.g. `source_mode`,
    `mirror_dir` or `upstream_url` for the clients."""
    resources = pipeline_resources(
        Settings.explicit(database_url=gene_db_url, data_dir=raw_root.parent, **settings)
    )
    assert Path(resources["raw_store"].root) == raw_root, "keep the raw store at <data_dir>/raw"
    return resources


@pytest.fixture(scope="session")
def default_snapshot() -> Iterator[Path]:
    """The default offline snapshot (what a fresh `kg-pipeline rebuild` generates), made once."""
    from kg_pipeline.devtools.snapshot import generate_snapshot

    out = Path(tempfile.mkdtemp(prefix="kg-test-snapshot-"))
    generate_snapshot(out / "snapshot")
    yield out / "snapshot"
    shutil.rmtree(out, ignore_errors=True)


FAST_HTTP: dict[str, Any] = {
    "http_backoff_base_s": 0.01,
    "http_backoff_cap_s": 0.05,
    "http_max_retries": 2,
    "http_read_timeout_s": 1,
    "http_requests_per_second": 1000,
}
"""Settings with short retries and timeouts, so fault tests fail or recover in well under a
second, and no politeness delay against the local emulator."""


@pytest.fixture(scope="session")
def pg_admin_url() -> Iterator[str]:
    """URL of a PostgreSQL server's `postgres` database, for creating test databases."""
    configured = os.environ.get("KG_TEST_DATABASE_URL")
    if configured:
        yield with_driver(configured, GENE_DB_DRIVER, "postgres")
        return
    # Not under pytest's tmp_path: pytest prunes old base temp dirs, which would pull the data
    # directory from under a server still used by another concurrent test session.
    data_dir = Path(tempfile.mkdtemp(prefix="kg-test-pg-"))
    try:
        yield with_driver(start_embedded_server(data_dir), GENE_DB_DRIVER, "postgres")
    finally:
        stop_embedded_server(data_dir)
        shutil.rmtree(data_dir, ignore_errors=True)


def create_database(admin_url: str, name: str, template: str | None = None) -> str:
    """Create database `name`, empty or as a copy of database `template` (which must have no
    open connections): a copy of a loaded database takes well under a second, a load seconds."""
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    copy = f' TEMPLATE "{template}"' if template else ""
    with engine.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"{copy}'))
    engine.dispose()
    return with_driver(admin_url, GENE_DB_DRIVER, name)


def drop_database(admin_url: str, name: str) -> None:
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


@pytest.fixture
def gene_db_url(pg_admin_url: str) -> Iterator[str]:
    """A fresh, empty database of this test's own."""
    name = f"kg_test_{uuid.uuid4().hex[:12]}"
    url = create_database(pg_admin_url, name)
    yield url
    from kg_pipeline.db.database import dispose_engine

    dispose_engine(url)
    drop_database(pg_admin_url, name)


@pytest.fixture
def dagster_db_url(pg_admin_url: str) -> Iterator[str]:
    """A fresh database for Dagster's storage (psycopg2 driver, as dagster-postgres needs)."""
    name = f"kg_test_dagster_{uuid.uuid4().hex[:12]}"
    url = create_database(pg_admin_url, name)
    yield with_driver(url, DAGSTER_DB_DRIVER)
    drop_database(pg_admin_url, name)


@pytest.fixture
def gene_engine(gene_db_url: str) -> Iterator[sa.Engine]:
    engine = sa.create_engine(gene_db_url)
    yield engine
    engine.dispose()
