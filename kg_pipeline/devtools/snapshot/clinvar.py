"""ClinVar gene-specific summary: `clinvar/gene_specific_summary.txt`.

Line 1 `#Overview of data in ClinVar by gene, dated <Month D, YYYY>`, line 2 the `#Symbol ...`
header, then one tab-separated row per gene, `-` for empty counts, sorted by symbol. Real
mode copies the real file. Synthetic mode covers most protein-coding genes (kidney genes with
more pathogenic alleles) and, scaled with `scale`, non-coding genes (~35,000 rows at full
size).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path

from kg_pipeline.devtools.snapshot.context import SnapshotContext
from kg_pipeline.devtools.snapshot.universe import SYNTHETIC_RELEASE, GeneUniverse
from kg_pipeline.sources.clinvar.upstream import CLINVAR

(RELPATH,) = CLINVAR.files
FORMAT = "clinvar-gene-specific-summary-tsv"
HEADER: tuple[str, ...] = (
    "#Symbol",
    "GeneID",
    "Total_submissions",
    "Total_alleles",
    "Submissions_reporting_this_gene",
    "Alleles_reported_Pathogenic_Likely_pathogenic",
    "Gene_MIM_number",
    "Number_uncertain",
    "Number_with_conflicts",
)
FULL_NONCODING_ROWS = 16_500
CODING_COVERAGE = 0.88


def release_of_real(first_line: str) -> str:
    match = re.search(r"dated (\w+ \d{1,2}, \d{4})", first_line)
    if not match:
        return "unknown"
    return dt.datetime.strptime(match.group(1), "%B %d, %Y").date().isoformat()


def write_clinvar_real(ctx: SnapshotContext, path: Path) -> None:
    with path.open(encoding="utf-8", errors="replace") as fh:
        first = fh.readline()
    ctx.writer.copy_file(
        "clinvar", RELPATH, path, format=FORMAT, origin="real", release=release_of_real(first)
    )
    ctx.say("clinvar: real gene-specific summary")


def write_clinvar_synthetic(
    ctx: SnapshotContext, universe: GeneUniverse, kidney_genes: set[str]
) -> None:
    rng = ctx.rng("clinvar")
    nrng = ctx.np_rng("clinvar-values")
    noncoding = [g for g in universe.approved if not g.is_protein_coding and g.entrez_id]
    chosen_nc = {
        g.symbol
        for g in rng.sample(noncoding, min(len(noncoding), ctx.scaled(FULL_NONCODING_ROWS)))
    }
    genes = [
        g
        for g in universe.approved
        if g.entrez_id
        and (
            g.symbol in chosen_nc
            or (
                g.is_protein_coding and (g.symbol in kidney_genes or rng.random() < CODING_COVERAGE)
            )
        )
    ]
    genes.sort(key=lambda g: g.symbol)  # ClinVar sorts by plain byte order
    levels = nrng.lognormal(3.0, 1.4, size=len(genes)).tolist()
    draws = nrng.random(size=(len(genes), 4)).tolist()
    day = dt.date.fromisoformat(SYNTHETIC_RELEASE)
    with ctx.writer.open_text(
        "clinvar", RELPATH, format=FORMAT, origin="synthetic", release=SYNTHETIC_RELEASE
    ) as out:
        out.write(
            f"#Overview of data in ClinVar by gene, dated {day.strftime('%B')} {day.day}, "
            f"{day.year}\n"
        )
        out.write("\t".join(HEADER) + "\n")
        for gene, level, (u1, u2, u3, u4) in zip(genes, levels, draws, strict=True):
            coding = gene.is_protein_coding
            kidney = gene.symbol in kidney_genes
            alleles = max(1, round(level * (4.0 if kidney else 1.0) * (1.0 if coding else 0.15)))
            submissions = alleles + round(alleles * u1 * 0.4)
            reporting = round(u2 * alleles * 0.1) if coding and u2 > 0.3 else 0
            pathogenic = round(alleles * (0.25 if kidney else 0.04) * u3) if coding else 0
            uncertain = round(alleles * (0.3 + 0.4 * u4))
            conflicts = round(math.sqrt(alleles) * u1) if alleles > 10 else 0
            out.write(
                "\t".join(
                    (
                        gene.symbol,
                        gene.entrez_id,
                        str(submissions),
                        str(alleles),
                        str(reporting) if reporting else "-",
                        str(pathogenic) if pathogenic else "-",
                        gene.omim_ids[0] if gene.omim_ids else "-",
                        str(uncertain),
                        str(conflicts),
                    )
                )
                + "\n"
            )
    ctx.say(f"clinvar: {len(genes):,} synthetic gene rows")
