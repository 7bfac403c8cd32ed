"""Hostile and odd input through the whole load path (issue 13, item 5): fetched from a mirror,
checked, stored, parsed, normalised and written to PostgreSQL.

One materialisation of a small hand-made snapshot: a ClinGen CSV (tabular) and Literature files
(JSON) whose symbols and free texts hold quotes, semicolons, backslashes, SQL, right-to-left
marks, 10 kB strings and NUL bytes; a gnomAD file that is a gzip bomb; a diagnostic-panels file
nested 10,000 levels deep. Every text is stored exactly or its row is rejected with a reason;
the bomb and the nesting refuse their raw inputs in one line each.

Then the annotation sources, from the default snapshot's files: a NUL byte in a line of each
(its line rejected with the file and line named, the rest loaded), a byte that is not UTF-8 in
each (the raw input refused in one line), junk rows in HGNC's complete set and junk lines in
MGI's three files (left out, counted and sampled).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import random
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import dagster as dg
import pytest
import sqlalchemy as sa

from kg_pipeline.devtools.snapshot.clingen import COLUMNS as CLINGEN_COLUMNS
from kg_pipeline.sources.diagnostic_panels.upstream import DIAGNOSTIC_PANELS
from kg_pipeline.sources.hgnc.parse import COMPLETE_SET_COLUMNS, NO_SYMBOL, NOT_AN_ID
from kg_pipeline.sources.literature.upstream import LITERATURE
from kg_pipeline.sources.records import NUL_REASON
from kg_pipeline.sources.registry import ANNOTATION_LOADS
from kg_pipeline_tests.conftest import pipeline_definitions, pipeline_test_resources

_random = random.Random(13)
LONG = "".join(_random.choice("αβγδ абв 中文 ;'\"\\%_@#") for _ in range(10_000))
"""10,000 characters that do not compress (a unique index on a compressible text would pass)."""

# Gene texts: each unresolvable, so each is staged for review under exactly this text (the long
# one is rejected by the normaliser instead, and logged with exactly this text).
SYMBOLS = {
    "sql": "PKD9'); DROP TABLE genes; --",
    "quotes": "ZZQ1 \"double\" 'single' `back`",
    "backslashes": "ZZQ2\\x\\\\y\\n\\'",
    "rtl": "\u202eZZQ3\u200f\u200e\u061c",
    "long": "ZZQ4;" + LONG,
}
FREE_TEXT = "; ".join(SYMBOLS.values()) + " %s %(x)s :name $1 \u202e"
NUL_SYMBOL = "ZZQ5\x00NUL"
BOMB_LIMIT = 1_000_000

GENES = {"PKD1": "HGNC:9008", "PKD2": "HGNC:9009", "NPHS1": "HGNC:7908"}
GCEP = "Glomerulopathy Gene Curation Expert Panel"
SELECTED = [
    "database_schema",
    "raw_hgnc",
    "hgnc_reference",
    "raw_clingen",
    "clingen_evidence",
    "raw_literature",
    "literature_evidence",
    "raw_gnomad",
    "raw_diagnostic_panels",
]


def _hgnc() -> bytes:
    rows = [COMPLETE_SET_COLUMNS]
    for symbol, hgnc_id in GENES.items():
        values = {"hgnc_id": hgnc_id, "symbol": symbol, "status": "Approved", "name": symbol}
        rows.append(tuple(values.get(c, "") for c in COMPLETE_SET_COLUMNS))
    return "".join("\t".join(row) + "\n" for row in rows).encode()


def _clingen() -> bytes:
    out = io.StringIO()
    out.write('"CLINGEN GENE DISEASE VALIDITY CURATIONS"\n"FILE CREATED: 2026-03-01"\n')
    out.write('"WEBPAGE: https://search.clinicalgenome.org/kb/gene-validity"\n"+++","+++"\n')
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(CLINGEN_COLUMNS)
    out.write('"+++","+++"\n')

    def row(symbol: str, disease: str) -> None:
        writer.writerow(
            [symbol, "", disease, "MONDO:1", "AR", "SOP10", "Definitive", "r", "d", GCEP]
        )

    row("PKD1", FREE_TEXT)
    for symbol in SYMBOLS.values():
        row(symbol, "nephrotic syndrome")
    row(NUL_SYMBOL, "nephrotic syndrome")
    row("PKD2", "nephrotic\x00syndrome")
    return out.getvalue().encode()


def _literature(pmid: str, hostile: bool) -> bytes:
    genes: list[Any] = [{"symbol": "NPHS1"}]
    document: dict[str, Any] = {"pmid": pmid, "title": f"paper {pmid}", "genes": genes}
    if hostile:
        document["title"] = FREE_TEXT
        genes += [{"symbol": s} for s in SYMBOLS.values()]
        genes += [{"symbol": NUL_SYMBOL}, {"symbol": "PKD2", "reported_as": "a\x00b"}]
    return json.dumps(document).encode()


def _deep_json(levels: int) -> bytes:
    return ('{"genes": ' + "[" * levels + "]" * levels + "}").encode()


def write_snapshot(root: Path) -> None:
    def put(key: str, data: bytes) -> None:
        (root / key).parent.mkdir(parents=True, exist_ok=True)
        (root / key).write_bytes(data)

    put("hgnc/hgnc_complete_set.txt", _hgnc())
    put("clingen/kb/gene-validity/download", _clingen())
    for n, relpath in enumerate(LITERATURE.files):
        put(f"literature/{relpath}", _literature(relpath.split("_")[-1][:-5], hostile=n == 0))
    for n, relpath in enumerate(DIAGNOSTIC_PANELS.files):
        data = _deep_json(10_000) if n == 0 else json.dumps({"genes": ["PKD1"]}).encode()
        put(f"diagnostic_panels/{relpath}", data)
    # Four times the limit of zeros, in about 4 kB of gzip, under the plain name it is served at.
    put("gnomad/gnomad.v4.1.constraint_metrics.tsv", gzip.compress(b"\0" * (4 * BOMB_LIMIT)))


@pytest.fixture(scope="module")
def loaded(pg_admin_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The selection materialised once on a database of this module's own."""
    import uuid

    from kg_pipeline.db.database import dispose_engine
    from kg_pipeline_tests.conftest import create_database, drop_database

    root = tmp_path_factory.mktemp("hostile")
    write_snapshot(root / "snapshot")
    name = f"kg_test_{uuid.uuid4().hex[:12]}"
    url = create_database(pg_admin_url, name)
    assets, _ = pipeline_definitions()
    result = dg.materialize(
        [assets[n] for n in SELECTED],
        resources=pipeline_test_resources(
            url,
            root / "raw",
            mirror_dir=root / "snapshot",
            max_decompressed_bytes=BOMB_LIMIT,
        ),
        raise_on_error=False,
    )
    engine = sa.create_engine(url)
    yield result, engine
    engine.dispose()
    dispose_engine(url)
    drop_database(pg_admin_url, name)


