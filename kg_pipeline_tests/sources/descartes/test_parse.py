"""Descartes fetal kidney expression: the two headerless `GENE,value` tables.

No Descartes table is available offline (the host refuses scripts); the TPMs here are the R
predecessor's real `descartes_kidney_tpm` values, the percentages are made up.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kg_pipeline.raw_files import SourceFormatError
from kg_pipeline.sources.descartes.parse import PERCENTAGE_KEY, TPM_KEY, annotate
from kg_pipeline_tests.sources.annotation_helpers import (
    assert_contract,
    assert_same_output,
    check_then_load,
    fresh_copies,
    genes_frame,
)

GENES = genes_frame(
    (1, "PKD1", "5310", None),
    (2, "PKD2", "5311", None),
    (3, "UMOD", "7369", None),
    (4, "NPHS1", "4868", None),
    (5, "COL4A5", "1287", None),
)

TPM = """PKD1,85.3475340076503
PKD2,252.263924008751
umod,9.90678307333827
NPHS1,72.932035279674
NOTOURS,1.0
PKD2,1.0
COL4A5,lots
"""
PERCENTAGE = """PKD1,0.0465
PKD2,0.1187
NPHS1,0.0231
COL4A5,0.0598
"""


def _files(tmp_path: Path, tpm: str = TPM, percentage: str = PERCENTAGE) -> dict[str, Path]:
    (tmp_path / "a1").write_text(tpm, encoding="utf-8")
    (tmp_path / "b2").write_text(percentage, encoding="utf-8")
    return {TPM_KEY: tmp_path / "a1", PERCENTAGE_KEY: tmp_path / "b2"}


def test_tpm_and_percentage_per_gene(tmp_path: Path) -> None:
    parsed = annotate(_files(tmp_path), GENES)

    assert_contract(parsed)
    assert parsed.release == "human_gtex"
    assert parsed.annotation(1) == {
        "kidney_tpm": 85.3475340076503,
        "kidney_percentage": 0.0465,
        "gene_symbol": "PKD1",
        "cell_type": "kidney",
        "dataset_version": "human_gtex",
    }
    assert parsed.annotation(3)["kidney_tpm"] == 9.90678307333827  # symbol case ignored
    assert "kidney_percentage" not in parsed.annotation(3)
    # COL4A5's TPM is malformed: rejected, its percentage still stands.
    assert parsed.annotation(5) == {
        "kidney_percentage": 0.0598,
        "gene_symbol": "COL4A5",
        "cell_type": "kidney",
        "dataset_version": "human_gtex",
    }


def test_duplicates_unmatched_and_malformed_rows_are_counted(tmp_path: Path) -> None:
    parsed = annotate(_files(tmp_path), GENES)

    assert parsed.annotation(2)["kidney_tpm"] == 252.263924008751  # the first PKD2 row stays
    assert parsed.skipped_by_reason() == {"duplicate": 1}
    assert parsed.stats["rows_unmatched"] == 1
    assert parsed.rejects_by_reason() == {"non-numeric value": 1}
    assert parsed.rejects[0].where == f"{TPM_KEY}:7"
    assert parsed.stats["kidney_tpm_rows"] == 7
    assert parsed.stats["kidney_percentage_rows"] == 4


def test_quoted_cells_are_read_as_csv(tmp_path: Path) -> None:
    # Lines without a quote are split at the commas; a quoted one goes through the csv reader.
    tpm = '"PKD1",1.5\n"PKD2","2,5"\n"UMOD,X",3.0\nNPHS1,"4.0"\n'
    parsed = annotate(_files(tmp_path, tpm=tpm), GENES)

    assert parsed.annotation(1)["kidney_tpm"] == 1.5
    assert parsed.annotation(4)["kidney_tpm"] == 4.0
    assert "kidney_tpm" not in parsed.annotation(2)  # "2,5" is one cell, not a number
    assert parsed.rejects_by_reason() == {"non-numeric value": 1}
    assert parsed.stats["rows_unmatched"] == 1  # the symbol `UMOD,X`


def test_a_header_line_is_tolerated(tmp_path: Path) -> None:
    parsed = annotate(_files(tmp_path, tpm="gene,tpm\n" + TPM), GENES)

    assert parsed.skipped_by_reason()["header_line"] == 1
    assert parsed.annotation(1)["kidney_tpm"] == 85.3475340076503


def test_a_missing_or_empty_table_stops_the_load(tmp_path: Path) -> None:
    files = _files(tmp_path, percentage="<html>Access denied</html>\n")
    with pytest.raises(SourceFormatError, match=r"tissue_percentage/kidney\.csv"):
        annotate(files, GENES)
    with pytest.raises(SourceFormatError, match="missing"):
        annotate({TPM_KEY: files[TPM_KEY]}, GENES)


def test_the_load_reuses_the_checks_reads_and_gives_what_fresh_reads_give(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A header, a missing value after the first match, a NUL, junk and a duplicate.
    tpm = "gene,tpm\n" + TPM + "UMOD,NA\nPKD1\x00,1\nPKD1,1,2\n"
    files = _files(tmp_path, tpm=tpm, percentage=PERCENTAGE + "NPHS1,NA\n")

    parsed, reads = check_then_load(annotate, files, GENES, monkeypatch)

    assert reads[TPM_KEY] == reads[PERCENTAGE_KEY] == 1
    assert_same_output(parsed, annotate(fresh_copies(files, tmp_path / "fresh"), GENES))
    assert list(parsed.stats)[4:7] == [
        "skipped_header_line",
        "matched_by_symbol",
        "skipped_duplicate",
    ]
    assert parsed.skipped_by_reason()["missing_value"] == 2
