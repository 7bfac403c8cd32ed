"""GTEx v8 median TPM: a gzipped GCT 1.2 file in the release's layout, with real kidney values.

No GTEx file is available offline; the file here has the release's 54 tissue columns and the
R predecessor's real kidney cortex / medulla TPMs for PKD1, PKD2 and UMOD.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from kg_pipeline.devtools.snapshot.gtex import CORTEX, MEDULLA, TISSUES
from kg_pipeline.raw_files import SourceFormatError
from kg_pipeline.sources.gtex.parse import FILE_KEY, annotate, tissue_id
from kg_pipeline_tests.sources.annotation_helpers import (
    assert_contract,
    assert_same_output,
    check_then_load,
    fresh_copies,
    genes_frame,
)

GENES = genes_frame(
    (1, "PKD1", "5310", "ENSG00000008710"),
    (2, "PKD2", "5311", "ENSG00000118762"),
    (3, "UMOD", "7369", "ENSG00000169344"),
    (4, "CD99", "4267", "ENSG00000002586"),
    (5, "NPHS1", "4868", "ENSG00000161270"),
)


def _row(name: str, symbol: str, cortex: str, medulla: str, other: str = "1.5") -> str:
    values = [other] * len(TISSUES)
    values[CORTEX], values[MEDULLA] = cortex, medulla
    return "\t".join([name, symbol, *values])


def _gct(tmp_path: Path, rows: list[str], declared: int | None = None) -> Path:
    lines = [
        "#1.2",
        f"{declared if declared is not None else len(rows)}\t{len(TISSUES)}",
        "\t".join(["Name", "Description", *TISSUES]),
        *rows,
    ]
    path = tmp_path / "9b1e57"  # raw-store names are hashes
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    return path


ROWS = [
    _row("ENSG00000008710.19", "PKD1", "8.34398", "12.0618"),
    _row("ENSG00000118762.7", "PKD2", "15.2634", "27.1696"),
    _row("ENSG00000169344.15", "UMOD", "190.478", "2116.02"),
    # GTEx lists pseudo-autosomal genes twice; the _PAR_Y copy (all zero) must not win.
    _row("ENSG00000002586.19_PAR_Y", "CD99", "0", "0", other="0"),
    _row("ENSG00000002586.19", "CD99", "0.734201", "0.765606"),
    # An Ensembl id that is not ours: the symbol still matches.
    _row("ENSG00000999999.1", "NPHS1", "36.7847", "3.13043"),
    _row("ENSG00000000003.14", "TSPAN6", "1", "2"),
    _row("ENSG00000000005.5", "TNMD", "abc", "2"),
]


def test_tissue_ids_follow_the_api_style() -> None:
    assert tissue_id("Kidney - Cortex") == "Kidney_Cortex"
    assert tissue_id("Adipose - Visceral (Omentum)") == "Adipose_Visceral_Omentum"
    assert tissue_id("Brain - Spinal cord (cervical c-1)") == "Brain_Spinal_cord_cervical_c-1"
    assert tissue_id("Cells - EBV-transformed lymphocytes") == "Cells_EBV-transformed_lymphocytes"
    assert tissue_id("Whole Blood") == "Whole_Blood"


def test_median_tpm_per_tissue_with_kidney_highlighted(tmp_path: Path) -> None:
    parsed = annotate({FILE_KEY: _gct(tmp_path, ROWS)}, GENES)

    assert_contract(parsed)
    assert parsed.release == "v8"
    pkd1 = parsed.annotation(1)
    assert pkd1["kidney_cortex_tpm"] == 8.34398
    assert pkd1["kidney_medulla_tpm"] == 12.0618
    assert pkd1["gencode_id"] == "ENSG00000008710.19"
    assert pkd1["dataset_version"] == "gtex_v8"
    assert len(pkd1["tissues"]) == 54
    # upstream's shape: tissue id -> {median_tpm, unit}
    assert pkd1["tissues"]["Kidney_Cortex"] == {"median_tpm": 8.34398, "unit": "TPM"}
    assert pkd1["tissues"]["Adipose_Visceral_Omentum"] == {"median_tpm": 1.5, "unit": "TPM"}
    assert parsed.annotation(3)["kidney_medulla_tpm"] == 2116.02


def test_matching_par_copies_unmatched_and_malformed_rows(tmp_path: Path) -> None:
    parsed = annotate({FILE_KEY: _gct(tmp_path, ROWS)}, GENES)

    cd99 = parsed.annotation(4)
    assert cd99["gencode_id"] == "ENSG00000002586.19"
    assert cd99["kidney_cortex_tpm"] == 0.734201
    assert parsed.annotation(5)["kidney_cortex_tpm"] == 36.7847
    assert parsed.stats["matched_by_symbol"] == 1
    assert parsed.stats["rows_unmatched"] == 2  # TSPAN6; TNMD is unmatched before its values
    assert parsed.stats["tissues"] == 54
    assert parsed.skipped_by_reason() == {"superseded_by_better_match": 1}
    assert parsed.rows["gene_id"].tolist() == [1, 2, 3, 4, 5]


def test_a_bad_tpm_of_one_of_our_genes_is_rejected(tmp_path: Path) -> None:
    rows = [*ROWS, _row("ENSG00000118762.7", "PKD2", "n.d.", "1")]
    parsed = annotate({FILE_KEY: _gct(tmp_path, rows)}, GENES)

    assert parsed.rejects_by_reason() == {"non-numeric TPM value": 1}
    assert parsed.rejects[0].where.endswith(":12")
    assert parsed.annotation(2)["kidney_cortex_tpm"] == 15.2634


def test_the_load_reuses_the_checks_read_and_gives_what_a_fresh_read_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Rejects of the read (cell counts) and of the load (TPMs of our genes) interleave; a
    # NaN, an infinity and a blank TPM are no value.
    rows = [
        _row("ENSG00000118762.7", "PKD2", "n.d.", "1"),
        "ENSG00000008710.19\tPKD1\t1",
        *ROWS,
        _row("ENSG00000161270.1", "NPHS1", "NaN", "inf", other=""),
        _row("ENSG00000000003.14", "TSPAN6", "1", "1e999"),
        "ENSG00000169344.15\tUMOD",
    ]
    files = {FILE_KEY: _gct(tmp_path, rows)}

    parsed, reads = check_then_load(annotate, files, GENES, monkeypatch)

    assert reads[FILE_KEY] == 1
    assert_same_output(parsed, annotate(fresh_copies(files, tmp_path / "fresh"), GENES))
    assert [r.reason for r in parsed.rejects] == [
        "non-numeric TPM value",
        f"expected {len(TISSUES) + 2} tab-separated cells",
        f"expected {len(TISSUES) + 2} tab-separated cells",
    ]
    assert parsed.annotation(5)["tissues"] == {}  # by its Ensembl id, over the symbol's row


def test_fewer_rows_than_declared_is_a_truncated_file(tmp_path: Path) -> None:
    with pytest.raises(SourceFormatError, match="declares 56200 genes but the file holds 8"):
        annotate({FILE_KEY: _gct(tmp_path, ROWS, declared=56200)}, GENES)


def test_a_file_that_is_not_gct_is_a_format_error(tmp_path: Path) -> None:
    path = tmp_path / "x"
    path.write_text("Name\tDescription\tLiver\nENSG1\tA\t1\n", encoding="utf-8")
    with pytest.raises(SourceFormatError, match=r"not the layout expected \(GCT 1\.2"):
        annotate({FILE_KEY: path}, GENES)
