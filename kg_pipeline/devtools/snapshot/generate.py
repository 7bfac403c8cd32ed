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

from kg_pipeline.devtools.snapshot import (
    clingen,
    clinvar,
    descartes,
    gencc,
    gnomad,
    gtex,
    hgnc,
    hpo,
    mgi,
    panelapp,
    pubtator,
    seed_files,
    string_ppi,
)
from kg_pipeline.devtools.snapshot.context import SnapshotContext
from kg_pipeline.devtools.snapshot.evidence_plan import build_plan
from kg_pipeline.devtools.snapshot.manifest import MANIFEST_NAME, Manifest
from kg_pipeline.devtools.snapshot.output import SnapshotWriter
from kg_pipeline.devtools.snapshot.r_values import load_r_values
from kg_pipeline.devtools.snapshot.realdata import RealData
from kg_pipeline.devtools.snapshot.universe import build_synthetic_universe, load_real_universe
from kg_pipeline.sources.registry import UPSTREAMS

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
    release = hpo.load_hpo()
    hpo.write_hpo(ctx, release)
    if real is not None:
        universe = load_real_universe(real.hgnc)
        hgnc.write_hgnc(ctx, universe, real_file=real.hgnc)
        clingen.write_clingen_real(ctx, real.clingen)
        panelapp.write_panelapp_real(ctx, real, universe)
        gencc.write_gencc_real(ctx, real, universe)
        pubtator.write_pubtator_real(ctx, real, universe)
        seed_files.write_seed_files_real(ctx, real)
        values = load_r_values(real, universe)
        gnomad.write_gnomad(ctx, universe, values)
        gtex.write_gtex(ctx, universe, values)
        descartes.write_descartes(ctx, universe, values)
        string_ppi.write_string(ctx, universe, values)
        clinvar.write_clinvar_real(ctx, real.clinvar)
        mgi.write_mgi_real(ctx, real.mgi, real.mpo_kidney_terms)
        return

    universe = build_synthetic_universe(ctx.rng("universe"), release)
    plan = build_plan(ctx.rng("evidence-plan"), universe, release)
    panelapp.write_panelapp_synthetic(ctx, plan)
    clingen.write_clingen_synthetic(ctx, plan)
    gencc_genes = gencc.write_gencc_synthetic(ctx, plan)
    pubtator.write_pubtator_synthetic(ctx, plan)
    seed_files.write_seed_files_synthetic(ctx, plan)
    hgnc.write_hgnc(ctx, universe, real_file=None, gencc_genes=gencc_genes)
    gnomad.write_gnomad(ctx, universe, None)
    gtex.write_gtex(ctx, universe, None)
    descartes.write_descartes(ctx, universe, None)
    string_ppi.write_string(ctx, universe, None)
    kidney = set(plan.core) | plan.hpo_kidney
    clinvar.write_clinvar_synthetic(ctx, universe, kidney)
    mgi.write_mgi_synthetic(ctx, universe, kidney)


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
