"""The snapshot a bench reads: generated at the requested scale in a child process, or one the
user names; with what the report says about it (MANIFEST sha256, files, bytes, origins).
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from kg_pipeline.devtools.bench.options import BenchError, BenchOptions, Say
from kg_pipeline.devtools.snapshot import DEFAULT_SCALE, MANIFEST_NAME, Manifest


@dataclass(frozen=True)
class SnapshotInfo:
    path: Path
    scale: float | None
    generated: bool
    generation_seconds: float | None
    manifest_sha256: str
    files: int
    bytes: int
    origins: dict[str, int]


def prepare_snapshot(options: BenchOptions, run_dir: Path, say: Say) -> SnapshotInfo:
    if options.snapshot is not None:
        path = Path(options.snapshot).expanduser().resolve()
        say(f"bench: reusing the snapshot in {path}")
        return _snapshot_info(path, options.scale, generated=False, seconds=None)

    scale = options.scale if options.scale is not None else DEFAULT_SCALE
    path = run_dir / "snapshot"
    say(f"bench: generating a snapshot at scale {scale:g} in {path}")
    started = time.monotonic()
    # A child process: generation at scale 1 holds far more memory than a rebuild should, and in
    # this process it would stay in the RSS and the getrusage high-water mark of the run.
    command = [
        sys.executable,
        "-m",
        "kg_pipeline.cli",
        "snapshot",
        "--out",
        str(path),
        "--scale",
        repr(scale),
    ]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    ) as child:
        last = ""
        assert child.stdout is not None
        for line in child.stdout:
            last = line.rstrip()
            say(f"  {last}")
    if child.returncode != 0:
        raise BenchError(f"snapshot generation failed (exit {child.returncode}): {last}")
    seconds = time.monotonic() - started
    return _snapshot_info(path, scale, generated=True, seconds=seconds)


def _snapshot_info(
    path: Path, scale: float | None, *, generated: bool, seconds: float | None
) -> SnapshotInfo:
    manifest_file = path / MANIFEST_NAME
    manifest = Manifest.read(manifest_file)
    return SnapshotInfo(
        path=path,
        scale=scale,
        generated=generated,
        generation_seconds=seconds,
        manifest_sha256=hashlib.sha256(manifest_file.read_bytes()).hexdigest(),
        files=len(manifest.entries),
        bytes=manifest.total_bytes,
        origins=dict(Counter(entry.origin for entry in manifest.entries)),
    )
