"""The process environment Dagster itself needs: DAGSTER_HOME with our instance config, and the
database URLs for the processes the UI starts.

Both `kg-pipeline rebuild` and `kg-pipeline ui` call `prepare_environment` first. The instance
config reads Dagster's storage from KG_DAGSTER_PG_URL; the webserver, the daemon and the run
workers they spawn build the code location from their own environment, so KG_DATABASE_URL is
exported for them. A run's resources never come from here: `rebuild` binds them from its
Settings object (`build_definitions`).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import dagster as dg

from kg_pipeline.db.server import DatabaseUrls, database_urls
from kg_pipeline.project_files import INSTANCE_CONFIG
from kg_pipeline.settings import Settings


def prepare_environment(settings: Settings) -> DatabaseUrls:
    urls = database_urls(settings)
    os.environ["KG_DATABASE_URL"] = urls.gene
    os.environ["KG_DAGSTER_PG_URL"] = urls.dagster
    own_home = os.environ.get("DAGSTER_HOME")
    home = Path(own_home or settings.data_dir / "dagster_home")
    home.mkdir(parents=True, exist_ok=True)
    target = home / "dagster.yaml"
    # A DAGSTER_HOME of the user's own keeps its dagster.yaml; ours tracks the packaged one.
    if not target.exists() or (
        not own_home and target.read_bytes() != INSTANCE_CONFIG.read_bytes()
    ):
        shutil.copyfile(INSTANCE_CONFIG, target)
    os.environ["DAGSTER_HOME"] = str(home.resolve())
    return urls


def get_instance() -> dg.DagsterInstance:
    """The PostgreSQL-backed instance (call `prepare_environment` first)."""
    return dg.DagsterInstance.get()
