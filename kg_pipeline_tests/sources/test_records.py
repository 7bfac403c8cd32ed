"""The shared parsing contract: gzip sniffing, JSON errors, file selection, rejects."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import pytest

from kg_pipeline.raw_files import SourceFormatError, open_text, read_json, read_text
from kg_pipeline.sources.annotations import ParsedAnnotations, annotation_rows
from kg_pipeline.sources.records import (
    NUL_REASON,
    ParsedEvidence,
    Reject,
    clip,
    empty_rows,
    read_table,
    reject_nul_rows,
    require_file,
    select_files,
)


def test_open_text_sniffs_gzip_whatever_the_name(tmp_path: Path) -> None:
    zipped = tmp_path / "3f9a0c"  # raw-store names are hashes: no extension to go by
    zipped.write_bytes(gzip.compress(b"symbol\tPKD1\n"))
    plain = tmp_path / "plain.gz"  # a misleading name must not matter either
    plain.write_text("symbol\tPKD2\n", encoding="utf-8")

    with open_text(zipped) as fh:
        assert fh.read() == "symbol\tPKD1\n"
    with open_text(plain) as fh:
        assert fh.read() == "symbol\tPKD2\n"


def test_read_json_reports_a_truncated_gzip_file_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "page"
    path.write_bytes(gzip.compress(b'{"results": []}')[:-6])

    with pytest.raises(SourceFormatError) as caught:
        read_json("PubTator", "pubtator/search/page-1", path)

    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("PubTator: cannot parse pubtator/search/page-1: unreadable")
    assert message.endswith("the previous PubTator data is kept")


def test_read_json_reports_invalid_json_with_its_position(tmp_path: Path) -> None:
    path = tmp_path / "page"
    path.write_text('{"results": [', encoding="utf-8")

    with pytest.raises(SourceFormatError, match="not valid JSON at line 1"):
        read_json("PanelApp", "panelapp_uk/api/v1/panels/page-1", path)


def test_read_text_rejects_bytes_that_are_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "blob"
    path.write_bytes(b"\xff\xfe\x00binary")

    with pytest.raises(SourceFormatError, match="not UTF-8"):
        read_text("GenCC", "gencc/x", path)


def test_read_table_keeps_every_cell_as_text_and_reports_a_broken_table() -> None:
    table = read_table("X", "x/file", b"id\tname\tn\nA1\t\t007\nB2\tNA\t-\n")
    assert table.to_dict("records") == [
        {"id": "A1", "name": "", "n": "007"},
        {"id": "B2", "name": "NA", "n": "-"},
    ]
    quoted = read_table("X", "x/file", 'id,name\n1,"a, b"\n', sep=",", usecols=lambda c: c != "id")
    assert quoted.to_dict("records") == [{"name": "a, b"}]
    unquoted = read_table("X", "x/file", 'id\n"a\n', quoting=csv.QUOTE_NONE)
    assert unquoted["id"].tolist() == ['"a']

    with pytest.raises(SourceFormatError, match="not a tab-separated table"):
        read_table("X", "x/file", "")
    with pytest.raises(SourceFormatError, match="not a tab-separated table"):
        read_table("X", "x/file", 'id\n"a\n')  # an unbalanced quote swallows the rest
    with pytest.raises(SourceFormatError, match="not a delimited table"):
        read_table("X", "x/file", 'a,b\n"x,1\n', sep=",")


def test_select_files_matches_whole_keys_in_key_order() -> None:
    files = {
        "pubtator/search/page-2": Path("b"),
        "pubtator/search/page-1": Path("a"),
        "pubtator/search/page-1/extra": Path("c"),
        "hpo/hp.obo": Path("d"),
    }

    selected = select_files(files, r"pubtator/search/page-\d+")

    assert list(selected) == ["pubtator/search/page-1", "pubtator/search/page-2"]


def test_require_file_names_the_missing_key() -> None:
    with pytest.raises(SourceFormatError, match="clingen/kb/gene-validity/download: the file"):
        require_file({}, "ClinGen", "clingen/kb/gene-validity/download")


def test_rejects_are_counted_by_reason_and_texts_are_clipped() -> None:
    parsed = ParsedEvidence(
        "ClinGen",
        empty_rows(["classification"]),
        [Reject("a", "no symbol", "x"), Reject("b", "bad", "y"), Reject("c", "no symbol", "z")],
        None,
    )

    assert parsed.rejects_by_reason() == {"no symbol": 2, "bad": 1}
    assert list(parsed.rows.columns) == ["symbol", "reported_hgnc_id", "classification"]
    assert len(clip("x" * 1000)) == 200
    assert clip("a\n  b\tc") == "a b c"


def test_a_row_with_a_nul_byte_nested_in_its_annotation_is_rejected_with_that_text() -> None:
    # What no line reader saw: a NUL in a header's tissue name, now a key of every record.
    parsed = ParsedAnnotations(
        "gtex",
        annotation_rows(
            [1, 2, 3],
            [
                {"tissues": {"Kidney": 1.0}},
                {"tissues": {"Kid\x00ney": 2.0}, "symbol": "PKD2"},
                {"names": ["a", ["b\x00c"]]},
            ],
        ),
        [],
        None,
        reject_counts={"not a number": 4},
    )
    kept = reject_nul_rows(parsed)
    assert kept.rows["gene_id"].tolist() == [1]
    assert [(r.where, r.reason, r.text) for r in kept.rejects] == [
        ("gtex:parsed row 1", NUL_REASON, "Kid\\x00ney"),
        ("gtex:parsed row 2", NUL_REASON, "b\\x00c"),
    ]
    assert kept.rejects_by_reason() == {"not a number": 4, NUL_REASON: 2}
