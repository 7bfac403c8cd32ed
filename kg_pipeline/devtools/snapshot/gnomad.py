"""gnomAD v4.1 constraint metrics: `gnomad/gnomad.v4.1.constraint_metrics.tsv`.

One row per transcript with the v4.1 column names (`lof.pLI`, `lof.oe`, `lof.oe_ci.upper`,
`mis.z_score`, ...); several transcripts per gene (Ensembl and RefSeq), exactly one with
`canonical` = true. Values: `NA` when missing, booleans as `true`/`false`.

With real data, the canonical row of each R high-evidence gene carries the R run's pLI,
oe_lof, lof_z and mis_z text unchanged (origin derived-from-real); every other value is
synthetic, drawn from a three-class constraint model (haploinsufficient / recessive /
tolerant). A few percent of genes have no row, as genes without constraint metrics; never the
X-linked kidney genes COL4A5, OCRL and CLCN5 (on X in the synthetic HGNC too), so the chrX
check has genes to find (with real data, those the R run had values for). `chromosome` is the
gene's HGNC chromosome. `scale` sets transcripts per gene (~11.5 at full size, ~2 at the
default).
"""

from __future__ import annotations

import contextlib
import math
import random

from kg_pipeline.devtools.snapshot.context import SnapshotContext
from kg_pipeline.devtools.snapshot.names import rint
from kg_pipeline.devtools.snapshot.r_values import RValues
from kg_pipeline.devtools.snapshot.universe import REAL_CHROMOSOMES, Gene, GeneUniverse
from kg_pipeline.sources.gnomad.parse import V41_COLUMNS
from kg_pipeline.sources.gnomad.upstream import GNOMAD

(RELPATH,) = GNOMAD.files
FORMAT = "gnomad-v4.1-constraint-tsv"
RELEASE = "v4.1"
COLUMNS = V41_COLUMNS
FULL_TRANSCRIPTS_PER_GENE = 11.5
MISSING_GENE_SHARE = 0.03


def _f(x: float) -> str:
    return f"{x:.5g}"


def _p_li(oe: float) -> tuple[float, float, float]:
    """pLI, pNull, pRec from the LoF o/e ratio (a smooth stand-in for the EM fit)."""
    p_li = 1.0 / (1.0 + math.exp(22.0 * (oe - 0.22)))
    p_null = 1.0 / (1.0 + math.exp(-12.0 * (oe - 0.75)))
    p_rec = max(0.0, 1.0 - p_li - p_null)
    return p_li, p_null, p_rec


def _row(
    rng: random.Random,
    gene: Gene,
    transcript: str,
    *,
    canonical: bool,
    mane: bool,
    oe_lof: float,
    exp_lof: float,
    overrides: dict[str, str] | None = None,
) -> list[str]:
    obs_lof = max(0, round(exp_lof * oe_lof + (rng.random() - 0.5)))
    oe = obs_lof / exp_lof if exp_lof else 0.0
    p_li, p_null, p_rec = _p_li(oe)
    sd = math.sqrt(max(exp_lof, 1e-6))
    lof_z = (exp_lof - obs_lof) / sd
    exp_mis = exp_lof * (8 + rng.random() * 6)
    oe_mis = max(0.2, min(1.6, 0.95 - (1 - min(oe, 1.0)) * 0.4 + (rng.random() - 0.5) * 0.3))
    obs_mis = round(exp_mis * oe_mis)
    mis_z = (exp_mis - obs_mis) / math.sqrt(exp_mis)
    exp_syn = exp_mis * (0.28 + rng.random() * 0.08)
    oe_syn = 0.85 + rng.random() * 0.3
    obs_syn = round(exp_syn * oe_syn)
    syn_z = (exp_syn - obs_syn) / math.sqrt(exp_syn)
    ci = 1.645 / math.sqrt(max(exp_lof, 0.5))
    upper = oe + ci * (1 + oe)
    flags = "[]" if exp_lof >= 5 else '["low_exp_lof"]'
    possible_lof = round(exp_lof * 12.5)
    values = [
        gene.symbol,
        gene.ensembl_gene_id or "NA",
        transcript,
        "true" if canonical else "false",
        "true" if mane else "false",
        str(obs_lof + rint(rng, 0, 2)),
        _f(exp_lof * 1.08),
        str(round(possible_lof * 1.1)),
        _f(oe * 1.02),
        _f(exp_lof * 4.1e-7),
        _f(p_li),
        _f(p_null),
        _f(p_rec),
        str(obs_lof),
        _f(exp_lof),
        str(possible_lof),
        _f(oe),
        _f(exp_lof * 3.9e-7),
        _f(p_li),
        _f(p_null),
        _f(p_rec),
        _f(max(0.0, oe - ci * 0.8)),
        _f(upper),
        str(rint(rng, 1, 19_000)),
        str(min(9, int(upper * 6))),
        _f(-lof_z * 1.1),
        _f(lof_z),
        str(obs_mis),
        _f(exp_mis),
        str(round(exp_mis * 3.2)),
        _f(oe_mis),
        _f(exp_mis * 1.4e-7),
        _f(oe_mis * 0.93),
        _f(oe_mis * 1.07),
        _f(-mis_z * 1.05),
        _f(mis_z),
        str(round(obs_mis * 0.3)),
        _f(exp_mis * 0.31),
        str(round(exp_mis * 0.9)),
        _f(oe_mis * 0.97),
        str(obs_syn),
        _f(exp_syn),
        str(round(exp_syn * 3.4)),
        _f(oe_syn),
        _f(exp_syn * 1.5e-7),
        _f(oe_syn * 0.92),
        _f(oe_syn * 1.08),
        _f(-syn_z * 1.02),
        _f(syn_z),
        flags,
        "2",
        "protein_coding",
        f"chr{gene.chromosome or 'Un'}",
        str(round(exp_lof * 95 + rint(rng, 150, 900))),
        str(max(1, round(exp_lof / 2.5 + rint(rng, 0, 6)))),
    ]
    if overrides:
        for name, text in overrides.items():
            values[_INDEX[name]] = text
    return values


