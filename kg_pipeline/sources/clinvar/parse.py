"""The `clinvar` annotation: ClinVar variant counts per gene, streamed from NCBI's tab files.

Owns reading two ClinVar FTP tables, told apart by their header (read by column name):

* `gene_specific_summary.txt` (the load's default input): one line per gene with submission,
  allele, pathogenic/likely-pathogenic, uncertain and conflicting counts; `-` means none; the
  first line says which day the table was `dated`.
* `variant_summary.txt(.gz)` (~400 MB gzipped, one line per variant and assembly): aggregated
  here into counts per clinical-significance class and per review status. A variant is counted
  once per gene, from its GRCh38 line when it has one (else GRCh37, else any).

Both are read line by line and only rows of our genes are kept, so memory depends on our genes,
never on the file size (upstream's variant parse peaked at 1.9 GB, 8.8 GB before a rewrite).
Rows match our genes by `GeneID` (Entrez) or `HGNC_ID`, else by symbol.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, Final

import pandas as pd

from kg_pipeline.raw_files import RawFiles, SourceFormatError, read_head
from kg_pipeline.sources import annotations, records
from kg_pipeline.sources.clinvar.upstream import CLINVAR

SOURCE: Final = "clinvar"
GENE_SUMMARY_KEY: Final = CLINVAR.keys()[0]
VARIANT_SUMMARY_KEYS: Final[tuple[str, ...]] = (
    "clinvar/variant_summary.txt.gz",
    "clinvar/variant_summary.txt",
)
"""Where a variant summary sits in `RawFiles` when a snapshot or operator provides one."""

GENE_SUMMARY: Final = "gene_specific_summary"
VARIANT_SUMMARY: Final = "variant_summary"

GENE_SUMMARY_REQUIRED: Final = (
    "Symbol",
    "GeneID",
    "Total_submissions",
    "Total_alleles",
    "Alleles_reported_Pathogenic_Likely_pathogenic",
)
GENE_SUMMARY_COUNTS: Final[dict[str, str]] = {
    "total_submissions": "Total_submissions",
    "total_alleles": "Total_alleles",
    "submissions_reporting_this_gene": "Submissions_reporting_this_gene",
    "pathogenic_or_likely_pathogenic_alleles": "Alleles_reported_Pathogenic_Likely_pathogenic",
    "uncertain": "Number_uncertain",
    "conflicting": "Number_with_conflicts",
}
"""Annotation key -> gene summary column (`-` reads as 0; an absent optional column leaves the
key out)."""

VARIANT_SUMMARY_REQUIRED: Final = (
    "GeneID",
    "GeneSymbol",
    "ClinicalSignificance",
    "ReviewStatus",
    "Assembly",
    "VariationID",
)

SIGNIFICANCE_CLASSES: Final[tuple[str, ...]] = (
    "pathogenic",
    "likely_pathogenic",
    "vus",
    "likely_benign",
    "benign",
    "conflicting",
    "other",
)
_CLASS_PREFIXES: Final[tuple[tuple[str, str], ...]] = (
    ("conflicting", "conflicting"),
    ("pathogenic", "pathogenic"),
    ("likely pathogenic", "likely_pathogenic"),
    ("uncertain significance", "vus"),
    ("likely benign", "likely_benign"),
    ("benign", "benign"),
)
"""`ClinicalSignificance` text prefix -> class, the first that matches wins."""
UPSTREAM_CLASS_COUNTS: Final[dict[str, str]] = {
    "pathogenic_count": "pathogenic",
    "likely_pathogenic_count": "likely_pathogenic",
    "vus_count": "vus",
    "likely_benign_count": "likely_benign",
    "benign_count": "benign",
    "conflicting_count": "conflicting",
}
"""Upstream's per-class variant counts -> our class. Combined calls count as their first part,
as upstream meant ("Pathogenic/Likely pathogenic" in `pathogenic_count`): its substring test
put them under "likely" and "Conflicting classifications of pathogenicity" under pathogenic."""

HIGH_CONFIDENCE_REVIEW: Final[frozenset[str]] = frozenset(
    {
        "practice guideline",
        "reviewed by expert panel",
        "criteria provided, multiple submitters, no conflicts",
    }
)
"""Review statuses of two stars or more: upstream's `high_confidence_count` (level 3 and up)."""

