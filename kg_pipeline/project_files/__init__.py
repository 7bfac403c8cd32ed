"""The project files the code reads at run time, found inside the installed package.

The Alembic migrations, the Dagster instance config, the workspace and the project config live
once in git, at the top of the repository (`migrations/`, `dagster.yaml`, `workspace.yaml`,
`pyproject.toml`), where `alembic` and `dagster dev` run from the repository root find them.
This package holds symlinks to them: building a wheel follows the links and ships the files
themselves, and an editable install reads the checkout's through the links. Nothing else
locates these files.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def _packaged(name: str) -> Path:
    resource = files(__name__) / name
    # Alembic and Dagster take paths; pip installs a wheel as plain files, never zipped.
    if not isinstance(resource, Path) or not resource.exists():
        raise RuntimeError(f"{name} is missing from the installed kg_pipeline package ({resource})")
    return resource


MIGRATIONS_DIR = _packaged("migrations")
INSTANCE_CONFIG = _packaged("dagster.yaml")
WORKSPACE = _packaged("workspace.yaml")
# Dagster's defs loader reads [tool.dg.project] from the nearest pyproject.toml at run time.
PROJECT_CONFIG = _packaged("pyproject.toml")
