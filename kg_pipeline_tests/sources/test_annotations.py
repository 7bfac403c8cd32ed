"""The shared annotation contract: gene matching, the per-gene collector, values, streaming."""

from __future__ import annotations

import gzip
import itertools
import math
from pathlib import Path

import numpy as np
import pytest

from kg_pipeline.raw_files import SourceFormatError
from kg_pipeline.sources.annotations import (
    MAX_REJECT_SAMPLES,
    NO_GENE_INDEX,
    AnnotationCollector,
    GeneIndex,
    MatchKey,
    iter_lines,
    parse_float,
    parse_floats,
    parse_int,
)
from kg_pipeline.sources.records import json_value
from kg_pipeline_tests.sources.annotation_helpers import assert_contract, genes_frame

GENES = genes_frame(
    (1, "PKD1", "5310", "ENSG00000008710"),
    (2, "PKD2", "5311", "ENSG00000118762"),
    (3, "NPHS1", None, None),
)


def test_gene_index_prefers_ids_and_falls_back_to_the_symbol() -> None:
    index = GeneIndex(GENES)

    assert index.match(ensembl_id="ENSG00000008710.20") == (1, MatchKey.ENSEMBL)
    assert index.match(entrez_id="5311", symbol="PKD1") == (2, MatchKey.ENTREZ)
    assert index.match(hgnc_id="hgnc:3") == (3, MatchKey.HGNC)
    # An id none of our genes has does not block the symbol, matched case-insensitively.
    assert index.match(entrez_id="999999", symbol="nphs1") == (3, MatchKey.SYMBOL)
    assert index.match(entrez_id="999999", symbol="NOPE") is None


def test_gene_index_ignores_missing_ids_of_any_kind() -> None:
    frame = GENES.assign(entrez_id=[5310.0, float("nan"), None])  # as a careless reader makes
    index = GeneIndex(frame)

    assert index.match(entrez_id="5310") == (1, MatchKey.ENTREZ)
    assert "nan" not in index.entrez
    assert len(index.entrez) == 1


def test_the_collector_keeps_the_most_reliable_match_and_counts_the_rest() -> None:
    collector = AnnotationCollector("gnomad", GeneIndex(GENES))
    index = collector.index

    collector.offer(index.match(symbol="PKD1"), {"v": "by symbol"})
    collector.offer(index.match(entrez_id="5310"), {"v": "by entrez"})
    collector.offer(index.match(entrez_id="5310"), {"v": "second entrez row"})
    collector.offer(index.match(symbol="PKD1"), {"v": "late symbol row"})
    collector.unmatched(2)
    parsed = collector.finish("v1")

    assert_contract(parsed)
    assert parsed.annotation(1) == {"v": "by entrez"}
    assert parsed.stats["rows_matched"] == 4
    assert parsed.stats["matched_by_entrez"] == 2
    assert parsed.stats["rows_unmatched"] == 2
    assert parsed.skipped_by_reason() == {"superseded_by_better_match": 2, "duplicate": 1}


def test_the_collector_merges_equal_rows_when_asked() -> None:
    collector = AnnotationCollector("mpo_mgi", GeneIndex(GENES))
    match = collector.index.match(symbol="PKD2")

    def merge(kept: dict, new: dict) -> dict:
        return {"terms": sorted(set(kept["terms"]) | set(new["terms"]))}

    collector.offer(match, {"terms": ["MP:2"]}, merge=merge)
    collector.offer(match, {"terms": ["MP:1"]}, merge=merge)

    assert collector.finish(None).annotation(2) == {"terms": ["MP:1", "MP:2"]}


def _merge_terms(kept: dict, new: dict) -> dict:
    return {"terms": kept["terms"] | new["terms"]}


