"""The wheel carries the migrations, dagster.yaml and workspace.yaml where the code reads them."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

import kg_pipeline
from kg_pipeline import instance, ui
from kg_pipeline.db import schema
from kg_pipeline.project_files import INSTANCE_CONFIG, MIGRATIONS_DIR, WORKSPACE

REPO_ROOT = Path(__file__).resolve().parents[1]
VERSIONS = MIGRATIONS_DIR / "versions"
# Each shipped file: its one copy in the repository, and the path the code reads it from.
SHIPPED = {
    "migrations/versions/001_modern_complete.py": VERSIONS / "001_modern_complete.py",
    "migrations/versions/002_modern_complete_fixed.py": VERSIONS / "002_modern_complete_fixed.py",
    "migrations/env.py": MIGRATIONS_DIR / "env.py",
    "migrations/script.py.mako": MIGRATIONS_DIR / "script.py.mako",
    "dagster.yaml": INSTANCE_CONFIG,
    "workspace.yaml": WORKSPACE,
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
    for path in (MIGRATIONS_DIR, INSTANCE_CONFIG, WORKSPACE):
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
