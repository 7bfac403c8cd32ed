"""The wheel carries the migrations, the Dagster configs and pyproject.toml where the code reads
them, so an installed copy works without the checkout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

import kg_pipeline
from kg_pipeline import instance, ui
from kg_pipeline.db import schema
from kg_pipeline.definitions import defs
from kg_pipeline.project_files import INSTANCE_CONFIG, MIGRATIONS_DIR, PROJECT_CONFIG, WORKSPACE

REPO_ROOT = Path(__file__).resolve().parents[1]
VERSIONS = MIGRATIONS_DIR / "versions"
# Each shipped file: its one copy in the repository, and the path the code reads it from.
SHIPPED = {
    "migrations/versions/001_modern_complete.py": VERSIONS / "001_modern_complete.py",
    "migrations/versions/002_modern_complete_fixed.py": VERSIONS / "002_modern_complete_fixed.py",
    "migrations/versions/003_upstream_api_parity.py": VERSIONS / "003_upstream_api_parity.py",
    "migrations/versions/004_data_releases.py": VERSIONS / "004_data_releases.py",
    "migrations/env.py": MIGRATIONS_DIR / "env.py",
    "migrations/script.py.mako": MIGRATIONS_DIR / "script.py.mako",
    "dagster.yaml": INSTANCE_CONFIG,
    "workspace.yaml": WORKSPACE,
    "pyproject.toml": PROJECT_CONFIG,
}


def _member(path: Path) -> str:
    """The wheel member that installs as `path` (relative to the directory holding kg_pipeline)."""
    return path.relative_to(Path(kg_pipeline.__file__).parent.parent).as_posix()


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[zipfile.ZipFile]:
    out = tmp_path_factory.mktemp("wheel")
    command = ["pip", "wheel", "--no-deps", "--no-build-isolation", "--no-cache-dir", "-q"]
    subprocess.run([sys.executable, "-m", *command, "-w", str(out), str(REPO_ROOT)], check=True)
    (built,) = out.glob("kg_pipeline-*.whl")
    with zipfile.ZipFile(built) as archive:
        yield archive


def test_the_code_reads_the_packaged_files() -> None:
    assert schema.MIGRATIONS_DIR == MIGRATIONS_DIR
    assert instance.INSTANCE_CONFIG == INSTANCE_CONFIG
    assert ui.WORKSPACE == WORKSPACE
    package = Path(kg_pipeline.__file__).parent
    for path in (MIGRATIONS_DIR, INSTANCE_CONFIG, WORKSPACE, PROJECT_CONFIG):
        assert path.is_relative_to(package), f"{path} is read from outside the package"


def test_the_wheel_ships_the_repository_files_byte_for_byte(wheel: zipfile.ZipFile) -> None:
    for in_repo, path in SHIPPED.items():
        assert wheel.read(_member(path)) == (REPO_ROOT / in_repo).read_bytes(), in_repo


def test_the_wheel_ships_exactly_the_repository_migrations(wheel: zipfile.ZipFile) -> None:
    # A migration deleted from git but left in a stale build/ directory would still ship.
    prefix = _member(MIGRATIONS_DIR) + "/"
    shipped = {n.removeprefix(prefix) for n in wheel.namelist() if n.startswith(prefix)}
    migrations = REPO_ROOT / "migrations"
    expected = {
        path.relative_to(migrations).as_posix()
        for path in migrations.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    assert shipped == expected, "stale files in build/? remove it and build again"


def test_the_tests_are_not_shipped(wheel: zipfile.ZipFile) -> None:
    top_level = {name.split("/")[0] for name in wheel.namelist()}
    assert {name for name in top_level if not name.endswith(".dist-info")} == {"kg_pipeline"}


def test_one_copy_in_git_the_package_links_to_it() -> None:
    for in_repo, path in SHIPPED.items():
        assert path.resolve() == (REPO_ROOT / in_repo).resolve(), in_repo


_LOAD_FROM_WHEEL = """
import json, sys
import kg_pipeline
from kg_pipeline.db.schema import head_revision
from kg_pipeline.definitions import defs
keys = sorted(key.to_user_string() for key in defs().resolve_all_asset_keys())
print(json.dumps({"package": kg_pipeline.__file__, "head": head_revision(), "assets": keys}))
"""


def test_the_unpacked_wheel_loads_without_the_checkout(
    wheel: zipfile.ZipFile, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    wheel.extractall(site)
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    # PYTHONPATH comes before the editable install's finder, so the wheel's kg_pipeline loads.
    result = subprocess.run(
        [sys.executable, "-c", _LOAD_FROM_WHEEL],
        env={**os.environ, "PYTHONPATH": str(site)}, cwd=elsewhere, capture_output=True,
        text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert Path(loaded["package"]).is_relative_to(site)
    assert loaded["head"] == schema.head_revision()
    assert loaded["assets"] == sorted(
        key.to_user_string() for key in defs().resolve_all_asset_keys()
    )