def test_a_run_of_rows_offered_at_once_counts_and_keeps_as_row_by_row() -> None:
    # PKD1 by symbol, then better by Entrez, then a worse symbol run after it: every outcome of
    # an offer (kept, replacing, merged, superseded) for runs of several rows.
    index = GeneIndex(GENES)
    by_symbol, by_entrez = index.match(symbol="PKD1"), index.match(entrez_id="5310")
    runs = [
        (by_symbol, [{"MP:1"}, {"MP:2"}]),
        (by_entrez, [{"MP:3"}, {"MP:4"}, {"MP:3"}]),
        (by_symbol, [{"MP:5"}, {"MP:6"}]),
        (by_entrez, [{"MP:7"}]),
    ]
    one_by_one = AnnotationCollector("mpo_mgi", index)
    at_once = AnnotationCollector("mpo_mgi", index)
    for match, rows in runs:
        for terms in rows:
            one_by_one.offer(match, {"terms": set(terms)}, merge=_merge_terms)
        merged = {"terms": set().union(*rows)}
        at_once.offer(match, merged, merge=_merge_terms, rows=len(rows))

    expected, got = one_by_one.finish(None), at_once.finish(None)
    assert got.annotation(1) == expected.annotation(1) == {"terms": ["MP:3", "MP:4", "MP:7"]}
    assert got.stats == expected.stats
    assert got.skipped_by_reason() == {"superseded_by_better_match": 3}


def test_a_run_of_rows_needs_their_merge() -> None:
    collector = AnnotationCollector("hpo", GeneIndex(GENES))
    with pytest.raises(ValueError, match="merge"):
        collector.offer(collector.index.match(symbol="PKD1"), {"terms": set()}, rows=2)


def test_rejects_are_sampled_per_reason_but_always_counted() -> None:
    collector = AnnotationCollector("string_ppi", GeneIndex(GENES))
    for i in range(MAX_REJECT_SAMPLES + 50):
        collector.reject(f"f:{i}", "expected three fields", "x" * 500)
    collector.reject("f:x", "other", "y")
    parsed = collector.finish(None)

    assert len(parsed.rejects) == MAX_REJECT_SAMPLES + 1
    assert parsed.rejects_by_reason() == {
        "expected three fields": MAX_REJECT_SAMPLES + 50,
        "other": 1,
    }
    assert parsed.stats["rows_rejected"] == MAX_REJECT_SAMPLES + 51
    assert len(parsed.rejects[0].text) <= 200


def test_a_replayed_read_counts_and_samples_as_reading_its_rows_here() -> None:
    def reads(collector: AnnotationCollector, first: bool, second: bool) -> None:
        if first:
            collector.skip("header_line")
            for i in range(80):
                collector.reject(f"a:{i}", "bad", "x")
        if second:
            collector.stats["genotype_rows_read"] += 3
            for i in range(70):
                collector.reject(f"b:{i}", "bad" if i % 2 else "worse", "y")
            collector.skip("header_line")

    direct = AnnotationCollector("mpo_mgi", GeneIndex(GENES))
    direct.unmatched()
    reads(direct, True, True)
    logs = []
    for first, second in ((True, False), (False, True)):
        read = AnnotationCollector("mpo_mgi", NO_GENE_INDEX)
        reads(read, first, second)
        logs.append(read.log())
    replayed = AnnotationCollector("mpo_mgi", GeneIndex(GENES))
    replayed.unmatched()
    for log in logs:
        replayed.replay(log)

    expected, parsed = direct.finish(None), replayed.finish(None)
    assert list(parsed.stats.items()) == list(expected.stats.items())
    assert parsed.rejects == expected.rejects
    assert len(parsed.rejects) == MAX_REJECT_SAMPLES + 35
    assert list(parsed.reject_counts.items()) == list(expected.reject_counts.items())