def _failure(result: dg.ExecuteInProcessResult, step: str) -> str:
    (event,) = [e for e in result.all_events if e.is_step_failure and e.step_key == step]
    error = event.step_failure_data.error
    assert error is not None and error.cause is not None
    return error.cause.message.strip()


def _meta(result: dg.ExecuteInProcessResult, name: str) -> dict[str, Any]:
    (event,) = result.asset_materializations_for_node(name)
    return {key: value.value for key, value in event.metadata.items()}


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


@pytest.mark.parametrize(("source", "name"), [("clingen", "ClinGen"), ("literature", "Literature")])
def test_hostile_texts_are_stored_exactly_or_rejected_with_a_reason(
    loaded: Any, source: str, name: str
) -> None:
    result, engine = loaded
    assert result.is_node_success(f"{source}_evidence")
    with engine.connect() as conn:
        staged = set(
            conn.execute(
                sa.text(
                    "SELECT original_text FROM gene_normalization_staging WHERE source_name = :s"
                ),
                {"s": name},
            ).scalars()
        )
        logged = set(
            conn.execute(
                sa.text("SELECT original_text FROM gene_normalization_log WHERE source_name = :s"),
                {"s": name},
            ).scalars()
        )
        evidence = dict(
            conn.execute(
                sa.text(
                    "SELECT g.approved_symbol, e.evidence_data FROM gene_evidence e "
                    "JOIN genes g ON g.id = e.gene_id WHERE e.source_name = :s"
                ),
                {"s": name},
            ).all()
        )
        assert conn.execute(sa.text("SELECT count(*) FROM genes")).scalar_one() >= 1
    # Every hostile gene text round-trips exactly: staged for review, and logged.
    assert set(SYMBOLS.values()) - staged == {SYMBOLS["long"]}
    assert set(SYMBOLS.values()) <= logged
    # The free text (a disease label, a publication title) is stored exactly in the evidence.
    strong = "PKD1" if source == "clingen" else "NPHS1"
    assert FREE_TEXT in set(_strings(evidence[strong]))
    # Rows with a NUL byte are rejected, with the reason, and written nowhere.
    assert "PKD2" not in evidence
    assert not any("\x00" in text for text in staged | logged)
    meta = _meta(result, f"{source}_evidence")
    assert meta["rejected_by_reason"]["NUL byte in a text (PostgreSQL cannot store one)"] == 2
    samples = [s["text"] for s in meta["rejected_samples"]]
    assert any("ZZQ5\\x00NUL" in text for text in samples), samples


