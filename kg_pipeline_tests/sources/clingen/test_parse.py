"""ClinGen: the real gene-disease validity CSV, the kidney filter, max classification."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from kg_pipeline.raw_files import SourceFormatError
from kg_pipeline.sources.clingen.parse import FILE_KEY, aggregate, kidney_mask, parse
from kg_pipeline.sources.hgnc.normalise import GeneNormaliser
from kg_pipeline.sources.records import ParsedEvidence
from kg_pipeline_tests.sources.helpers import by_symbol, resolve

CSV = "raw/clingen/Clingen-Gene-Disease-Summary-2025-01-09.csv"  # in the real-data directory


@pytest.fixture(scope="module")
def parsed(real_data_dir: Path) -> ParsedEvidence:
    return parse({FILE_KEY: real_data_dir / CSV})


def test_the_real_csv_is_read_by_header_name(parsed: ParsedEvidence) -> None:
    assert parsed.source == "ClinGen"
    assert parsed.release == "2025-01-09"
    assert parsed.stats["curations"] == 2953
    assert parsed.rejects == []
    assert len(parsed.rows) == 139
    assert parsed.rows["symbol"].nunique() == 125
    row = parsed.rows[parsed.rows["symbol"].eq("PKD1")].iloc[0]
    assert row["reported_hgnc_id"] == "HGNC:9008"
    assert row["mondo_id"].startswith("MONDO:")
    assert row["submission_id"].startswith("https://search.clinicalgenome.org/")


def test_kidney_expert_panels_and_kidney_diseases_are_kept(parsed: ParsedEvidence) -> None:
    symbols = set(parsed.rows["symbol"])
    by_panel = parsed.rows[parsed.rows["kidney_expert_panel"]]

    assert by_panel["symbol"].nunique() == 91
    assert {"PKD1", "CASR", "CFH", "COL4A3", "FRAS1"} <= set(by_panel["symbol"])
    # kidney diseases curated by other expert panels
    assert {"HNF1B", "COL4A5", "EYA1", "GATA3", "OCRL", "MYH9", "PBX1"} <= symbols


def test_look_alike_diseases_are_not_kidney(parsed: ParsedEvidence) -> None:
    symbols = set(parsed.rows["symbol"])

    assert not {"TUBA1A", "TUBB3", "STIM1", "MTM1"} & symbols  # tubulinopathy, myopathies
    assert not {"FANCA", "BRCA2", "PALB2"} & symbols  # "complementation group"
    assert "MCM4" not in symbols  # "adrenal insufficiency"


def test_kidney_mask_combines_both_filters() -> None:
    disease = pd.Series(["renal tubular acidosis", "", "Joubert syndrome 1", "cardiac arrest"])
    panel = pd.Series(
        [
            "Hearing Loss Gene Curation Expert Panel",
            "Epilepsy Gene Curation Expert Panel",
            "Kidney Cystic and Ciliopathy Disorders Gene Curation Expert Panel",
            "Tubulopathy Gene Curation Expert Panel",
        ]
    )

    assert kidney_mask(disease, panel).tolist() == [True, False, True, True]


def test_max_classification_of_limited_and_definitive_is_definitive(
    parsed: ParsedEvidence, normaliser: GeneNormaliser
) -> None:
    rows = resolve(parsed.rows, normaliser)
    evidence = aggregate(rows)
    nr3c2 = by_symbol(evidence, rows, "NR3C2")["evidence_data"]

    assert len(evidence) == 125
    assert nr3c2["classifications"] == ["Definitive", "Limited"]
    assert nr3c2["max_classification"] == "Definitive"
    assert nr3c2["validity_count"] == 2
    assert [v["classification"] for v in nr3c2["validities"]] == ["Definitive", "Limited"]
    assert by_symbol(evidence, rows, "NR3C2")["source_detail"] == (
        "ClinGen: 2 curations, max Definitive"
    )


def test_upstream_keys_max_classification_score_and_evidence_score(
    parsed: ParsedEvidence, normaliser: GeneNormaliser
) -> None:
    """Upstream's `max_classification_score` is the weight of the strongest classification
    (Definitive 1.0, Strong 0.8, Moderate 0.6, Limited 0.3, Disputed 0.1, else 0) and its
    `evidence_score` that weight times 100; the real file has every classification."""
    rows = resolve(parsed.rows, normaliser)
    evidence = aggregate(rows)

    genes = Counter(
        (e["max_classification"], e["max_classification_score"], e["evidence_score"])
        for e in evidence["evidence_data"]
    )

    assert genes == {
        ("Definitive", 1.0, 100.0): 97,
        ("Strong", 0.8, 80.0): 3,
        ("Moderate", 0.6, 60.0): 10,
        ("Limited", 0.3, 30.0): 11,
        ("Disputed", 0.1, 10.0): 2,
        ("Refuted", 0.0, 0.0): 1,
        ("No Known Disease Relationship", 0.0, 0.0): 1,
    }
    nr3c2 = by_symbol(evidence, rows, "NR3C2")["evidence_data"]  # Limited and Definitive
    assert (nr3c2["max_classification_score"], nr3c2["evidence_score"]) == (1.0, 100.0)


def _csv(tmp_path: Path, body: str) -> Path:
    banner = (
        '"CLINGEN GENE DISEASE VALIDITY CURATIONS"\n"FILE CREATED: 2026-03-01"\n'
        '"WEBPAGE: https://search.clinicalgenome.org/kb/gene-validity"\n"+++","+++"\n'
    )
    header = (
        '"GENE SYMBOL","GENE ID (HGNC)","DISEASE LABEL","DISEASE ID (MONDO)","MOI","SOP",'
        '"CLASSIFICATION","ONLINE REPORT","CLASSIFICATION DATE","GCEP"\n"+++","+++"\n'
    )
    path = tmp_path / "download"
    path.write_text(banner + header + body, encoding="utf-8")
    return path


def test_bad_rows_become_rejects_with_reasons(tmp_path: Path) -> None:
    gcep = "Glomerulopathy Gene Curation Expert Panel"
    tail = f'"AR","SOP10","{{}}","r","d","{gcep}"\n'
    body = (
        '"NPHS1","HGNC:7908","nephrotic syndrome","MONDO:1",'
        + tail.format("Definitive")
        + '"","","nephrotic syndrome","MONDO:2",'
        + tail.format("Strong")
        + '"NPHS2","HGNC:13394","nephrotic syndrome","MONDO:3",'
        + tail.format("Certain")
        + '"WT1","HGNC:12796","Denys-Drash syndrome"\n'
    )

    parsed = parse({FILE_KEY: _csv(tmp_path, body)})

    assert parsed.release == "2026-03-01"
    assert parsed.rows["symbol"].tolist() == ["NPHS1"]
    assert [(r.where, r.reason) for r in parsed.rejects] == [
        (f"{FILE_KEY}:line 10", "row has 3 cells, the header 10"),
        (f"{FILE_KEY}:line 8", "curation without a gene symbol"),
        (f"{FILE_KEY}:line 9", "unknown classification"),
    ]


def test_a_file_without_the_header_row_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "download"
    path.write_text("<html>Service unavailable</html>\n", encoding="utf-8")

    with pytest.raises(SourceFormatError, match="a header row starting GENE SYMBOL"):
        parse({FILE_KEY: path})


def test_a_missing_file_is_refused() -> None:
    with pytest.raises(SourceFormatError, match="missing from the raw files"):
        parse({})
