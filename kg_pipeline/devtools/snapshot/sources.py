"""Which generator writes each registry source's files, and what they are generated from.

`generate_snapshot` walks the registry (`kg_pipeline.sources.registry.SOURCES`) and calls the
generator of each source here; a test checks that every registry source has one. A generator
writes every file of every upstream of its source, in that upstream's real format: from real
files where the snapshot is built `--real-data`, else synthetic and deterministic.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final, Protocol

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
from kg_pipeline.devtools.snapshot.evidence_plan import EvidencePlan
from kg_pipeline.devtools.snapshot.hpo import HpoRelease
from kg_pipeline.devtools.snapshot.r_values import RValues
from kg_pipeline.devtools.snapshot.realdata import RealData
from kg_pipeline.devtools.snapshot.universe import GeneUniverse


@dataclass
class World:
    """What every generator draws on: the HPO release, the genes, and either the real files
    (with the R predecessor's per-gene values) or the synthetic evidence plan."""

    hpo: HpoRelease
    universe: GeneUniverse
    real: RealData | None = None
    values: RValues | None = None
    plan: EvidencePlan | None = None
    gencc_genes: set[str] = field(default_factory=set)
    """Genes with a synthetic GenCC submission, which the synthetic HGNC set marks."""

    def kidney_genes(self) -> set[str]:
        assert self.plan is not None
        return set(self.plan.core) | self.plan.hpo_kidney


class WriteSource(Protocol):
    def __call__(self, ctx: SnapshotContext, world: World) -> None: ...


def _hgnc(ctx: SnapshotContext, world: World) -> None:
    real_file = world.real.hgnc if world.real else None
    hgnc.write_hgnc(ctx, world.universe, real_file=real_file, gencc_genes=world.gencc_genes)


class RealWriter(Protocol):
    def __call__(self, ctx: SnapshotContext, real: RealData, universe: GeneUniverse) -> None: ...


class PlanWriter(Protocol):
    def __call__(self, ctx: SnapshotContext, plan: EvidencePlan) -> object: ...


def _real_or_planned(real: RealWriter, planned: PlanWriter) -> WriteSource:
    """A generator from the real files when the snapshot is built with them, else from the
    synthetic evidence plan."""

    def generate(ctx: SnapshotContext, world: World) -> None:
        if world.real:
            real(ctx, world.real, world.universe)
        else:
            assert world.plan is not None
            planned(ctx, world.plan)

    return generate


def _gencc(ctx: SnapshotContext, world: World) -> None:
    if world.real:
        gencc.write_gencc_real(ctx, world.real, world.universe)
    else:
        assert world.plan is not None
        world.gencc_genes = gencc.write_gencc_synthetic(ctx, world.plan)


def _hpo(ctx: SnapshotContext, world: World) -> None:
    hpo.write_hpo(ctx, world.hpo)


def _clinvar(ctx: SnapshotContext, world: World) -> None:
    if world.real:
        clinvar.write_clinvar_real(ctx, world.real.clinvar)
    else:
        clinvar.write_clinvar_synthetic(ctx, world.universe, world.kidney_genes())


def _mgi(ctx: SnapshotContext, world: World) -> None:
    if world.real:
        mgi.write_mgi_real(ctx, world.real.mgi, world.real.mpo_kidney_terms, world.values)
    else:
        mgi.write_mgi_synthetic(ctx, world.universe, world.kidney_genes())


class ValuesWriter(Protocol):
    def __call__(self, ctx: SnapshotContext, universe: GeneUniverse, r: RValues | None) -> None: ...


def _values_writer(write: ValuesWriter) -> WriteSource:
    """A generator of R-derived values where they exist, synthetic values otherwise."""

    def generate(ctx: SnapshotContext, world: World) -> None:
        write(ctx, world.universe, world.values)

    return generate


def _string(ctx: SnapshotContext, world: World) -> None:
    if world.real:
        assert world.values is not None
        string_ppi.write_string_real(ctx, world.real.string_info, world.values)
    else:
        string_ppi.write_string_synthetic(ctx, world.universe)


GENERATORS: Final[Mapping[str, WriteSource]] = {
    "hgnc": _hgnc,
    "panelapp": _real_or_planned(panelapp.write_panelapp_real, panelapp.write_panelapp_synthetic),
    "clingen": _real_or_planned(
        lambda ctx, real, _: clingen.write_clingen_real(ctx, real.clingen),
        clingen.write_clingen_synthetic,
    ),
    "gencc": _gencc,
    "hpo": _hpo,
    "pubtator": _real_or_planned(pubtator.write_pubtator_real, pubtator.write_pubtator_synthetic),
    "diagnostic_panels": _real_or_planned(
        lambda ctx, real, _: seed_files.write_diagnostic_panels_real(ctx, real),
        seed_files.write_diagnostic_panels_synthetic,
    ),
    "literature": _real_or_planned(
        lambda ctx, real, _: seed_files.write_literature_real(ctx, real),
        seed_files.write_literature_synthetic,
    ),
    "gnomad": _values_writer(gnomad.write_gnomad),
    "gtex": _values_writer(gtex.write_gtex),
    "descartes": _values_writer(descartes.write_descartes),
    "clinvar": _clinvar,
    "mgi": _mgi,
    "string": _string,
}
