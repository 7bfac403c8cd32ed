"""`generate_snapshot`: write one complete offline snapshot of every upstream, plus its MANIFEST.

The snapshot is built in a temporary sibling directory and moved into place only when every
file is written, so an interrupted run never leaves a half snapshot where a good one was.
An existing directory is replaced only if it is itself a snapshot (has a MANIFEST).
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

from kg_pipeline.devtools.snapshot import hpo
from kg_pipeline.devtools.snapshot.context import SnapshotContext
from kg_pipeline.devtools.snapshot.evidence_plan import build_plan
from kg_pipeline.devtools.snapshot.output import SnapshotWriter
from kg_pipeline.devtools.snapshot.r_values import load_r_values
from kg_pipeline.devtools.snapshot.realdata import RealData
from kg_pipeline.devtools.snapshot.sources import GENERATORS, World
from kg_pipeline.devtools.snapshot.universe import build_synthetic_universe, load_real_universe
from kg_pipeline.manifest import MANIFEST_NAME, Manifest
from kg_pipeline.sources.registry import SOURCES, UPSTREAMS

# 2 % of full upstream size for the annotation files: STRING ~275,000 link lines, gnomAD ~2
# transcripts per gene; gene coverage (HGNC, evidence, per-gene annotations) stays full.
# Generation takes a few seconds and the offline rebuild stays fast.
DEFAULT_SCALE = 0.02


class SnapshotError(RuntimeError):
    """The snapshot could not be written (bad arguments, unusable output directory)."""


def generate_snapshot(
    out: Path,
    *,
    real_data: Path | None = None,
    scale: float = DEFAULT_SCALE,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
) -> Manifest:
    """Write a snapshot of every upstream under `out` and return its manifest.

    `real_data` (a directory laid out like `../shared/data`) switches real downloads and
    R-derived files in; without it everything but HPO is synthetic. `scale` multiplies the
    annotation files' sizes (1 = full upstream size). Same arguments, same bytes.
    """
    if not (scale > 0 and scale <= 10):
        raise SnapshotError(f"scale must be in (0, 10], got {scale!r}")
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise SnapshotError(f"seed must be an integer, got {seed!r}")
    out = Path(out)
    if out.exists() and (
        not out.is_dir() or (any(out.iterdir()) and not (out / MANIFEST_NAME).is_file())
    ):
        raise SnapshotError(
            f"{out} exists and is not a snapshot (no {MANIFEST_NAME}); choose an empty or new "
            "directory"
        )
    say = progress or (lambda _message: None)
    real = RealData(Path(real_data)) if real_data is not None else None

    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.parent / f".{out.name}.partial-{os.getpid()}"
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir()
    started = time.monotonic()
    try:
        writer = SnapshotWriter(staging)
        ctx = SnapshotContext(writer=writer, seed=seed, scale=scale, progress=say)
        mode = f"real data from {real.root}" if real else "synthetic"
        say(f"snapshot: {mode}, scale {scale:g}, seed {seed}")
        _generate(ctx, real)
        _check_layout(writer.manifest)
        writer.manifest.write(staging / MANIFEST_NAME)
        if out.exists():
            shutil.rmtree(out)
        staging.rename(out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    manifest = writer.manifest
    say(
        f"snapshot: {len(manifest.entries)} files, {manifest.total_bytes / 1e6:.1f} MB, "
        f"{time.monotonic() - started:.1f} s -> {out}"
    )
    return manifest


def _generate(ctx: SnapshotContext, real: RealData | None) -> None:
    """Every registry source's files; the reference (HGNC) last, since the synthetic set marks
    which genes GenCC lists."""
    release = hpo.load_hpo()
    if real is not None:
        universe = load_real_universe(real.hgnc)
        world = World(release, universe, real=real, values=load_r_values(real, universe))
    else:
        universe = build_synthetic_universe(ctx.rng("universe"), release)
        world = World(
            release, universe, plan=build_plan(ctx.rng("evidence-plan"), universe, release)
        )
    for source in sorted(SOURCES, key=lambda s: s.reference):
        GENERATORS[source.key](ctx, world)


def _check_layout(manifest: Manifest) -> None:
    """Every upstream has its fixed files, and paged APIs have their first page."""
    files = set(manifest.by_file())
    missing = [
        f"{key}/{relpath}"
        for key, upstream in UPSTREAMS.items()
        for relpath in upstream.files
        if f"{key}/{relpath}" not in files
    ]
    for key, first_page in (
        ("panelapp_uk", "api/v1/panels/page-1"),
        ("panelapp_au", "api/v1/panels/page-1"),
        ("pubtator", "search/page-1"),
    ):
        if f"{key}/{first_page}" not in files:
            missing.append(f"{key}/{first_page}")
    if missing:
        raise SnapshotError(f"snapshot layout incomplete, missing: {', '.join(missing)}")
