"""ClinVar: the real gene_specific_summary.txt (2021-11-07), and a hand-made variant summary.

Expected gene summary values are computed here with the csv module, independently of the
parser, for a fixed set of kidney genes and a seeded random sample of others.
"""

from __future__ import annotations

import csv
import gzip
import random
import tracemalloc
from pathlib import Path

import pandas as pd
import pytest

from kg_pipeline.raw_files import SourceFormatError
from kg_pipeline.sources.annotations import ParsedAnnotations
from kg_pipeline.sources.clinvar.parse import (
    GENE_SUMMARY_KEY,
    SIGNIFICANCE_CLASSES,
    UPSTREAM_CLASS_COUNTS,
    annotate,
    release_date,
    significance_class,
)
from kg_pipeline_tests.sources.annotation_helpers import (
    annotation,
    assert_contract,
    genes_frame,
)


@pytest.fixture(scope="module")
def gene_summary(real_data_dir: Path) -> Path:
    return real_data_dir / "raw" / "clinvar" / "gene_specific_summary.txt"


@pytest.fixture(scope="module")
def parsed(gene_summary: Path, real_genes: pd.DataFrame) -> ParsedAnnotations:
    return annotate({GENE_SUMMARY_KEY: gene_summary}, real_genes)


def _raw_by_gene_id(gene_summary: Path) -> dict[str, list[dict[str, str]]]:
    with open(gene_summary, encoding="utf-8", newline="") as fh:
        next(fh)  # "#Overview of data in ClinVar by gene, dated ..."
        header = next(fh).lstrip("#").rstrip("\n").split("\t")
        rows: dict[str, list[dict[str, str]]] = {}
        for row in csv.DictReader(fh, fieldnames=header, delimiter="\t", quoting=csv.QUOTE_NONE):
            rows.setdefault(row["GeneID"], []).append(row)
    return rows


def _count(text: str) -> int:
    return 0 if text == "-" else int(text)


def test_contract_and_release(parsed: ParsedAnnotations) -> None:
    assert_contract(parsed)
    assert parsed.release == "2021-11-07"
    assert parsed.stats["rows_read"] == 33_890
    assert parsed.stats["rows_matched"] + parsed.stats["rows_unmatched"] == 33_890
    assert parsed.stats["genes_matched"] > 27_000
    assert parsed.rejects == []


def test_values_equal_an_independent_reading_of_the_file(
    parsed: ParsedAnnotations, real_genes: pd.DataFrame, gene_summary: Path
) -> None:
    genes = real_genes
    raw = _raw_by_gene_id(gene_summary)
    ours = genes.dropna(subset=["entrez_id"])
    ours = ours[ours["entrez_id"].isin(raw)]
    sample = ["PKD1", "PKD2", "COL4A5", "NPHS1", "UMOD", "SHOX", "BTBD8", "A1BG"]
    sample += random.Random(20211107).sample(sorted(ours["approved_symbol"]), 60)
    checked = 0
    for symbol in dict.fromkeys(sample):
        entrez = genes.loc[genes["approved_symbol"].eq(symbol), "entrez_id"].iloc[0]
        rows = raw[entrez]
        first = rows[0]
        total = _count(first["Total_alleles"])
        plp = _count(first["Alleles_reported_Pathogenic_Likely_pathogenic"])
        record = annotation(parsed, genes, symbol)
        assert record["total_submissions"] == _count(first["Total_submissions"]), symbol
        assert record["total_alleles"] == total
        assert record["pathogenic_or_likely_pathogenic_alleles"] == plp
        assert record["uncertain"] == _count(first["Number_uncertain"])
        assert record["conflicting"] == _count(first["Number_with_conflicts"])
        assert record["has_pathogenic"] is (plp > 0)
        assert record["pathogenic_percentage"] == pytest.approx(100 * plp / total if total else 0)
        mims = sorted({r["Gene_MIM_number"] for r in rows} - {"-"}, key=int)
        assert record.get("gene_mim_numbers", []) == mims
        assert record.get("gene_mim_number") == (mims[0] if mims else None)
        checked += 1
    assert checked == 68


