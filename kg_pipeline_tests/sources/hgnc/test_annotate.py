"""The HGNC annotation on the real complete set (43,882 genes)."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import pandas as pd
import pytest

from kg_pipeline.raw_files import SourceFormatError
from kg_pipeline.sources.annotations import ParsedAnnotations
from kg_pipeline.sources.hgnc.annotate import FILE_KEY, annotate, mane_select
from kg_pipeline_tests.sources.annotation_helpers import (
    annotation,
    assert_contract,
    genes_frame,
)


@pytest.fixture(scope="module")
def parsed(hgnc_file: Path, real_genes: pd.DataFrame) -> ParsedAnnotations:
    return annotate({FILE_KEY: hgnc_file}, real_genes)


def _raw_row(hgnc_file: Path, symbol: str) -> dict[str, str]:
    with gzip.open(hgnc_file, "rt", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            if row["symbol"] == symbol:
                return row
    raise AssertionError(symbol)


def test_every_gene_gets_its_record(parsed: ParsedAnnotations, real_genes: pd.DataFrame) -> None:
    assert_contract(parsed)
    assert parsed.stats["genes_matched"] == len(real_genes) == 43_882
    assert parsed.stats["matched_by_hgnc"] == 43_882
    assert parsed.release == "2024-10-18"  # the latest date_modified of this release
    assert parsed.rejects == []


def test_pkd1_ids_names_and_mane_select(
    parsed: ParsedAnnotations, real_genes: pd.DataFrame, hgnc_file: Path
) -> None:
    pkd1 = annotation(parsed, real_genes, "PKD1")
    raw = _raw_row(hgnc_file, "PKD1")

    assert pkd1["hgnc_id"] == raw["hgnc_id"] == "HGNC:9008"
    assert pkd1["ncbi_gene_id"] == raw["entrez_id"] == "5310"
    assert pkd1["ensembl_gene_id"] == raw["ensembl_gene_id"]
    assert pkd1["omim_ids"] == [raw["omim_id"]]
    assert pkd1["uniprot_ids"] == ["P98161"]
    assert pkd1["name"] == raw["name"]
    assert pkd1["locus_type"] == "gene with protein product"
    assert pkd1["locus_group"] == "protein-coding gene"
    assert pkd1["location"] == "16p13.3"
    assert pkd1["gene_groups"] == raw["gene_group"].strip('"').split("|")
    assert pkd1["alias_symbol"] == ["PBP", "Pc-1", "TRPP1"]
    assert raw["mane_select"] == "ENST00000262304.9|NM_001009944.3"  # one quoted cell
    assert pkd1["mane_select"] == {
        "ensembl_transcript_id": "ENST00000262304.9",
        "refseq_transcript_id": "NM_001009944.3",
    }


def test_upstream_keys_gene_family_and_gene_family_id(
    parsed: ParsedAnnotations, real_genes: pd.DataFrame
) -> None:
    """Upstream's `gene_family` / `gene_family_id` are HGNC's gene groups and their ids
    (integers), in HGNC's order, pairing up by position."""
    families = {
        symbol: (record.get("gene_family"), record.get("gene_family_id"))
        for symbol in ("PKD1", "PAX2", "COL4A5")
        for record in [annotation(parsed, real_genes, symbol)]
    }

    assert families == {
        "PKD1": (
            ["C-type lectin domain containing", "MicroRNA protein coding host genes"],
            [1298, 1691],
        ),
        "PAX2": (["PRD class homeoboxes and pseudogenes", "Paired boxes"], [521, 675]),
        "COL4A5": (["Network forming collagens"], [2249]),
    }


def test_nulls_and_empty_lists_are_dropped(
    parsed: ParsedAnnotations, real_genes: pd.DataFrame
) -> None:
    for record in parsed.rows["annotations"].head(2000):
        assert all(v not in (None, "", []) for v in record.values())
    pkd1 = annotation(parsed, real_genes, "PKD1")
    assert "prev_symbol" not in pkd1  # PKD1 never had another symbol
    assert "cosmic_id" not in pkd1


def test_a_gene_without_mane_select_has_no_such_key(
    parsed: ParsedAnnotations, real_genes: pd.DataFrame
) -> None:
    # A1BG-AS1 is a non-coding RNA: HGNC gives it no MANE Select transcript.
    assert "mane_select" not in annotation(parsed, real_genes, "A1BG-AS1")
    assert (
        annotation(parsed, real_genes, "A1BG")["mane_select"]["refseq_transcript_id"]
        == "NM_130786.4"
    )


def test_rows_match_by_hgnc_id_only(hgnc_file: Path) -> None:
    # Our gene 7 carries PKD1's HGNC id under another symbol; gene 8 has PKD2's symbol but an
    # HGNC id the file does not have: the id decides.
    genes = pd.concat(
        [
            genes_frame((7, "OLDNAME", None, None)).assign(hgnc_id="HGNC:9008"),
            genes_frame((8, "PKD2", None, None)).assign(hgnc_id="HGNC:999999999"),
        ]
    )
    parsed = annotate({FILE_KEY: hgnc_file}, genes)

    assert parsed.rows["gene_id"].tolist() == [7]
    assert parsed.annotation(7)["symbol"] == "PKD1"
    assert parsed.stats["rows_unmatched"] == 43_881


def test_mane_select_pairs_are_read_by_prefix_not_position() -> None:
    assert mane_select(["NM_000296.4", "ENST00000262304.9"]) == {
        "ensembl_transcript_id": "ENST00000262304.9",
        "refseq_transcript_id": "NM_000296.4",
    }
    assert mane_select('"ENST00000263100.8|NM_130786.4"') == {
        "ensembl_transcript_id": "ENST00000263100.8",
        "refseq_transcript_id": "NM_130786.4",
    }
    assert mane_select([]) is None
    assert mane_select(None) is None
    with pytest.raises(ValueError, match="unrecognised"):
        mane_select(["ENST00000262304.9", "XYZ_1"])


def test_a_missing_file_is_a_format_error(real_genes: pd.DataFrame) -> None:
    with pytest.raises(SourceFormatError, match=r"hgnc_complete_set\.txt"):
        annotate({}, real_genes)
