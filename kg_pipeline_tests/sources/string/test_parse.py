"""STRING PPI: a hand-computed 4-gene network, percent ranks, the plain and `.detailed` links
layouts, the real v12 protein info, and a 2-million-line stream.

The real v12 protein info is in the real data; no STRING links file is available offline, so
the links here are written in the v12 layouts (space-separated, a header line, both
directions of every link: `protein1 protein2 combined_score`, or the `.detailed` variants
with the evidence channels' subscores before `combined_score`).
"""

from __future__ import annotations

import gzip
import json
import math
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest

from kg_pipeline.raw_files import SourceFormatError
from kg_pipeline.sources.string.parse import (
    INFO_KEY,
    LINKS_KEYS,
    annotate,
    percent_ranks,
    read_protein_names,
)
from kg_pipeline_tests.sources.annotation_helpers import (
    assert_contract,
    assert_same_output,
    check_then_load,
    fresh_copies,
    genes_frame,
)

LINKS_KEY = LINKS_KEYS["physical"]

GENES = genes_frame(
    (1, "PKD1", "5310", None),
    (2, "PKD2", "5311", None),
    (3, "NPHS1", "4868", None),
    (4, "UMOD", "7369", None),
    (5, "ACTB", "60", None),
    (6, "NOTINSTRING", None, None),
)
SCORES = {1: 80.0, 2: 60.0, 3: 50.0, 4: 20.0, 5: 0.0, 6: 10.0, 99: 70.0}
"""gene_scores.percentage_score: ACTB is no kidney gene; 99 is not in the genes frame."""

INFO = """#string_protein_id\tpreferred_name\tprotein_size\tannotation
9606.ENSP00000262304\tPKD1\t4303\tPolycystin-1; Component of a heteromeric calcium channel.
9606.ENSP00000237596\tPKD2\t968\tPolycystin-2; Component of a heteromeric calcium channel.
9606.ENSP00000999999\tPKD2\t900\tPolycystin-2, a second protein of the same gene.
9606.ENSP00000368965\tNPHS1\t1241\tNephrin; Seems to play a role in the development.
9606.ENSP00000302958\tUMOD\t640\tUromodulin; Functions in biogenesis and organization.
9606.ENSP00000494750\tACTB\t375\tActin, cytoplasmic 1.
9606.ENSP00000000233\tARF5\t180\tADP-ribosylation factor 5.
"""

_LINKS = [
    ("9606.ENSP00000262304", "9606.ENSP00000237596", 900),  # PKD1-PKD2
    ("9606.ENSP00000262304", "9606.ENSP00000999999", 950),  # PKD1-PKD2 (2nd protein): kept
    ("9606.ENSP00000262304", "9606.ENSP00000368965", 500),  # PKD1-NPHS1
    ("9606.ENSP00000262304", "9606.ENSP00000302958", 399),  # PKD1-UMOD: below 400
    ("9606.ENSP00000237596", "9606.ENSP00000368965", 700),  # PKD2-NPHS1
    ("9606.ENSP00000368965", "9606.ENSP00000302958", 820),  # NPHS1-UMOD
    ("9606.ENSP00000262304", "9606.ENSP00000494750", 999),  # PKD1-ACTB: ACTB is no kidney gene
    ("9606.ENSP00000237596", "9606.ENSP00000999999", 990),  # PKD2-PKD2: the same gene
    ("9606.ENSP00000000233", "9606.ENSP00000262304", 800),  # ARF5 is not ours
]
LINKS = "protein1 protein2 combined_score\n" + "".join(
    f"{a} {b} {s}\n{b} {a} {s}\n" for a, b, s in _LINKS
)


def _files(tmp_path: Path, info: str = INFO, links: str = LINKS) -> dict[str, Path]:
    (tmp_path / "info").write_bytes(gzip.compress(info.encode()))
    (tmp_path / "links").write_bytes(gzip.compress(links.encode()))
    return {INFO_KEY: tmp_path / "info", LINKS_KEY: tmp_path / "links"}