def test_a_gzip_bomb_is_refused_naming_the_limit_setting(loaded: Any) -> None:
    result, engine = loaded
    assert not result.is_node_success("raw_gnomad")
    message = _failure(result, "raw_gnomad")
    assert message.splitlines() == [message]
    assert "gnomad/gnomad.v4.1.constraint_metrics.tsv" in message
    assert f"inflates past {BOMB_LIMIT:,} bytes" in message
    assert "KG_MAX_DECOMPRESSED_BYTES" in message
    with engine.connect() as conn:
        stored = conn.execute(
            sa.text("SELECT count(*) FROM cache_entries WHERE namespace = 'gnomad'")
        ).scalar_one()
    assert stored == 0


def test_json_nested_10000_levels_is_refused_in_one_line(loaded: Any) -> None:
    result, _ = loaded
    message = _failure(result, "raw_diagnostic_panels")
    assert message.splitlines() == [message]
    assert f"diagnostic_panels/{DIAGNOSTIC_PANELS.files[0]}" in message
    assert "JSON nested deeper than Python's recursion limit" in message
    assert "RecursionError" not in message


# --- annotation sources ---------------------------------------------------------------------
#
# The default snapshot's annotation files, each with one line of a gene we hold given a NUL
# byte; the HGNC complete set (cut to ClinGen's genes, so that ClinGen's load makes the genes)
# with three junk rows; MGI's three files with a junk line each. A second copy has a byte that
# is not UTF-8 in each source's file instead.

POISONED: dict[str, tuple[str, int, int]] = {
    "gnomad": ("gnomad/gnomad.v4.1.constraint_metrics.tsv", 0, 2),  # transcript, stored
    "gtex": (
        "gtex/GTEx_Analysis_2017-06-05_v8_RNASeQCv1.1.9_gene_median_tpm.gct.gz",
        1,
        1,
    ),  # stored
    "descartes": ("descartes/tissue_tpm/kidney.csv", 0, 1),
    "clinvar": ("clinvar/gene_specific_summary.txt", 0, 0),  # symbol, stored
    "mpo_mgi": ("mgi/HMD_HumanPhenotype.rpt", 0, 2),  # mouse symbol, stored
    "string_ppi": ("string/protein.info.v12.0/9606.protein.info.v12.0.txt.gz", 1, 3),
    "hpo": ("hpo/genes_to_phenotype.txt", 1, 3),
}
"""Annotation load -> (file, the cell naming the gene, the cell given a NUL byte). Where the
cell is stored, the load failed on PostgreSQL before lines with a NUL were rejected."""

ANNOTATION_SOURCES = {load.name: source.key for source, load in ANNOTATION_LOADS}
"""Annotation load -> its source (raw asset `raw_<source>`)."""

HGNC_FILE = "hgnc/hgnc_complete_set.txt"
HGNC_JUNK = (
    {"hgnc_id": "garbage", "symbol": "ZZJ1"},
    {"hgnc_id": "HGNC:990001", "symbol": ""},
    {"hgnc_id": "HGNC:990002", "symbol": "ZZJ\x00NUL"},
)
MGI_JUNK = {
    "mgi/HMD_HumanPhenotype.rpt": "junk line",
    "mgi/MGI_GenePheno.rpt": "junk\tline",
    "mgi/MPheno_OBO.ontology": "junk line without a tag",
}
"""A junk line written as line 41 of each MGI file."""


def _lines(path: Path) -> list[str]:
    data = path.read_bytes()
    return (gzip.decompress(data) if path.suffix == ".gz" else data).decode().splitlines(True)


def _write(path: Path, data: bytes) -> None:
    path.unlink(missing_ok=True)  # a symlink into the default snapshot: never write through it
    path.write_bytes(gzip.compress(data, mtime=0) if path.suffix == ".gz" else data)