def test_tab_rows_count_split_and_reject_by_cell_count() -> None:
    lines = list(enumerate(["a\tb\tc", "", "  ", "a\tb", "a\tb\tc\td", "x\ty\tz"], start=2))

    exact = AnnotationCollector("test", GeneIndex(GENES))
    rows = list(exact.tab_rows(lines, "f", cells=3))
    assert rows == [(2, ["a", "b", "c"], "a\tb\tc"), (7, ["x", "y", "z"], "x\ty\tz")]
    assert exact.stats["rows_read"] == 4  # blank lines are not rows
    parsed = exact.finish(None)
    assert parsed.rejects_by_reason() == {"expected 3 tab-separated cells": 2}
    assert [(r.where, r.text) for r in parsed.rejects] == [
        ("f:5", "2 cells: a b"),  # clipped: tabs read as spaces
        ("f:6", "4 cells: a b c d"),
    ]

    wide = AnnotationCollector("test", GeneIndex(GENES))
    rows = list(wide.tab_rows(lines, "f", at_least=3, count="proteins_read"))
    assert [number for number, _, _ in rows] == [2, 6, 7]
    assert wide.stats == {"proteins_read": 4}
    assert wide.finish(None).rejects_by_reason() == {"too few tab-separated cells": 1}

    blank = AnnotationCollector("test", GeneIndex(GENES))
    assert list(blank.tab_rows(enumerate(["", "  "]), "f", cells=3)) == []
    assert blank.stats == {}  # no row read: no count listed


def test_tab_rows_split_only_the_leading_cells_but_count_them_all() -> None:
    lines = list(enumerate(["a\tb\tc", "a\tb", "a\tb\tc\td", "x\ty\tz", "p\tq\t"], start=2))

    whole = AnnotationCollector("test", GeneIndex(GENES))
    expected = list(whole.tab_rows(lines, "f", cells=3))
    leading = AnnotationCollector("test", GeneIndex(GENES))
    rows = list(leading.tab_rows(lines, "f", cells=3, leading=1))

    assert rows == [
        (2, ["a", "b\tc"], "a\tb\tc"),
        (5, ["x", "y\tz"], "x\ty\tz"),
        (6, ["p", "q\t"], "p\tq\t"),
    ]
    assert [(n, line.split("\t"), line) for n, _, line in rows] == expected
    assert leading.stats == whole.stats
    assert leading.finish(None).rejects == whole.finish(None).rejects


def test_json_value_makes_values_storable() -> None:
    value = {
        "a": np.float64(1.5),
        "b": float("nan"),
        "c": math.inf,
        "d": {3, 1, 2},
        "e": (np.int64(4),),
        5: None,
    }
    assert json_value(value) == {
        "a": 1.5,
        "b": None,
        "c": None,
        "d": [1, 2, 3],
        "e": [4],
        "5": None,
    }
    assert type(json_value(np.int64(4))) is int


def test_parse_float_and_int_read_the_text_exactly() -> None:
    assert parse_float("8.9436e-40") == 8.9436e-40
    assert parse_float(" NA ") is None
    assert parse_float("") is None
    assert parse_float("inf") is None
    assert parse_int("-", missing=0) == 0
    assert parse_int("774") == 774
    with pytest.raises(ValueError):
        parse_float("high")
    with pytest.raises(ValueError):
        parse_int("7.5")


FLOAT_TEXTS = ["1", " 2.5 ", "\t3\n", "\u20031.5", "1_000", "1e308", "NaN", "nan", "inf", "-inf",
               "Infinity", "1e400", "-1e400", "", "NA", "N/A", "-", ".", "abc", "0x1"]  # fmt: skip


@pytest.mark.parametrize("size", [1, 2, 3])
def test_parse_floats_reads_each_text_as_parse_float_does(size: int) -> None:
    for texts in itertools.product(FLOAT_TEXTS, repeat=size):
        try:
            expected: object = [parse_float(text) for text in texts]
        except ValueError as exc:
            expected = str(exc)
        try:
            found: object = list(parse_floats(texts))
        except ValueError as exc:
            found = str(exc)
        assert found == expected, texts


def test_iter_lines_streams_gzip_and_reports_truncation(tmp_path: Path) -> None:
    good = tmp_path / "a1b2"
    good.write_bytes(gzip.compress(b"h\r\nx\ny"))
    assert list(iter_lines("gtex", "gtex/file", good)) == [(1, "h"), (2, "x"), (3, "y")]

    truncated = tmp_path / "c3d4"
    truncated.write_bytes(gzip.compress(b"row\n" * 50_000)[:-40])
    with pytest.raises(
        SourceFormatError, match="gtex: cannot parse gtex/file: unreadable or trunc"
    ):
        list(iter_lines("gtex", "gtex/file", truncated))