def test_pkd1_as_the_file_says(parsed: ParsedAnnotations, real_genes: pd.DataFrame) -> None:
    # PKD1  5310  3358  2103  3036  774  601313  630  59
    assert annotation(parsed, real_genes, "PKD1") == {
        "total_submissions": 3358,
        "total_alleles": 2103,
        "submissions_reporting_this_gene": 3036,
        "pathogenic_or_likely_pathogenic_alleles": 774,
        "uncertain": 630,
        "conflicting": 59,
        "gene_mim_number": "601313",
        "gene_mim_numbers": ["601313"],
        "gene_symbol": "PKD1",
        "ncbi_gene_id": "5310",
        "has_pathogenic": True,
        "pathogenic_percentage": 100 * 774 / 2103,
        "input_format": "gene_specific_summary",
        # upstream's names for the counts the gene summary has
        "total_variants": 2103,
        "vus_count": 630,
        "conflicting_count": 59,
    }


def test_repeated_genes_merge_or_resolve_by_gene_id(
    parsed: ParsedAnnotations, real_genes: pd.DataFrame
) -> None:
    genes = real_genes
    # SHOX is listed twice (X and Y OMIM entries) with the same counts: one record, both MIMs.
    assert annotation(parsed, genes, "SHOX")["gene_mim_numbers"] == ["312865", "400020"]
    # BTBD8 is listed under two GeneIDs; HGNC's Entrez id picks the row.
    assert annotation(parsed, genes, "BTBD8")["ncbi_gene_id"] == "284697"
    assert parsed.skipped_by_reason()["superseded_by_better_match"] >= 1


def test_release_dates_and_significance_classes() -> None:
    assert release_date("#Overview of data in ClinVar by gene, dated November 7, 2021") == (
        "2021-11-07"
    )
    assert release_date("#Overview of data") is None
    assert significance_class("Pathogenic/Likely pathogenic") == "pathogenic"
    assert significance_class("Likely pathogenic, low penetrance") == "likely_pathogenic"
    assert significance_class("Uncertain significance") == "vus"
    assert significance_class("Benign/Likely benign") == "benign"
    assert significance_class("Conflicting classifications of pathogenicity") == "conflicting"
    assert significance_class("not provided") == "other"


VARIANT_HEADER = (
    "#AlleleID\tType\tName\tGeneID\tGeneSymbol\tHGNC_ID\tClinicalSignificance\tClinSigSimple\t"
    "LastEvaluated\tRS# (dbSNP)\tnsv/esv (dbVar)\tRCVaccession\tPhenotypeIDS\tPhenotypeList\t"
    "Origin\tOriginSimple\tAssembly\tChromosomeAccession\tChromosome\tStart\tStop\t"
    "ReferenceAllele\tAlternateAllele\tCytogenetic\tReviewStatus\tNumberSubmitters\tGuidelines\t"
    "TestedInGTR\tOtherIDs\tSubmitterCategories\tVariationID\tPositionVCF\tReferenceAlleleVCF\t"
    "AlternateAlleleVCF"
)


def _variant(
    allele: int,
    gene_id_: str,
    symbol: str,
    significance: str,
    assembly: str,
    variation: int,
    review: str = "criteria provided, single submitter",
    hgnc: str = "-",
) -> str:
    cells = dict.fromkeys(VARIANT_HEADER.lstrip("#").split("\t"), "-")
    cells.update(
        {
            "AlleleID": str(allele),
            "Type": "single nucleotide variant",
            "Name": f"NM_000296.4({symbol}):c.{allele}A>G (p.Lys{allele}Glu)",
            "GeneID": gene_id_,
            "GeneSymbol": symbol,
            "HGNC_ID": hgnc,
            "ClinicalSignificance": significance,
            "Assembly": assembly,
            "ReviewStatus": review,
            "VariationID": str(variation),
        }
    )
    return "\t".join(cells.values())


VARIANTS = [
    VARIANT_HEADER,
    # Variation 10: the GRCh37 line comes first and says something else; GRCh38 must win.
    _variant(1, "5310", "PKD1", "Uncertain significance", "GRCh37", 10),
    _variant(1, "5310", "PKD1", "Pathogenic", "GRCh38", 10, "reviewed by expert panel"),
    _variant(2, "5310", "PKD1", "Likely pathogenic", "GRCh38", 11),
    _variant(2, "5310", "PKD1", "Likely pathogenic", "GRCh37", 11),
    _variant(3, "5310", "PKD1", "Benign/Likely benign", "GRCh38", 12),
    _variant(4, "5310", "PKD1", "Conflicting classifications of pathogenicity", "GRCh38", 13),
    # A deletion over two genes: GeneID -1, both symbols get it.
    _variant(5, "-1", "PKD1;TSC2", "Pathogenic", "GRCh38", 14),
    # HGNC:2 is PKD2's id in the genes frame of these tests: the HGNC_ID column is used.
    _variant(6, "5311", "PKD2", "Uncertain significance", "GRCh38", 20, hgnc="HGNC:2"),
    _variant(7, "999", "OTHER", "Pathogenic", "GRCh38", 30),
    "1\tbroken line",
]


