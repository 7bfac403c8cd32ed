"""GTEx v8 median TPM by tissue:
`gtex/GTEx_Analysis_2017-06-05_v8_RNASeQCv1.1.9_gene_median_tpm.gct.gz`.

GCT 1.2, gzipped: `#1.2`, a `<rows>\\t<tissues>` line, the header `Name Description <54
tissues>`, then one row per gene (`Name` = versioned Ensembl gene id, `Description` = the
symbol GENCODE v26 knew). Like the real file, a few symbols appear twice and pseudo-autosomal
Y copies are listed as `<id>_PAR_Y` with zeros.

With real data, "Kidney - Cortex" and "Kidney - Medulla" of the R high-evidence genes are
the R run's values verbatim (origin derived-from-real); everything else is synthetic.
Size: most protein-coding genes always; non-coding genes scale with `scale` (~56,200 rows in
all at full size).
"""

from __future__ import annotations

import math

import numpy as np

from kg_pipeline.devtools.snapshot.context import SnapshotContext
from kg_pipeline.devtools.snapshot.names import rint
from kg_pipeline.devtools.snapshot.r_values import RValues
from kg_pipeline.devtools.snapshot.universe import GeneUniverse
from kg_pipeline.sources.gtex.upstream import GTEX

(RELPATH,) = GTEX.files
FORMAT = "gct-1.2-gz"
RELEASE = "v8"
TISSUES: tuple[str, ...] = (
    "Adipose - Subcutaneous",
    "Adipose - Visceral (Omentum)",
    "Adrenal Gland",
    "Artery - Aorta",
    "Artery - Coronary",
    "Artery - Tibial",
    "Bladder",
    "Brain - Amygdala",
    "Brain - Anterior cingulate cortex (BA24)",
    "Brain - Caudate (basal ganglia)",
    "Brain - Cerebellar Hemisphere",
    "Brain - Cerebellum",
    "Brain - Cortex",
    "Brain - Frontal Cortex (BA9)",
    "Brain - Hippocampus",
    "Brain - Hypothalamus",
    "Brain - Nucleus accumbens (basal ganglia)",
    "Brain - Putamen (basal ganglia)",
    "Brain - Spinal cord (cervical c-1)",
    "Brain - Substantia nigra",
    "Breast - Mammary Tissue",
    "Cells - Cultured fibroblasts",
    "Cells - EBV-transformed lymphocytes",
    "Cervix - Ectocervix",
    "Cervix - Endocervix",
    "Colon - Sigmoid",
    "Colon - Transverse",
    "Esophagus - Gastroesophageal Junction",
    "Esophagus - Mucosa",
    "Esophagus - Muscularis",
    "Fallopian Tube",
    "Heart - Atrial Appendage",
    "Heart - Left Ventricle",
    "Kidney - Cortex",
    "Kidney - Medulla",
    "Liver",
    "Lung",
    "Minor Salivary Gland",
    "Muscle - Skeletal",
    "Nerve - Tibial",
    "Ovary",
    "Pancreas",
    "Pituitary",
    "Prostate",
    "Skin - Not Sun Exposed (Suprapubic)",
    "Skin - Sun Exposed (Lower leg)",
    "Small Intestine - Terminal Ileum",
    "Spleen",
    "Stomach",
    "Testis",
    "Thyroid",
    "Uterus",
    "Vagina",
    "Whole Blood",
)
CORTEX = TISSUES.index("Kidney - Cortex")
MEDULLA = TISSUES.index("Kidney - Medulla")
# Non-protein-coding rows at full size (GTEx v8 has ~56,200 rows, ~19,000 protein-coding).
FULL_NONCODING_ROWS = 37_000
CODING_COVERAGE = 0.96


def _tpm(x: float) -> str:
    if x < 0.005:
        return "0"
    return f"{x:.6g}"


def write_gtex(ctx: SnapshotContext, universe: GeneUniverse, r: RValues | None) -> None:
    rng = ctx.rng("gtex")
    r_genes = r.genes if r else {}
    coding = [g for g in universe.protein_coding if g.ensembl_gene_id]
    noncoding = [g for g in universe.approved if not g.is_protein_coding and g.ensembl_gene_id]
    n_noncoding = min(len(noncoding), ctx.scaled(FULL_NONCODING_ROWS))
    chosen_nc = {g.symbol for g in rng.sample(noncoding, n_noncoding)}
    genes = [
        g
        for g in universe.approved
        if g.ensembl_gene_id
        and (
            g.symbol in r_genes
            or g.symbol in chosen_nc
            or (g.is_protein_coding and rng.random() < CODING_COVERAGE)
        )
    ]
    # Oddities of the real file: PAR_Y copies and symbols listed under two gene ids.
    par_y = {g.symbol for g in coding if g.chromosome == "X" and g.symbol not in r_genes}
    par_y = set(sorted(par_y)[:: max(1, len(par_y) // 25)])
    twins = {g.symbol for g in rng.sample(coding, min(20, len(coding))) if g.symbol not in r_genes}

    # Bulk draws in numpy: a gene-wide level times a per-tissue factor (log-normal both),
    # kidney tissues sharing a gene-specific boost, and ~4 % zeros.
    nrng = ctx.np_rng("gtex-values")
    n, t = len(genes), len(TISSUES)
    matrix = np.exp(nrng.normal(1.2, 2.0, size=(n, 1)) + nrng.normal(0.0, 0.9, size=(n, t)))
    boost = np.exp(nrng.normal(0.0, 1.0, size=n))
    matrix[:, CORTEX] *= boost
    matrix[:, MEDULLA] *= boost
    matrix[nrng.random(size=(n, t)) < 0.04] = 0.0
    versions = nrng.integers(3, 20, size=n).tolist()

    # The dimensions line comes first, so count the rows before streaming them out.
    n_rows = (
        n + sum(1 for g in genes if g.symbol in par_y) + sum(1 for g in genes if g.symbol in twins)
    )
    cortex_r = 0
    with ctx.writer.open_text(
        "gtex",
        RELPATH,
        format=FORMAT,
        origin="derived-from-real" if r else "synthetic",
        release=RELEASE,
        gzipped=True,
    ) as out:
        out.write("#1.2\n")
        out.write(f"{n_rows}\t{t}\n")
        out.write("Name\tDescription\t" + "\t".join(TISSUES) + "\n")
        for gene, values_f, version in zip(genes, matrix.tolist(), versions, strict=True):
            values = [_tpm(v) for v in values_f]
            rgene = r_genes.get(gene.symbol)
            if rgene is not None:
                if rgene.gtex_cortex is not None:
                    values[CORTEX] = rgene.gtex_cortex
                    cortex_r += 1
                if rgene.gtex_medulla is not None:
                    values[MEDULLA] = rgene.gtex_medulla
            name = f"{gene.ensembl_gene_id}.{version}"
            out.write(f"{name}\t{gene.symbol}\t" + "\t".join(values) + "\n")
            if gene.symbol in par_y:
                out.write(f"{name}_PAR_Y\t{gene.symbol}\t" + "\t".join(["0"] * t) + "\n")
            if gene.symbol in twins:
                twin = f"ENSG{rint(rng, 310_001, 320_000):011d}.{rint(rng, 1, 4)}"
                low = [_tpm(math.exp(rng.gauss(-2.0, 1.0))) for _ in TISSUES]
                out.write(f"{twin}\t{gene.symbol}\t" + "\t".join(low) + "\n")
    note = f", R kidney values for {cortex_r} genes" if r else ""
    ctx.say(f"gtex: {n_rows:,} rows x {t} tissues{note}")