def _add_junk(root: Path) -> None:
    """Three junk rows at the end of HGNC's complete set, a junk line 41 in each MGI file."""
    hgnc = _lines(root / HGNC_FILE)
    columns = hgnc[0].rstrip("\n").split("\t")
    for row in HGNC_JUNK:
        hgnc.append("\t".join({"status": "Approved", **row}.get(c, "") for c in columns) + "\n")
    _write(root / HGNC_FILE, "".join(hgnc).encode())
    for relpath, junk in MGI_JUNK.items():
        lines = _lines(root / relpath)
        _write(root / relpath, "".join([*lines[:40], junk + "\n", *lines[40:]]).encode())


def _poison(root: Path, symbols: set[str]) -> dict[str, int]:
    """A NUL byte in each file of `POISONED`, in the first line of a gene of `symbols`;
    returns the line per annotation load."""
    poisoned = {}
    for load, (relpath, gene_cell, cell) in POISONED.items():
        lines = _lines(root / relpath)
        split = "," if relpath.endswith(".csv") else "\t"
        number = next(
            n
            for n, line in enumerate(lines)
            if len(cells := line.split(split)) > max(gene_cell, cell)
            and cells[gene_cell] in symbols
        )
        cells = lines[number].split(split)
        cells[cell] = cells[cell][:2] + "\x00" + cells[cell][2:]
        lines[number] = split.join(cells)
        _write(root / relpath, "".join(lines).encode())
        poisoned[load] = number + 1
    return poisoned


def _not_utf8_mirror(root: Path) -> None:
    """Each annotation source's file of `POISONED` (HGNC's complete set) with a byte that is
    not UTF-8 in its second line."""
    for relpath in [HGNC_FILE, *(relpath for relpath, _, _ in POISONED.values())]:
        lines = [line.encode() for line in _lines(root / relpath)]
        lines[1] = lines[1][:3] + b"\xff" + lines[1][3:]
        _write(root / relpath, b"".join(lines))


class Annotated(NamedTuple):
    genes: dg.ExecuteInProcessResult
    """The run that made the genes (and the HGNC reference)."""
    result: dg.ExecuteInProcessResult
    """The run of the annotation sources."""
    poisoned: dict[str, int]
    """The line given a NUL byte, per annotation load."""
    hgnc_lines: int
    """Lines of the HGNC file, the three junk rows last."""
    logs: dict[str, list[str]]
    """The log messages of the run that made the genes, per step."""
    not_utf8: dg.ExecuteInProcessResult
    """The raw assets of the sources, run on the copy with bytes that are not UTF-8."""


@pytest.fixture(scope="module")
def annotated(
    pg_admin_url: str, default_snapshot: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Annotated]:
    """The genes (by ClinGen) from the mirror with junk, then, once the file of every other
    annotation source has a NUL byte in a line of one of those genes, every annotation source;
    and the raw assets on a copy whose files are not UTF-8, on a database of their own."""
    import uuid

    from kg_pipeline.db.database import dispose_engine
    from kg_pipeline_tests.conftest import create_database, drop_database
    from kg_pipeline_tests.defs.crash_support import write_mirrors

    root = tmp_path_factory.mktemp("hostile_annotations")
    mirror, not_utf8 = write_mirrors(default_snapshot, root / "mirrors")
    for snapshot in (mirror, not_utf8):
        for upstream in ("gtex", "descartes", "clinvar", "mgi", "string", "hpo"):
            shutil.copytree(
                default_snapshot / upstream, snapshot / upstream, copy_function=os.symlink
            )
        _add_junk(snapshot)
    _not_utf8_mirror(not_utf8)
    assets, _ = pipeline_definitions()
    genes = ["database_schema", "raw_hgnc", "hgnc_reference", "raw_clingen"]
    genes += ["clingen_evidence", "genes", "gene_scores"]
    loads = [
        a for load, s in ANNOTATION_SOURCES.items() for a in (f"raw_{s}", f"{load}_annotations")
    ]
    raw = ["database_schema", *(f"raw_{source}" for source in ANNOTATION_SOURCES.values())]
    names = [f"kg_test_{uuid.uuid4().hex[:12]}" for _ in range(2)]
    urls = [create_database(pg_admin_url, name) for name in names]
    instance = dg.DagsterInstance.ephemeral()

    def run(url: str, snapshot: Path, selection: list[str]) -> dg.ExecuteInProcessResult:
        return dg.materialize(
            [assets[n] for n in selection],
            resources=pipeline_test_resources(url, snapshot.parent / "raw", mirror_dir=snapshot),
            instance=instance,
            raise_on_error=False,
        )

    made = run(urls[0], mirror, genes)
    engine = sa.create_engine(urls[0])
    with engine.connect() as conn:
        symbols = set(conn.execute(sa.text("SELECT approved_symbol FROM genes")).scalars())
    engine.dispose()
    poisoned = _poison(mirror, symbols)
    loaded = run(urls[0], mirror, loads)
    refused = run(urls[1], not_utf8, raw)
    logs: dict[str, list[str]] = {}
    for entry in instance.all_logs(made.run_id):
        logs.setdefault(entry.step_key or "", []).append(entry.user_message)
    hgnc_lines = len(_lines(mirror / HGNC_FILE))
    yield Annotated(made, loaded, poisoned, hgnc_lines, logs, refused)
    for url, name in zip(urls, names, strict=True):
        dispose_engine(url)
        drop_database(pg_admin_url, name)


