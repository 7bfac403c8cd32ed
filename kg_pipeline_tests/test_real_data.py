"""The `real_data_dir` fixture: found through KG_REAL_DATA_DIR; missing, it skips and says where
it looked, and under CI=true it fails instead.

Each case runs pytest in a subprocess on a one-test project of its own that uses the fixture,
so the skip and the failure are seen the way a user or CI sees them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kg_pipeline_tests.real_data import (
    DEFAULT_REAL_DATA_DIR,
    REAL_DATA_ENV,
    configured_real_data_dir,
)

REPO_ROOT = Path(__file__).resolve().parents[1]
USES_REAL_DATA = """
def test_reads_a_real_file(real_data_dir):
    assert (real_data_dir / "raw" / "marker.txt").read_text() == "real"
"""


def run_pytest(project: Path, **env: str) -> subprocess.CompletedProcess[str]:
    project.mkdir()
    (project / "conftest.py").write_text('pytest_plugins = ["kg_pipeline_tests.real_data"]\n')
    (project / "test_uses_real_data.py").write_text(USES_REAL_DATA)
    # Only what the case sets: neither this session's CI nor its KG_REAL_DATA_DIR leaks in.
    environ = {k: v for k, v in os.environ.items() if k not in {"CI", REAL_DATA_ENV}}
    environ.update(PYTHONPATH=str(REPO_ROOT), **env)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-rsE", "-p", "no:cacheprovider", str(project)],
        cwd=project, env=environ, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_the_default_is_shared_data_beside_the_repository(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(REAL_DATA_ENV, raising=False)
    assert configured_real_data_dir() == DEFAULT_REAL_DATA_DIR == REPO_ROOT.parent / "shared/data"
    monkeypatch.setenv(REAL_DATA_ENV, "/elsewhere/data")
    assert configured_real_data_dir() == Path("/elsewhere/data")


def test_the_configured_directory_is_used(tmp_path: Path) -> None:
    real = tmp_path / "real"
    (real / "raw").mkdir(parents=True)
    (real / "raw" / "marker.txt").write_text("real")

    result = run_pytest(tmp_path / "project", **{REAL_DATA_ENV: str(real)})

    assert result.returncode == 0, result.stdout
    assert "1 passed" in result.stdout


def test_a_missing_directory_skips_naming_the_setting_and_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-dir"

    result = run_pytest(tmp_path / "project", **{REAL_DATA_ENV: str(missing)})

    assert result.returncode == 0, result.stdout
    assert "1 skipped" in result.stdout
    assert f"real data directory {missing} is missing (set {REAL_DATA_ENV}" in result.stdout


def test_under_ci_a_missing_directory_fails(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-dir"

    result = run_pytest(tmp_path / "project", CI="true", **{REAL_DATA_ENV: str(missing)})

    assert result.returncode == 1, result.stdout
    assert "skipped" not in result.stdout
    assert f"real data directory {missing} is missing (set {REAL_DATA_ENV}" in result.stdout
    assert "CI=true, so real-data tests must not skip" in result.stdout
