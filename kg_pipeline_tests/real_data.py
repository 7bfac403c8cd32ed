"""The real published files some tests read: the `real_data_dir` fixture, the only way to them.

The files live beside the repository in `../shared/data` (or wherever `KG_REAL_DATA_DIR`
points) and are read in place, never copied into the project. A clone without them still
collects and runs every other test: the real-data tests skip, naming the setting and the path.
With `CI=true` a missing directory fails those tests instead, since CI always has it and a skip
there would quietly drop coverage. Registered for every test by `kg_pipeline_tests/conftest.py`.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REAL_DATA_ENV = "KG_REAL_DATA_DIR"
DEFAULT_REAL_DATA_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def configured_real_data_dir() -> Path:
    return Path(os.environ.get(REAL_DATA_ENV) or DEFAULT_REAL_DATA_DIR)


def in_ci() -> bool:
    """Whether this is CI (`CI=true`, as `.ci/run` sets): a test that would skip for a missing
    prerequisite fails there instead."""
    return os.environ.get("CI", "").strip().lower() in {"true", "1"}


@pytest.fixture(scope="session")
def real_data_dir() -> Path:
    """The real-data directory; skips the test (fails it under CI=true) when it is missing."""
    path = configured_real_data_dir()
    if not path.is_dir():
        reason = f"real data directory {path} is missing (set {REAL_DATA_ENV} to where it is)"
        if in_ci():
            pytest.fail(f"{reason}; CI=true, so real-data tests must not skip", pytrace=False)
        pytest.skip(reason)
    return path