def test_ppi_scores_of_a_hand_computed_network(tmp_path: Path) -> None:
    parsed = annotate(_files(tmp_path), GENES, SCORES)

    # By hand, weighted = combined_score / 1000 * partner percentage:
    # PKD1: PKD2 0.95*60 = 57, NPHS1 0.5*50 = 25             -> 82 / sqrt(2)
    # PKD2: PKD1 0.95*80 = 76, NPHS1 0.7*50 = 35             -> 111 / sqrt(2)
    # NPHS1: PKD1 0.5*80 = 40, PKD2 0.7*60 = 42, UMOD 0.82*20 = 16.4 -> 98.4 / sqrt(3)
    # UMOD: NPHS1 0.82*50 = 41                                -> 41 / sqrt(1)
    expected = {1: 82 / math.sqrt(2), 2: 111 / math.sqrt(2), 3: 98.4 / math.sqrt(3), 4: 41.0}
    assert_contract(parsed)
    assert parsed.release == "v12.0 physical"
    assert sorted(parsed.rows["gene_id"]) == [1, 2, 3, 4]  # no ACTB (score 0), no NOTINSTRING
    for gene_id, score in expected.items():
        assert parsed.annotation(gene_id)["ppi_score"] == pytest.approx(score, rel=1e-12)
    # Percent rank over the four positive scores: UMOD < NPHS1 < PKD1 < PKD2.
    assert {g: parsed.annotation(g)["ppi_percentile"] for g in expected} == pytest.approx(
        {4: 0.0, 3: 1 / 3, 1: 2 / 3, 2: 1.0}
    )


def test_interactions_and_summary(tmp_path: Path) -> None:
    parsed = annotate(_files(tmp_path), GENES, SCORES)

    pkd1 = parsed.annotation(1)
    assert pkd1["ppi_degree"] == 2
    assert pkd1["interactions"] == [
        {"partner_symbol": "PKD2", "string_score": 950, "partner_evidence": 60.0,
         "weighted_score": pytest.approx(57.0)},
        {"partner_symbol": "NPHS1", "string_score": 500, "partner_evidence": 50.0,
         "weighted_score": pytest.approx(25.0)},
    ]  # fmt: skip
    assert pkd1["summary"] == {
        "total_interactions": 2,
        "raw_sum": 1450,
        "weighted_sum": pytest.approx(82.0),
        "avg_string_score": 725.0,
        "strong_interactions": 1,
    }
    assert parsed.annotation(3)["summary"]["strong_interactions"] == 1  # NPHS1-UMOD 820


def test_counts_of_what_the_stream_left_out(tmp_path: Path) -> None:
    parsed = annotate(_files(tmp_path), GENES, SCORES)

    assert parsed.stats["rows_read"] == 18
    assert parsed.stats["rows_unmatched"] == 4  # ACTB and ARF5, both directions
    assert parsed.skipped_by_reason() == {"below_min_score": 2, "same_gene": 2}
    assert parsed.stats["gene_pairs"] == 4
    assert parsed.stats["kidney_genes"] == 5
    assert parsed.stats["kidney_genes_not_in_string"] == 1
    assert parsed.stats["scores_not_in_genes"] == 1
    assert parsed.stats["proteins_matched"] == 6


def test_min_score_is_a_parameter(tmp_path: Path) -> None:
    parsed = annotate(_files(tmp_path), GENES, SCORES, min_score=900)

    assert parsed.annotation(1)["ppi_degree"] == 1
    assert parsed.annotation(1)["ppi_score"] == pytest.approx(57.0)
    # UMOD has no partner at 900: score 0, no percentile.
    assert parsed.annotation(4)["ppi_score"] == 0.0
    assert parsed.annotation(4)["ppi_percentile"] is None
    assert parsed.annotation(4)["interactions"] == []


def test_percent_ranks_share_the_lowest_rank_on_ties() -> None:
    assert percent_ranks({1: 1.0, 2: 2.0, 3: 2.0, 4: 3.0}) == {1: 0.0, 2: 1 / 3, 3: 1 / 3, 4: 1.0}
    assert percent_ranks({7: 5.0}) == {7: 0.0}
    assert percent_ranks({}) == {}


