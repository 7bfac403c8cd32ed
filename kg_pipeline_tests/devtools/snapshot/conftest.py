"""Snapshots shared by the snapshot tests, each generated once per test session into tmp dirs.

Generating a snapshot takes seconds, so the tests share four: the default one (seed 0), the
same arguments again in a separate process (determinism), seed 1 (seed sensitivity), and the
real-data one (from the `real_data_dir` fixture; its tests skip with the reason without it).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from kg_pipeline.devtools.snapshot import DEFAULT_SCALE, MANIFEST_NAME, Manifest, generate_snapshot

REPO_ROOT = Path(__file__).resolve().parents[3]


@dataclass
class Snapshot:
    root: Path
    manifest: Manifest

    def path(self, relfile: str) -> Path:
        return self.root / relfile


def _generate(tmp_path_factory: pytest.TempPathFactory, name: str, **kwargs: object) -> Snapshot:
    root = tmp_path_factory.mktemp(name) / "snapshot"
    manifest = generate_snapshot(root, **kwargs)  # type: ignore[arg-type]
    return Snapshot(root, manifest)


@pytest.fixture(scope="session")
def _again_process(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Path, subprocess.Popen[bytes]]]:
    """Generates the default snapshot again in another process, with another string-hash
    seed (output depending on set or dict order of strings would show up as a difference).
    Started before the in-process one so that both use the two cores."""
    root = tmp_path_factory.mktemp("default-again") / "snapshot"
    code = (
        "import sys; from pathlib import Path; "
        "from kg_pipeline.devtools.snapshot import generate_snapshot; "
        f"generate_snapshot(Path(sys.argv[1]), scale={DEFAULT_SCALE!r}, seed=0)"
    )
    env = {**os.environ, "PYTHONHASHSEED": "4242"}
    proc = subprocess.Popen([sys.executable, "-c", code, str(root)], env=env, cwd=REPO_ROOT)
    yield root, proc
    if proc.poll() is None:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="session")
def default_snapshot(
    tmp_path_factory: pytest.TempPathFactory,
    _again_process: tuple[Path, subprocess.Popen[bytes]],
) -> Snapshot:
    return _generate(tmp_path_factory, "default", scale=DEFAULT_SCALE, seed=0)


@pytest.fixture(scope="session")
def default_snapshot_again(_again_process: tuple[Path, subprocess.Popen[bytes]]) -> Snapshot:
    root, proc = _again_process
    assert proc.wait(timeout=600) == 0, "snapshot generation in a subprocess failed"
    return Snapshot(root, Manifest.read(root / MANIFEST_NAME))


@pytest.fixture(scope="session")
def seed1_snapshot(tmp_path_factory: pytest.TempPathFactory) -> Snapshot:
    return _generate(tmp_path_factory, "seed1", scale=DEFAULT_SCALE, seed=1)


@pytest.fixture(scope="session")
def real_snapshot(tmp_path_factory: pytest.TempPathFactory, real_data_dir: Path) -> Snapshot:
    return _generate(tmp_path_factory, "real", real_data=real_data_dir, seed=0)
