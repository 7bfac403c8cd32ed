"""Descartes fetal kidney expression: `descartes/tissue_tpm/kidney.csv` and
`descartes/tissue_percentage/kidney.csv`.

Two headerless `GENE,value` CSVs keyed by symbol: kidney TPM, and the percentage of kidney
cells expressing the gene. With real data the TPM of the R high-evidence genes is the R run's
value verbatim (origin derived-from-real). Size: most protein-coding genes always, other
genes scaled with `scale`.
"""

from __future__ import annotations

from kg_pipeline.devtools.snapshot.context import SnapshotContext
from kg_pipeline.devtools.snapshot.r_values import RValues
from kg_pipeline.devtools.snapshot.universe import GeneUniverse
from kg_pipeline.sources.descartes.upstream import DESCARTES

TPM_RELPATH, PERCENT_RELPATH = DESCARTES.files
FORMAT = "descartes-gene-value-csv"
RELEASE = "human_gtex"
FULL_NONCODING_ROWS = 25_000
CODING_COVERAGE = 0.92


def write_descartes(ctx: SnapshotContext, universe: GeneUniverse, r: RValues | None) -> None:
    rng = ctx.rng("descartes")
    r_genes = r.genes if r else {}
    noncoding = [g for g in universe.approved if not g.is_protein_coding]
    chosen_nc = {
        g.symbol
        for g in rng.sample(noncoding, min(len(noncoding), ctx.scaled(FULL_NONCODING_ROWS)))
    }
    genes = [
        g
        for g in universe.approved
        if (g.symbol in r_genes and r_genes[g.symbol].descartes_tpm is not None)
        or g.symbol in chosen_nc
        or (g.is_protein_coding and g.symbol not in r_genes and rng.random() < CODING_COVERAGE)
    ]
    nrng = ctx.np_rng("descartes-values")
    tpm = (nrng.lognormal(1.5, 2.2, size=len(genes)) * (nrng.random(len(genes)) > 0.03)).tolist()
    share = nrng.random(len(genes)).tolist()
    origin = "derived-from-real" if r else "synthetic"
    with (
        ctx.writer.open_text(
            "descartes", TPM_RELPATH, format=FORMAT, origin=origin, release=RELEASE
        ) as out_tpm,
        ctx.writer.open_text(
            "descartes", PERCENT_RELPATH, format=FORMAT, origin="synthetic", release=RELEASE
        ) as out_pct,
    ):
        for gene, value, u in zip(genes, tpm, share, strict=True):
            rgene = r_genes.get(gene.symbol)
            text = rgene.descartes_tpm if rgene and rgene.descartes_tpm else repr(round(value, 13))
            level = float(text)
            # Expressing share grows with the level and saturates; never above 100.
            pct = min(100.0, 100.0 * (1.0 - 1.0 / (1.0 + level / 40.0)) * (0.6 + 0.4 * u))
            out_tpm.write(f"{gene.symbol},{text}\n")
            out_pct.write(f"{gene.symbol},{round(pct, 10)!r}\n")
    ctx.say(f"descartes: {len(genes):,} genes")