def _variant_file(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "4e5f"
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    return path


def test_a_variant_summary_is_aggregated_per_gene(tmp_path: Path) -> None:
    genes = genes_frame(
        (1, "PKD1", "5310", None), (2, "PKD2", "5311", None), (3, "TSC2", "7249", None)
    )
    files = {"clinvar/variant_summary.txt.gz": _variant_file(tmp_path, VARIANTS)}
    parsed = annotate(files, genes)

    assert_contract(parsed)
    assert parsed.release is None
    pkd1 = parsed.annotation(1)
    assert pkd1["total_variants"] == 5
    assert pkd1["significance_counts"] == dict.fromkeys(SIGNIFICANCE_CLASSES, 0) | {
        "pathogenic": 2,
        "likely_pathogenic": 1,
        "benign": 1,
        "conflicting": 1,
    }
    assert pkd1["pathogenic_or_likely_pathogenic"] == 3
    assert pkd1["pathogenic_percentage"] == 60.0
    assert pkd1["review_status_counts"] == {
        "criteria provided, single submitter": 4,
        "reviewed by expert panel": 1,
    }
    assert pkd1["input_format"] == "variant_summary"
    # upstream's per-class counts, combined calls by their first part, and review confidence
    assert {k: pkd1[k] for k in UPSTREAM_CLASS_COUNTS} == {
        "pathogenic_count": 2,
        "likely_pathogenic_count": 1,
        "vus_count": 0,
        "likely_benign_count": 0,
        "benign_count": 1,
        "conflicting_count": 1,
    }
    assert (pkd1["high_confidence_count"], pkd1["high_confidence_percentage"]) == (1, 20.0)
    assert parsed.annotation(3)["total_variants"] == 1  # from the two-gene deletion
    assert parsed.annotation(2)["uncertain"] == 1
    assert parsed.stats["matched_by_hgnc"] == 1
    assert parsed.stats["rows_unmatched"] == 1
    assert parsed.rejects_by_reason() == {"too few tab-separated cells": 1}


def test_the_variant_summary_parse_holds_only_our_genes(tmp_path: Path) -> None:
    # 100,000 variant lines of other genes around a handful of ours: memory must not follow.
    template = _variant(0, "{gene}", "G{gene}", "Benign", "GRCh38", 0).split("\t")
    lines = [VARIANT_HEADER]
    for i in range(100_000):
        template[0] = template[-4] = str(i)
        template[3], template[4] = str(100_000 + i % 5000), f"G{i % 5000}"
        lines.append("\t".join(template))
    lines += [
        _variant(900_000 + i, "5310", "PKD1", "Pathogenic", "GRCh38", 900_000 + i)
        for i in range(10)
    ]
    path = tmp_path / "big"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    size = path.stat().st_size
    del lines

    tracemalloc.start()
    try:
        parsed = annotate(
            {"clinvar/variant_summary.txt": path}, genes_frame((1, "PKD1", "5310", None))
        )
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert parsed.annotation(1)["total_variants"] == 10
    assert size > 15_000_000
    assert peak < 2_000_000, f"peak {peak:,} bytes for a {size:,}-byte file"


def test_an_unknown_header_or_no_file_is_a_format_error(tmp_path: Path) -> None:
    path = tmp_path / "x"
    path.write_text("#Gene\tCount\nPKD1\t3\n", encoding="utf-8")
    with pytest.raises(SourceFormatError, match="the header of a gene_specific_summary"):
        annotate({GENE_SUMMARY_KEY: path}, genes_frame((1, "PKD1", "5310", None)))
    with pytest.raises(SourceFormatError, match="missing"):
        annotate({}, genes_frame((1, "PKD1", "5310", None)))