def test_a_nul_byte_in_an_annotation_file_rejects_its_line_naming_file_and_line(
    annotated: Annotated,
) -> None:
    result = annotated.result
    for load, (relpath, _, _) in POISONED.items():
        assert result.is_node_success(f"{load}_annotations"), load
        meta = _meta(result, f"{load}_annotations")
        assert meta["dagster/row_count"] > 0
        assert meta["rejected_by_reason"][NUL_REASON] == 1, (load, meta["rejected_by_reason"])
        (sample,) = [s for s in meta["rejected_samples"] if s["reason"] == NUL_REASON]
        assert sample["where"] == f"{relpath}:{annotated.poisoned[load]}", (load, sample)
        assert "\\x00" in sample["text"]


def test_hgnc_junk_rows_are_left_out_of_the_reference_counted_and_sampled(
    annotated: Annotated,
) -> None:
    result, first = annotated.result, annotated.hgnc_lines - len(HGNC_JUNK) + 1
    expected = {
        f"{HGNC_FILE}:{first}": NOT_AN_ID,
        f"{HGNC_FILE}:{first + 1}": NO_SYMBOL,
        f"{HGNC_FILE}:{first + 2}": NUL_REASON,
    }
    for run, asset in ((annotated.genes, "hgnc_reference"), (result, "hgnc_annotations")):
        assert run.is_node_success(asset), asset
        meta = _meta(run, asset)
        assert meta["rejected_by_reason"] == {reason: 1 for reason in expected.values()}, asset
        assert {s["where"]: s["reason"] for s in meta["rejected_samples"]} == expected, asset
    meta = _meta(annotated.genes, "hgnc_reference")
    assert meta["rejected_rows"] == 3
    assert meta["entries"] == annotated.hgnc_lines - 1 - 3  # every other row of the file
    (line,) = [m for m in annotated.logs["hgnc_reference"] if m.startswith("HGNC reference:")]
    assert "skipped 3 malformed rows" in line and "garbage | ZZJ1" in line, line


def test_mgi_junk_lines_are_counted_in_each_of_its_files(annotated: Annotated) -> None:
    meta = _meta(annotated.result, "mpo_mgi_annotations")
    where = {s["where"]: s["reason"] for s in meta["rejected_samples"]}
    expected = {
        "mgi/HMD_HumanPhenotype.rpt:41": "too few tab-separated cells",
        "mgi/MGI_GenePheno.rpt:41": "too few tab-separated cells",
        "mgi/MPheno_OBO.ontology:41": "not an OBO tag-value line",
        f"mgi/HMD_HumanPhenotype.rpt:{annotated.poisoned['mpo_mgi']}": NUL_REASON,
    }
    assert expected.items() <= where.items(), where
    assert meta["rejected_by_reason"]["not an OBO tag-value line"] == 1


@pytest.mark.parametrize("source", sorted(set(ANNOTATION_SOURCES.values())))
def test_a_byte_that_is_not_utf8_refuses_the_annotation_source_in_one_line(
    annotated: Annotated, source: str
) -> None:
    message = _failure(annotated.not_utf8, f"raw_{source}")
    assert message.splitlines() == [message]
    relpath = (
        HGNC_FILE
        if source == "hgnc"
        else POISONED[next(load for load, s in ANNOTATION_SOURCES.items() if s == source)][0]
    )
    assert f"cannot parse {relpath}: not UTF-8 text" in message, message
    assert "after line 1" in message or "byte 0xff at offset" in message, message