def test_malformed_links_are_rejected_and_a_bad_header_stops(tmp_path: Path) -> None:
    links = LINKS + "9606.ENSP00000262304 9606.ENSP00000368965\n"
    links += "9606.ENSP00000262304 9606.ENSP00000368965 high\n"
    parsed = annotate(_files(tmp_path, links=links), GENES, SCORES)
    assert parsed.rejects_by_reason() == {
        "expected 3 fields": 1,
        "combined_score is not an integer": 1,
    }

    with pytest.raises(SourceFormatError, match="combined_score"):
        annotate(_files(tmp_path, links="a b c\n1 2 3\n"), GENES, SCORES)


def test_malformed_protein_lines_are_rejected_and_counted_apart(tmp_path: Path) -> None:
    info = INFO + "9606.ENSP00000000001\n" + "\tPKD1\t10\tno protein id\n"
    parsed = annotate(_files(tmp_path, info=info), GENES, SCORES)

    assert parsed.rejects_by_reason() == {
        "too few tab-separated cells": 1,
        "blank string_protein_id": 1,
    }
    assert parsed.stats["proteins_read"] == 9
    assert parsed.stats["proteins_matched"] == 6
    assert parsed.stats["rows_read"] == 18  # link lines only


def test_the_load_reuses_the_checks_protein_read_and_gives_what_a_fresh_read_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    info = INFO + "9606.ENSP00000000001\n" + "\tPKD1\t10\tno protein id\n" + "junk\tPKD1\t1\tx\n"
    files = _files(tmp_path, info=info)

    parsed, reads = check_then_load(annotate, files, GENES, monkeypatch, scores=SCORES)

    assert reads[INFO_KEY] == 1
    assert_same_output(parsed, annotate(fresh_copies(files, tmp_path / "fresh"), GENES, SCORES))
    assert parsed.stats["proteins_matched"] == 6


N_LINES = 2_000_000
N_PROTEINS = 19_000
N_KIDNEY = 100

_MEASURE = """
import json, resource, sys
from pathlib import Path
from kg_pipeline.sources.string.parse import INFO_KEY, LINKS_KEYS, annotate
from kg_pipeline_tests.sources.annotation_helpers import genes_frame

info, small, big = (Path(a) for a in sys.argv[1:4])
n_kidney = int(sys.argv[4])
genes = genes_frame(*((i + 1, f"G{i}", None, None) for i in range(n_kidney)))
scores = {i + 1: 1.0 + i for i in range(n_kidney)}

def status_kib(field):
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith(field + ":"))

# The same call on a tiny links file first: imports, the info file and the genes are paid for.
annotate({INFO_KEY: info, LINKS_KEYS["physical"]: small}, genes, scores)
try:
    before = status_kib("VmRSS")
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")  # reset the peak (VmHWM) to the current RSS
    peak = lambda: status_kib("VmHWM")
except OSError:  # no procfs control: fall back to the lifetime peak
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    peak = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
parsed = annotate({INFO_KEY: info, LINKS_KEYS["physical"]: big}, genes, scores)
print(json.dumps({"before": before, "after": peak(), "stats": parsed.stats}))
"""


def _protein(i: int) -> str:
    return f"9606.ENSP{i:011d}"