_INDEX = {name: i for i, name in enumerate(COLUMNS)}


def _gene_model(rng: random.Random) -> tuple[float, float]:
    """(LoF o/e, expected LoF count) of a gene under a three-class model."""
    u = rng.random()
    if u < 0.16:
        oe = rng.random() * 0.22  # haploinsufficient
    elif u < 0.36:
        oe = 0.22 + rng.random() * 0.35
    else:
        oe = 0.55 + rng.random() * 0.9
    exp_lof = math.exp(rng.gauss(2.7, 0.9))
    return oe, exp_lof


def write_gnomad(ctx: SnapshotContext, universe: GeneUniverse, r: RValues | None) -> None:
    rng = ctx.rng("gnomad")
    mean_rows = max(2.2, FULL_TRANSCRIPTS_PER_GENE * ctx.scale)
    r_genes = r.genes if r else {}
    rows = genes = 0
    with ctx.writer.open_text(
        "gnomad",
        RELPATH,
        format=FORMAT,
        origin="derived-from-real" if r else "synthetic",
        release=RELEASE,
    ) as out:
        out.write("\t".join(COLUMNS) + "\n")
        for gene in universe.approved:
            rgene = r_genes.get(gene.symbol)
            if rgene is None:
                if not gene.is_protein_coding or not gene.ensembl_gene_id:
                    continue
                if rng.random() < MISSING_GENE_SHARE and gene.symbol not in REAL_CHROMOSOMES:
                    continue  # genes without constraint metrics
            elif rgene.pli is None:
                continue  # the R run had no constraint values for it
            oe, exp_lof = _gene_model(rng)
            overrides: dict[str, str] = {}
            if rgene is not None:
                # The R values, verbatim; the rest of the row follows from them.
                overrides = {
                    "lof.pLI": rgene.pli or "NA",
                    "lof.oe": rgene.oe_lof or "NA",
                    "lof.z_score": rgene.lof_z or "NA",
                    "mis.z_score": rgene.mis_z or "NA",
                }
                with contextlib.suppress(ValueError):
                    oe = float(rgene.oe_lof or oe)
            canonical_tx = (
                gene.mane_select[0].split(".")[0]
                if gene.mane_select
                else f"ENST{rint(rng, 200_000, 799_999):011d}"
            )
            extra = int(mean_rows - 1) + (1 if rng.random() < (mean_rows - 1) % 1 else 0)
            transcripts = [(canonical_tx, True)]
            for _ in range(max(1, extra)):
                if rng.random() < 0.3 and gene.refseq_accessions:
                    tx = f"NM_{rint(rng, 1_000, 999_999):06d}.{rint(rng, 1, 5)}"
                else:
                    tx = f"ENST{rint(rng, 200_000, 799_999):011d}"
                transcripts.append((tx, False))
            # Canonical is not always the first listed; readers must look at the flag.
            rng.shuffle(transcripts)
            for tx, canonical in transcripts:
                tx_oe = oe if canonical else max(0.0, oe * (0.7 + rng.random() * 0.8))
                values = _row(
                    rng,
                    gene,
                    tx,
                    canonical=canonical,
                    mane=canonical and gene.mane_select is not None,
                    oe_lof=tx_oe,
                    exp_lof=exp_lof if canonical else exp_lof * (0.3 + rng.random()),
                    overrides=overrides if canonical else None,
                )
                out.write("\t".join(values) + "\n")
                rows += 1
            genes += 1
    note = f", R values for {sum(1 for g in r_genes.values() if g.pli)} genes" if r else ""
    ctx.say(f"gnomad: {rows:,} transcripts of {genes:,} genes{note}")
