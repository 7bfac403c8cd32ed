"""HGNC complete set: columns by name, multi-values as lists, tolerance for column changes."""

from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd
import pytest

from kg_pipeline.raw_files import SourceFormatError
from kg_pipeline.sources.hgnc.parse import (
    COMPLETE_SET_COLUMNS,
    EXPECTED_COLUMNS,
    MULTI_VALUED_COLUMNS,
    REQUIRED_COLUMNS,
    parse_complete_set,
)


def test_the_real_complete_set_parses_every_gene(hgnc_complete_set: pd.DataFrame) -> None:
    assert len(hgnc_complete_set) == 43_882
    assert hgnc_complete_set["hgnc_id"].is_unique
    assert set(hgnc_complete_set["status"]) == {"Approved"}
    assert {"location_sortable", "entrez_id", "ensembl_gene_id", "mane_select"} <= set(
        hgnc_complete_set.columns
    )


def test_the_layout_is_the_real_release_header_and_holds_every_column_read(
    hgnc_file: Path,
) -> None:
    with gzip.open(hgnc_file, "rt", encoding="utf-8") as fh:
        header = tuple(fh.readline().rstrip("\n").split("\t"))

    assert header == COMPLETE_SET_COLUMNS
    assert {*REQUIRED_COLUMNS, *EXPECTED_COLUMNS, *MULTI_VALUED_COLUMNS} <= set(header)


def test_multi_valued_fields_become_lists(hgnc_complete_set: pd.DataFrame) -> None:
    pkd1 = hgnc_complete_set.set_index("symbol").loc["PKD1"]
    a1bg_as1 = hgnc_complete_set.set_index("symbol").loc["A1BG-AS1"]

    assert pkd1["hgnc_id"] == "HGNC:9008"
    assert pkd1["alias_symbol"] == ["PBP", "Pc-1", "TRPP1"]
    assert pkd1["prev_symbol"] == []
    assert a1bg_as1["prev_symbol"] == ["NCRNA00181", "A1BGAS", "A1BG-AS"]
    assert pkd1["entrez_id"] == "5310"


def _small_release(hgnc_file: Path, tmp_path: Path, drop: str | None, compress: bool) -> Path:
    """The first genes of the real file, optionally without one column, as a new file."""
    with gzip.open(hgnc_file, "rt", encoding="utf-8") as fh:
        lines = [next(fh) for _ in range(6)]
    header = lines[0].rstrip("\n").split("\t")
    keep = [i for i, name in enumerate(header) if name != drop]
    # newer releases also reorder columns: reverse them to prove nothing is positional
    keep.reverse()
    text = "".join(
        "\t".join(line.rstrip("\n").split("\t")[i] for i in keep) + "\n" for line in lines
    )
    path = tmp_path / "a1b2c3"
    path.write_bytes(gzip.compress(text.encode()) if compress else text.encode())
    return path


def test_a_release_without_location_sortable_still_parses(hgnc_file: Path, tmp_path: Path) -> None:
    small = _small_release(hgnc_file, tmp_path, "location_sortable", compress=False)
    genes = parse_complete_set(small)

    assert len(genes) == 5
    assert genes["location_sortable"].isna().all()
    assert genes.loc[genes["symbol"].eq("A1BG"), "location"].item() == "19q13.43"
    assert genes.loc[genes["symbol"].eq("A1CF"), "alias_symbol"].item()[:2] == ["ACF", "ASP"]


def test_a_release_without_symbols_is_refused(hgnc_file: Path, tmp_path: Path) -> None:
    with pytest.raises(SourceFormatError, match=r"HGNC: .*; missing symbol\)"):
        parse_complete_set(_small_release(hgnc_file, tmp_path, "symbol", compress=True))


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty"
    path.write_text("hgnc_id\tsymbol\tstatus\n", encoding="utf-8")

    with pytest.raises(SourceFormatError, match="no genes"):
        parse_complete_set(path)