def test_the_links_file_is_streamed_not_held(tmp_path: Path) -> None:
    # 2 million link lines (~94 MB of text, as STRING writes them), 100 of 19,000 proteins are
    # kidney genes'. Held as Python strings the lines alone would take over 150 MB; streamed,
    # the process's peak memory must barely move. Measured in a fresh process (its peak RSS
    # before and after the parse), so neither this test session nor a tracer distorts it.
    info = "#string_protein_id\tpreferred_name\tprotein_size\tannotation\n" + "".join(
        f"{_protein(i)}\tG{i}\t300\tprotein {i}\n" for i in range(N_PROTEINS)
    )
    chunk = "".join(
        f"{_protein(a)} {_protein((a + 1 + k % 50) % N_PROTEINS)} {150 + k * 37 % 850}\n"
        for k in range(100_000)
        for a in [k * 7 % N_PROTEINS]
    )
    header = "protein1 protein2 combined_score\n"
    with gzip.open(tmp_path / "big", "wt", compresslevel=1, encoding="utf-8") as fh:
        fh.write(header)
        for _ in range(N_LINES // 100_000):
            fh.write(chunk)
    (tmp_path / "small").write_bytes(gzip.compress((header + chunk[:4700]).encode()))
    (tmp_path / "info").write_bytes(gzip.compress(info.encode()))
    text_size = len(header) + len(chunk) * (N_LINES // 100_000)
    del info, chunk

    result = subprocess.run(
        [sys.executable, "-c", _MEASURE, *(str(tmp_path / n) for n in ("info", "small", "big")),
         str(N_KIDNEY)],
        capture_output=True, text=True, check=True, cwd=Path(__file__).resolve().parents[3],
    )  # fmt: skip
    measured = json.loads(result.stdout)
    growth = (measured["after"] - measured["before"]) * 1024

    assert measured["stats"]["rows_read"] == N_LINES
    assert measured["stats"]["gene_pairs"] > 0
    assert text_size > 90_000_000
    assert growth < 16_000_000, f"peak grew {growth:,} bytes streaming {text_size:,} bytes"


def test_a_block_of_links_is_all_the_parser_holds(tmp_path: Path) -> None:
    # The same property inside this process with tracemalloc (exact, but it slows every
    # allocation, hence a smaller file): the Python heap's peak is a block, not the file.
    lines = "".join(
        f"{_protein(k % 2000)} {_protein((k * 7 + 1) % 2000)} {400 + k % 600}\n"
        for k in range(200_000)
    )
    (tmp_path / "links").write_bytes(
        gzip.compress(("protein1 protein2 combined_score\n" + lines).encode(), compresslevel=1)
    )
    info = "#string_protein_id\tpreferred_name\tprotein_size\tannotation\n" + "".join(
        f"{_protein(i)}\tG{i}\t300\tprotein {i}\n" for i in range(2000)
    )
    (tmp_path / "info").write_bytes(gzip.compress(info.encode()))
    genes = genes_frame(*((i + 1, f"G{i}", None, None) for i in range(50)))
    scores = {i + 1: 1.0 + i for i in range(50)}
    files = {INFO_KEY: tmp_path / "info", LINKS_KEY: tmp_path / "links"}
    # The proteins as the raw check reads them (`read_once`), held for the load: the proteins'
    # memory, not the links'.
    read_protein_names(files[INFO_KEY])

    tracemalloc.start()
    try:
        parsed = annotate(files, genes, scores)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert parsed.stats["rows_read"] == 200_000
    assert len(lines) > 9_000_000
    assert peak < 3_000_000, f"peak {peak:,} bytes for {len(lines):,} bytes of links"


ODD_LINES = [
    "9606.ENSP00000262304 9606.ENSP00000368965 +650\n",
    "9606.ENSP00000262304 9606.ENSP00000302958 1_000\n",
    "\n",
    "9606.ENSP00000237596\t9606.ENSP00000368965 700\n",
    "9606.ENSP00000368965 9606.ENSP00000302958 830\r\n",
    "9606.ENSP00000368965 9606.ENSP00000302958 830 extra\n",
    " 9606.ENSP00000368965 9606.ENSP00000302958 830\n",
    "9606.ENSP00000262304 9606.ENSP00000368965 high\n",
]
"""Lines only `str.split()` and `int()` can judge: a signed or underscored score, a blank line,
a tab, CRLF, an extra field, a leading space, a word for a score."""


@pytest.mark.parametrize("detailed", [False, True], ids=["plain", "detailed"])
def test_the_numpy_path_reads_like_the_line_by_line_one(tmp_path: Path, detailed: bool) -> None:
    # Small chunks, so that plain chunks (numpy) and odd ones (line by line) alternate in one
    # file; the detailed layout puts seven subscores before the score.
    from kg_pipeline.sources.annotations import AnnotationCollector, GeneIndex
    from kg_pipeline.sources.string.parse import (
        _LinkCounts,
        _LinkReader,
        read_layout,
        read_links,
    )

    header = FULL_DETAILED_HEADER if detailed else "protein1 protein2 combined_score\n"
    body = LINKS.splitlines(keepends=True)[1:]
    odd = ODD_LINES
    if detailed:
        body = [_detailed(line, k) for k, line in enumerate(body)]
        odd = [_detailed(line, k) if line.strip() else line for k, line in enumerate(odd)]
    lines = [line for k, extra in enumerate(odd) for line in (*body[k:], extra)] + body
    proteins = {p: i % 4 + 1 for i, (p, _, _) in enumerate(_LINKS)}
    proteins["9606.ENSP00000000233"] = 1

    def collector() -> AnnotationCollector:
        return AnnotationCollector("string_ppi", GeneIndex(GENES))

    by_lines, expected_pairs, counts = collector(), {}, _LinkCounts()
    reader = _LinkReader(
        read_layout(header, LINKS_KEY), proteins, 400, by_lines, expected_pairs, counts, LINKS_KEY
    )
    reader.lines(2, lines)
    (tmp_path / "links").write_bytes(gzip.compress((header + "".join(lines)).encode()))
    by_chunks = collector()
    table = read_links(
        tmp_path / "links", proteins, min_score=400, collector=by_chunks, chunk_bytes=97
    )

    assert table.pairs == expected_pairs and list(table.pairs) == list(expected_pairs)
    assert table.lines == counts.lines - counts.blank
    assert (table.kept, table.below_min_score, table.same_gene) == (
        counts.kept,
        counts.below,
        counts.same_gene,
    )
    assert by_chunks.finish(None).rejects == by_lines.finish(None).rejects
    assert counts.rejected == 3 and counts.blank == 1
    assert len(expected_pairs) == 4


FULL_DETAILED_HEADER = (
    "protein1 protein2 neighborhood fusion cooccurence coexpression experimental database "
    "textmining combined_score\n"
)
"""The full network's `.detailed` layout: ten columns, `combined_score` last."""


def _detailed(line: str, k: int, channels: int = 7) -> str:
    """A plain link line with `channels` subscores inserted before its last field."""
    fields = line.rstrip("\r\n").split(" ")
    ending = line[len(line.rstrip("\r\n")) :]
    subscores = [str((k * 131 + c * 57) % 1000) for c in range(channels)]
    return " ".join([*fields[:-1], *subscores, fields[-1]]) + ending


@pytest.mark.parametrize(
    ("network", "header", "channels"),
    [
        ("full-detailed", FULL_DETAILED_HEADER, 7),
        (
            "physical-detailed",
            "protein1 protein2 experimental database textmining combined_score\n",
            3,
        ),
    ],
)
def test_a_detailed_links_file_scores_like_the_plain_one(
    tmp_path: Path, network: str, header: str, channels: int
) -> None:
    plain = annotate(_files(tmp_path), GENES, SCORES)
    body = LINKS.splitlines(keepends=True)[1:]
    detailed = header + "".join(_detailed(line, k, channels) for k, line in enumerate(body))
    files = _files(tmp_path, links=detailed)
    parsed = annotate({INFO_KEY: files[INFO_KEY], LINKS_KEYS[network]: files[LINKS_KEY]},
                      GENES, SCORES)  # fmt: skip

    assert parsed.rows.equals(plain.rows)
    assert parsed.stats == plain.stats
    assert parsed.release == plain.release.replace("physical", network.removesuffix("-detailed"))


def test_the_score_column_is_found_by_name(tmp_path: Path) -> None:
    # combined_score need not be last: a layout with a column after it reads the same.
    body = LINKS.splitlines(keepends=True)[1:]
    moved = "protein1 protein2 combined_score note\n" + "".join(
        f"{line.rstrip()} n{k}\n" for k, line in enumerate(body)
    )
    plain = annotate(_files(tmp_path), GENES, SCORES)
    parsed = annotate(_files(tmp_path, links=moved), GENES, SCORES)
    assert parsed.rows.equals(plain.rows)
    with pytest.raises(SourceFormatError, match="protein1 protein2 first"):
        annotate(_files(tmp_path, links="protein2 protein1 combined_score\n" + body[0]),
                 GENES, SCORES)  # fmt: skip
    with pytest.raises(SourceFormatError, match=r"missing combined_score"):
        annotate(_files(tmp_path, links="protein1 protein2 score\n" + body[0]), GENES, SCORES)


def test_the_full_network_is_named_in_the_version(tmp_path: Path) -> None:
    files = _files(tmp_path)
    parsed = annotate({INFO_KEY: files[INFO_KEY], LINKS_KEYS["full"]: files[LINKS_KEY]},
                      GENES, SCORES)  # fmt: skip
    assert parsed.release == "v12.0 full"
    assert parsed.rows.equals(annotate(files, GENES, SCORES).rows)


def test_exactly_one_links_file_is_scored(tmp_path: Path) -> None:
    files = _files(tmp_path)
    with pytest.raises(SourceFormatError, match=r"links file of one network.*found none"):
        annotate({INFO_KEY: files[INFO_KEY]}, GENES, SCORES)
    both = {**files, LINKS_KEYS["full"]: files[LINKS_KEY]}
    with pytest.raises(SourceFormatError, match=r"found string/protein\.physical.*, string/"):
        annotate(both, GENES, SCORES)


def test_the_real_v12_protein_info(real_data_dir: Path, real_genes, tmp_path: Path) -> None:
    from kg_pipeline.sources.annotations import AnnotationCollector, GeneIndex
    from kg_pipeline.sources.string.parse import read_proteins

    info = real_data_dir / "raw" / "string" / "9606.protein.info.v12.0.txt.gz"
    with gzip.open(info, "rt", encoding="utf-8") as fh:
        rows = [line.rstrip("\n").split("\t") for line in fh]
    collector = AnnotationCollector("string_ppi", GeneIndex(real_genes))
    proteins = read_proteins(info, collector)

    assert rows[0] == ["#string_protein_id", "preferred_name", "protein_size", "annotation"]
    assert collector.stats["proteins_read"] == len(rows) - 1 == 19_699
    assert collector.finish(None).rejects == []
    symbols = dict(zip(real_genes["gene_id"], real_genes["approved_symbol"], strict=True))
    names = {r[0]: r[1] for r in rows[1:]}
    # Every matched protein is the gene its preferred name is the approved symbol of.
    assert all(names[p].upper() == symbols[g].upper() for p, g in proteins.items())
    unmatched = [n for p, n in names.items() if p not in proteins]
    assert collector.stats["proteins_unmatched"] == len(unmatched)
    assert 18_500 < len(proteins) < 19_699  # names STRING kept from before HGNC renames miss
    assert {"PKD1", "PKD2", "UMOD", "NPHS1", "COL4A5"} <= {names[p] for p in proteins}
    assert "ICK" in unmatched  # CILK1 since 2019; STRING v12 still says ICK

    # And as the info file of a whole annotation: the real ids and names, links among them.
    ids = {n: p for p, n in names.items()}
    pkd1, pkd2, umod = ids["PKD1"], ids["PKD2"], ids["UMOD"]
    links = "protein1 protein2 combined_score\n" + "".join(
        f"{a} {b} {s}\n{b} {a} {s}\n" for a, b, s in ((pkd1, pkd2, 999), (pkd1, umod, 450))
    )
    (tmp_path / "links").write_bytes(gzip.compress(links.encode()))
    gene_of = dict(zip(real_genes["approved_symbol"], real_genes["gene_id"], strict=True))
    scores = {gene_of["PKD1"]: 90.0, gene_of["PKD2"]: 80.0, gene_of["UMOD"]: 40.0}
    parsed = annotate({INFO_KEY: info, LINKS_KEY: tmp_path / "links"}, real_genes, scores)
    pkd1_annotation = parsed.annotation(gene_of["PKD1"])
    assert pkd1_annotation["ppi_degree"] == 2
    assert pkd1_annotation["ppi_score"] == pytest.approx((0.999 * 80 + 0.45 * 40) / math.sqrt(2))
