"""The shared parsing contract: gzip sniffing, JSON errors, file selection, rejects, and the
JSON clean-up and NUL mask (their orjson paths checked against the walks in Python)."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import math
import random
import struct
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum, IntEnum, StrEnum
from pathlib import Path
from types import MappingProxyType

import numpy as np
import orjson
import pandas as pd
import pytest

from kg_pipeline.raw_files import SourceFormatError, open_text, read_json, read_text
from kg_pipeline.sources.annotations import ParsedAnnotations, annotation_rows
from kg_pipeline.sources.records import (
    _PLAIN_JSON,
    NUL_REASON,
    ParsedEvidence,
    Reject,
    _holds_nul,
    _json_walk,
    _nul_texts,
    clip,
    empty_rows,
    json_value,
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


# --- json_value and the NUL mask: orjson's path against the walk --------------------------------


class _Text(str):
    pass


class _Number(int):
    pass


class _Real(float):
    pass


class _Colour(Enum):
    RED = "r\x00d"
    BLUE = (1, 2)


class _Level(IntEnum):
    HIGH = 3


class _Kind(StrEnum):
    DOMINANT = "AD"


@dataclass
class _Point:
    x: int


def _nested(depth: int, leaf: object) -> object:
    value = leaf
    for _ in range(depth):
        value = [value]
    return value


# Documents orjson writes itself: each one takes the C path, so its agreement is a real check.
PLAIN = [
    {"nan": math.nan, "inf": math.inf, "-inf": -math.inf, "zero": -0.0},
    [5e-324, 1.7976931348623157e308, 0.1, 1 / 3, 2.5e-8, 1e16, 123456789.123456789],
    {"big": [2**63 - 1, 2**63, 2**64 - 1, -(2**63), 0, -1]},
    {"t": True, "f": False, "none": None, "empty": {}, "list": [], "text": ""},
    {"tuple": (1, (2.0, "x"), ()), "nested": {"a": {"b": [{"c": (math.nan,)}]}}},
    {"nul": "a\x00b", "k\x00y": 1, "spelt": "\\u0000", "ctl": "\x01\x1f\x7f\u2028"},
    {"unicode": "Größe \U0001d538 \U0001f9ec", "é": ["ä", "\ufeff"]},
    {"enum": _Colour.BLUE, "int enum": _Level.HIGH, "str enum": _Kind.DOMINANT},
    {"uuid": uuid.UUID("12345678-1234-5678-1234-567812345678")},
    _nested(253, {"deep": 1.5}),
]
# Documents orjson refuses somewhere inside: the walk cleans them whole.
REFUSED = [
    {"numpy": [np.float64(1.5), np.float32(0.1), np.int64(-4), np.bool_(True), np.float64("nan")]},
    {"array": np.array([1.5, np.nan]), "na": pd.NA, "nat": pd.NaT, "ts": pd.Timestamp(0)},
    {"set": {3, 1, 2}, "mixed": {1, "a", 2.5}, "frozen": frozenset({"b", "a"})},
    {1: "int key", 2.5: "float key", False: "bool key", None: "none key"},
    {"date": dt.date(2024, 2, 29), "time": dt.time(1, 2), "at": dt.datetime(2024, 1, 1, 12)},
    {"decimal": Decimal("1.10"), "point": _Point(1), "bytes": b"x\x00", "complex": 1j},
    {"text": [_Text("a\x00")]},  # each subclass alone: one orjson refused would hide the others
    {"number": _Number(5)},
    {"real": [_Real(1.5), _Real("nan")]},
    {_Text("key"): 1},
    {"ordered": OrderedDict(b=1, a=math.inf), "proxy": MappingProxyType({"x": (1,)})},
    {"too big": [2**64, -(2**63) - 1, 10**40]},
    {"surrogate": "\ud800", "plain enum": _Colour.RED},
    _nested(300, {"deep": math.nan}),
]


def _random_document(rng: random.Random, depth: int = 0) -> object:
    """A nested document of the plain leaves, with the odd one orjson refuses."""
    leaves = [
        math.nan,
        -0.0,
        rng.uniform(-1e6, 1e6),
        struct.unpack("<d", rng.randbytes(8))[0],
        rng.randint(-(2**63), 2**64 - 1),
        rng.choice([True, False, None, "", "a\x00", "PKD1", "\\u0000"]),
        (rng.random(),),
    ]
    if rng.random() < 0.02:
        leaves.append(rng.choice([np.float64(0.5), {1, 2}, pd.NA, 2**70, Decimal("2")]))
    if depth > 4 or rng.random() < 0.4:
        return rng.choice(leaves)
    if rng.random() < 0.5:
        return [_random_document(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {
        rng.choice(["a", "b", "c\x00", "d"]) + str(i): _random_document(rng, depth + 1)
        for i in range(rng.randint(0, 4))
    }


def _identical(a: object, b: object) -> bool:
    """The same document down to each value's type and each float's bits (-0.0, NaN)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return struct.pack("<d", a) == struct.pack("<d", b)
    if isinstance(a, dict):
        return (
            list(a) == list(b)
            and all(type(k) is str for k in a)
            and all(_identical(a[k], b[k]) for k in a)
        )
    if isinstance(a, list):
        return len(a) == len(b) and all(map(_identical, a, b))
    return a == b