ASSEMBLY_PRIORITY: Final[dict[str, int]] = {"GRCh38": 3, "GRCh37": 2}
_OTHER_ASSEMBLY: Final = 1
_DATED = re.compile(r"dated\s+(.+?)\s*$", re.IGNORECASE)


def significance_class(text: str) -> str:
    """One of `SIGNIFICANCE_CLASSES` for a `ClinicalSignificance` text.

    Combined calls count as their first, more severe part ("Pathogenic/Likely pathogenic" is
    pathogenic, "Benign/Likely benign" benign); modifiers after a comma or semicolon (", low
    penetrance", "; risk factor") do not change the class.
    """
    value = text.strip().lower()
    for prefix, significance in _CLASS_PREFIXES:
        if value.startswith(prefix):
            return significance
    return "other"


def release_date(line: str) -> str | None:
    """`#Overview of data in ClinVar by gene, dated November 7, 2021` -> `2021-11-07`."""
    found = _DATED.search(line)
    if not found:
        return None
    text = found.group(1).rstrip(".")
    for pattern in ("%B %d, %Y", "%b %d, %Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, pattern).date().isoformat()
        except ValueError:
            continue
    return text


def read_header(
    key: str, path: Path
) -> tuple[str, list[str], str | None, Iterator[tuple[int, str]]]:
    """(format, header cells, release date, the data lines) of a ClinVar tab file.

    Leading `#` lines without tabs are banners (a `dated` one gives the release); the first
    line with tabs is the header, with or without its `#`.
    """
    lines = annotations.iter_lines(SOURCE, key, path)
    release = None
    first: str | None = None
    for _number, line in lines:
        if not line.strip():
            continue
        first = line if first is None else first
        if line.startswith("#") and "\t" not in line:
            release = release or release_date(line)
            continue
        header = [annotations.normalise_header(c) for c in line.split("\t")]
        names = set(header)
        if "Symbol" in names and "Total_alleles" in names:
            return GENE_SUMMARY, header, release, lines
        if "VariationID" in names and "ClinicalSignificance" in names:
            return VARIANT_SUMMARY, header, release, lines
        raise records.layout_error(
            SOURCE,
            key,
            "tab-separated, the header of a gene_specific_summary (#Symbol, GeneID, "
            "Total_alleles, ...) or of a variant_summary (VariationID, ClinicalSignificance, ...)",
            line,
        )
    if first is None:
        raise SourceFormatError(SOURCE, key, "the file is empty")
    raise records.layout_error(
        SOURCE, key, "tab-separated, a header line after the `#` banner lines", first
    )


def _merge_gene_rows(kept: dict[str, Any], new: dict[str, Any]) -> dict[str, Any] | None:
    """ClinVar lists a pseudo-autosomal gene once per OMIM entry (X and Y) with the same
    counts: such rows merge their MIM numbers; rows that differ in any count conflict."""
    ignore = {"gene_mim_number", "gene_mim_numbers"}
    if {k: v for k, v in kept.items() if k not in ignore} != {
        k: v for k, v in new.items() if k not in ignore
    }:
        return None
    numbers = sorted(
        set(kept.get("gene_mim_numbers", [])) | set(new.get("gene_mim_numbers", [])), key=int
    )
    if numbers:
        return {**kept, "gene_mim_number": numbers[0], "gene_mim_numbers": numbers}
    return kept


def _gene_summary(
    key: str,
    header: list[str],
    lines: Iterator[tuple[int, str]],
    collector: annotations.AnnotationCollector,
) -> None:
    pos = annotations.column_positions(SOURCE, key, header, GENE_SUMMARY_REQUIRED)
    counts = {k: pos[c] for k, c in GENE_SUMMARY_COUNTS.items() if c in pos}
    mim_pos = pos.get("Gene_MIM_number")
    for number, cells, line in collector.tab_rows(lines, key, cells=len(header)):
        symbol, gene_id = cells[pos["Symbol"]].strip(), cells[pos["GeneID"]].strip()
        match = collector.index.match(
            entrez_id=gene_id if gene_id.isdigit() else None, symbol=symbol
        )
        if match is None:
            collector.unmatched()
            continue
        try:
            record: dict[str, Any] = {
                k: annotations.parse_int(cells[i], missing=0) for k, i in counts.items()
            }
        except ValueError:
            collector.reject(f"{key}:{number}", "non-integer count", line)
            continue
        mim = cells[mim_pos].strip() if mim_pos is not None else ""
        if mim.isdigit():
            record.update(gene_mim_number=mim, gene_mim_numbers=[mim])
        elif mim not in {"", "-"}:
            collector.reject(f"{key}:{number}", "malformed Gene_MIM_number", line)
            continue
        total = record["total_alleles"]
        plp = record["pathogenic_or_likely_pathogenic_alleles"]
        # Upstream's names for the counts this table has; it has no per-class P, LP, LB or B
        # counts, so those of upstream's keys stay out.
        record.update(_upstream_gene_counts(record))
        record.update(
            gene_symbol=symbol,
            ncbi_gene_id=gene_id if gene_id.isdigit() else None,
            has_pathogenic=plp > 0,
            pathogenic_percentage=100.0 * plp / total if total else 0.0,
            input_format=GENE_SUMMARY,
        )
        collector.offer(match, record, merge=_merge_gene_rows)


GENE_SUMMARY_UPSTREAM: Final[dict[str, str]] = {
    "total_variants": "total_alleles",
    "vus_count": "uncertain",
    "conflicting_count": "conflicting",
}
"""Upstream key -> our gene summary key holding the same count."""


def _upstream_gene_counts(record: dict[str, Any]) -> dict[str, int]:
    return {key: record[ours] for key, ours in GENE_SUMMARY_UPSTREAM.items() if ours in record}


def _merge_variants(kept: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    # Mutates the kept record: a gene has thousands of variant rows, copying would be quadratic.
    variants: dict[int, tuple[int, int, int]] = kept["variants"]
    for variation_id, code in new["variants"].items():
        if variation_id not in variants or code[0] > variants[variation_id][0]:
            variants[variation_id] = code
    return kept


def _variant_summary(
    key: str,
    header: list[str],
    lines: Iterator[tuple[int, str]],
    collector: annotations.AnnotationCollector,
) -> list[str]:
    """Offer each variant line of our genes; returns the review-status texts seen (codes index
    into it, so a per-variant entry is three small ints, not three strings)."""
    pos = annotations.column_positions(SOURCE, key, header, VARIANT_SUMMARY_REQUIRED)
    hgnc_pos = pos.get("HGNC_ID")
    width = max(pos.values()) + 1
    classes = {c: i for i, c in enumerate(SIGNIFICANCE_CLASSES)}
    statuses: dict[str, int] = {}
    codes: dict[tuple[int, int, int], tuple[int, int, int]] = {}
    for number, cells, line in collector.tab_rows(lines, key, at_least=width):
        variation = cells[pos["VariationID"]].strip()
        if not variation.isdigit():
            collector.reject(f"{key}:{number}", "VariationID is not a number", line)
            continue
        gene_id = cells[pos["GeneID"]].strip()
        hgnc_id = cells[hgnc_pos].strip() if hgnc_pos is not None else ""
        symbols = [s for s in cells[pos["GeneSymbol"]].strip().split(";") if s.strip()]
        if (gene_id.isdigit() and gene_id != "0") or hgnc_id.startswith("HGNC:"):
            matches = [
                collector.index.match(
                    hgnc_id=hgnc_id or None,
                    entrez_id=gene_id,
                    symbol=symbols[0] if len(symbols) == 1 else None,
                )
            ]
        else:
            # GeneID -1: no gene or several; each listed gene gets the variant (as upstream).
            matches = [collector.index.match(symbol=s) for s in symbols]
        found = [m for m in matches if m is not None]
        if not found:
            collector.unmatched()
            continue
        status = cells[pos["ReviewStatus"]].strip()
        code = (
            ASSEMBLY_PRIORITY.get(cells[pos["Assembly"]].strip(), _OTHER_ASSEMBLY),
            classes[significance_class(cells[pos["ClinicalSignificance"]])],
            statuses.setdefault(status, len(statuses)),
        )
        code = codes.setdefault(code, code)  # one shared tuple per distinct code
        for match in found:
            record = {"variants": {int(variation): code}}
            # Every variant row of a gene adds to it, whether it names the gene by id or (a
            # multi-gene variant) by symbol only.
            collector.offer(match, record, merge=_merge_variants, rank_by_match=False)
    return list(statuses)


def _variant_annotation(record: dict[str, Any], statuses: list[str]) -> dict[str, Any]:
    variants: dict[int, tuple[int, int, int]] = record["variants"]
    by_class = Counter(SIGNIFICANCE_CLASSES[c] for _, c, _ in variants.values())
    by_status = Counter(statuses[s] for _, _, s in variants.values())
    total = len(variants)
    plp = by_class["pathogenic"] + by_class["likely_pathogenic"]
    high = sum(n for status, n in by_status.items() if status in HIGH_CONFIDENCE_REVIEW)
    return {
        "total_variants": total,
        **{key: by_class[c] for key, c in UPSTREAM_CLASS_COUNTS.items()},
        "high_confidence_count": high,
        "high_confidence_percentage": round(100.0 * high / total, 1) if total else 0.0,
        "significance_counts": {c: by_class[c] for c in SIGNIFICANCE_CLASSES},
        "review_status_counts": dict(sorted(by_status.items())),
        "pathogenic_or_likely_pathogenic": plp,
        "uncertain": by_class["vus"],
        "conflicting": by_class["conflicting"],
        "has_pathogenic": plp > 0,
        "pathogenic_percentage": 100.0 * plp / total if total else 0.0,
        "input_format": VARIANT_SUMMARY,
    }


def parse_file(key: str, path: Path, genes: pd.DataFrame) -> annotations.ParsedAnnotations:
    """Annotations from one ClinVar table, whichever of the two formats its header says.

    Gene summary annotation: `total_submissions`, `total_alleles`,
    `submissions_reporting_this_gene`, `pathogenic_or_likely_pathogenic_alleles`, `uncertain`,
    `conflicting`, `gene_mim_number` (+ `gene_mim_numbers` when ClinVar lists several),
    `has_pathogenic`, `pathogenic_percentage` (of `total_alleles`), `gene_symbol`,
    `ncbi_gene_id`, and upstream's `total_variants` (`total_alleles`), `vus_count`
    (`uncertain`), `conflicting_count` (`conflicting`). Variant summary annotation:
    `total_variants`, `significance_counts`, `review_status_counts`,
    `pathogenic_or_likely_pathogenic`, `uncertain`, `conflicting`, `has_pathogenic`,
    `pathogenic_percentage` (of `total_variants`), and upstream's per-class counts
    (`UPSTREAM_CLASS_COUNTS`), `high_confidence_count` and `high_confidence_percentage`
    (`HIGH_CONFIDENCE_REVIEW`). Both carry `input_format`. Version: the gene summary's
    `dated` day (the variant summary has none).
    """
    collector = annotations.AnnotationCollector(SOURCE, annotations.GeneIndex(genes))
    kind, header, release, lines = read_header(key, path)
    if kind == GENE_SUMMARY:
        _gene_summary(key, header, lines, collector)
    else:
        statuses = _variant_summary(key, header, lines, collector)
        collector.replace_records(
            {g: _variant_annotation(r, statuses) for g, r in collector.records().items()}
        )
    if collector.stats["rows_read"] == 0:
        raise SourceFormatError(SOURCE, key, "the file has a header but no rows")
    return collector.finish(release)


def annotate(
    files: RawFiles, genes: pd.DataFrame, *, file_key: str | None = None, **_: Any
) -> annotations.ParsedAnnotations:
    """ClinVar counts for each of our genes from the gene summary, or from a variant summary
    when that is the file given (`file_key` picks one explicitly)."""
    candidates = [file_key] if file_key else [GENE_SUMMARY_KEY, *VARIANT_SUMMARY_KEYS]
    for key in candidates:
        if key in files:
            return parse_file(key, Path(files[key]), genes)
    raise SourceFormatError(
        SOURCE, " or ".join(candidates), "the file is missing from the raw files"
    )


def read_release(files: RawFiles) -> str | None:
    """The date of the gene summary's first line ("... by gene, dated November 7, 2021")."""
    path = files.get(GENE_SUMMARY_KEY)
    if path is None:
        return None
    first_line = (
        read_head(path, records.RELEASE_HEAD_BYTES).decode("utf-8", "replace").split("\n", 1)[0]
    )
    return release_date(first_line)