def test_orjson_writes_the_plain_documents_and_refuses_the_others() -> None:
    # What the C paths rely on; an orjson that changed what it writes would show here first.
    for document in PLAIN:
        orjson.dumps(document, option=_PLAIN_JSON)
    for document in REFUSED:
        with pytest.raises(orjson.JSONEncodeError):
            orjson.dumps(document, option=_PLAIN_JSON)


@pytest.mark.parametrize("document", PLAIN + REFUSED)
def test_json_value_is_the_walk_for_every_document(document: object) -> None:
    assert _identical(json_value(document), _json_walk(document))


def test_json_value_is_the_walk_for_random_documents() -> None:
    rng = random.Random(20240229)
    for _ in range(2000):
        document = {"doc": _random_document(rng)}
        assert _identical(json_value(document), _json_walk(document)), document


def test_json_value_cleans_what_the_walk_cleans() -> None:
    # The agreement above would also hold for two paths that both kept NaN or a tuple.
    plain = {"nan": math.nan, "inf": -math.inf, "t": (1, (2.0,)), "e": _Colour.BLUE}
    assert json_value(plain) == {"nan": None, "inf": None, "t": [1, [2.0]], "e": [1, 2]}
    enums = json_value([_Level.HIGH, _Kind.DOMINANT])
    assert enums == [3, "AD"]
    assert [type(v) for v in enums] == [int, str]
    keys = {1: "int", 2.5: "float", False: "bool", None: "none"}
    assert json_value(keys) == {"1": "int", "2.5": "float", "False": "bool", "None": "none"}
    others = {"s": "\ud800", "e": _Colour.RED, "d": dt.date(2024, 2, 29), "n": np.float32(0.5)}
    assert json_value(others) == {"s": "\ud800", "e": "r\x00d", "d": "2024-02-29", "n": 0.5}


def test_json_value_of_a_document_nested_too_deep_for_python_fails_as_the_walk_does() -> None:
    with pytest.raises(RecursionError):
        json_value(_nested(5000, 1))


def _walk_holds_nul(value: object) -> bool:
    return any(True for _ in _nul_texts(value))


@pytest.mark.parametrize("document", PLAIN + REFUSED)
def test_the_nul_mask_agrees_with_the_walk_for_every_document(document: object) -> None:
    assert _holds_nul(document) is _walk_holds_nul(document)
    for wrapped in ({"x": document}, [document], {"x\x00": document}, ["\x00", document]):
        assert _holds_nul(wrapped) is _walk_holds_nul(wrapped)


def test_the_nul_mask_sees_a_nul_wherever_it_is_and_only_a_real_one() -> None:
    holding = [
        {"k\x00": 1},
        {"a": {"b": ["c", ("d\x00",)]}},
        [_nested(200, "\x00")],
        {"set": {"a\x00"}},  # refused by orjson: the walk finds it
        {1: "\x00"},
        [_Text("\x00")],
        {"kind": _Kind.DOMINANT, "x": "\x00"},
    ]
    free = [
        {"spelt": "\\u0000", "escaped": "\\\\u0000"},  # the escape's text, not the byte
        {"plain enum": _Colour.RED},  # a member is not a text: the walk does not open it
        {"bytes": b"\x00", "nan": math.nan},
        [],
    ]
    assert [_holds_nul(v) for v in holding] == [True] * len(holding)
    assert [_walk_holds_nul(v) for v in holding] == [True] * len(holding)
    assert [_holds_nul(v) for v in free] == [False] * len(free)
    assert [_walk_holds_nul(v) for v in free] == [False] * len(free)


def test_the_nul_mask_agrees_with_the_walk_for_random_documents() -> None:
    rng = random.Random(7)
    for _ in range(2000):
        document = _random_document(rng)
        assert _holds_nul(document) is _walk_holds_nul(document), document
