"""The fault matrix: every raw input x every fault the emulator injects, past the retry budget.

One fully loaded database (the whole graph from the default snapshot, built once per module).
Each fault is injected forever (`times=-1`) into every upstream of every source at once, and the
fourteen raw assets run in one in-process materialisation: their steps are independent, so each
source meets the fault exactly as its own refresh would, and one run per fault (not per cell)
keeps the module inside its time budget. A cell then asserts its own source's step: failed, its
error one line naming the source and the cause. The tables are compared per fault run: a
checksum of every table and materialised view before and after; if the whole run changed
nothing, no cell in it did. Excluded: `pipeline_runs`, which gains the run's own row (asserted:
exactly one, status failed).

`malformed` on a tabular file is the one fault that loads: its run (raw assets and every load)
goes to a copy of the database, and each tabular cell asserts that the load succeeded with the
good rows and counted the junk rows the emulator wrote as rejects, with samples.

Cells that do not apply, and why, are `NOT_APPLICABLE`; a test checks every source x fault is
either a cell or listed there, and the README's matrix is this table.
"""

from __future__ import annotations

import gzip
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dagster as dg
import pytest
import sqlalchemy as sa

from kg_pipeline.db.database import dispose_engine
from kg_pipeline.devtools.emulator import JUNK_LINE, UpstreamEmulator
from kg_pipeline.devtools.emulator.faults import malform
from kg_pipeline.sources.registry import SOURCES, SOURCES_BY_KEY
from kg_pipeline_tests.conftest import (
    FAST_HTTP,
    create_database,
    drop_database,
    pipeline_definitions,
    pipeline_test_resources,
)

FAULTS: dict[str, tuple[str, dict[str, Any], str]] = {
    # matrix column: (emulator fault, its options, the cause the error must name)
    "rate_limit": ("rate_limit", {"retry_after": 0}, "HTTP 429"),
    "server_error": ("server_error", {"status": 503}, "HTTP 503"),
    "timeout": ("slow", {"delay": 1.0}, "read timeout"),
    "truncate": ("truncate", {}, "truncated"),
    "malformed": ("malformed", {}, "not valid JSON"),
    "empty": ("empty", {}, "empty response"),
    "down": ("down", {}, "connection failed"),
    "forbidden": ("forbidden", {}, "HTTP 403"),
    "renamed_column": ("renamed_column", {}, "column"),
    "missing_column": ("missing_column", {}, "column"),
}
"""The matrix's columns. `retry_after=0`: the header is sent and honoured, without the wait."""

MATRIX_HTTP: dict[str, Any] = {
    **FAST_HTTP,
    "http_max_retries": 1,
    "http_read_timeout_s": 10,
    "daily_downloads": {"gencc": 1000},
}
"""Two attempts and no waiting; a read timeout no busy machine reaches on a good answer; and
GenCC's daily budget out of the way (ten fault runs count their attempts against it)."""

TIMEOUT_S = 0.1
"""The read timeout of the `timeout` run, well under the `slow` fault's delay: every request of
that run is delayed, so the short timeout never cuts a good answer."""

COLUMN_TARGETS: dict[str, tuple[str | None, str]] = {
    # source: (the file, None for every file of its upstreams; the column or JSON key hit)
    "hgnc": (None, "symbol"),
    "panelapp": (None, "genes"),
    "clingen": (None, "GENE SYMBOL"),
    "hpo": ("genes_to_phenotype.txt", "gene_symbol"),
    "pubtator": (None, "results"),
    "diagnostic_panels": (None, "genes"),
    "literature": (None, "genes"),
    "gnomad": (None, "gene"),
    "gtex": (None, "Description"),
    "clinvar": (None, "Symbol"),
    "string": ("protein.info.v12.0/9606.protein.info.v12.0.txt.gz", "preferred_name"),
}

JSON_SOURCES = frozenset({"panelapp", "pubtator", "diagnostic_panels", "literature"})
"""Sources whose files are all JSON: `malformed` cuts a body in half (refused at the raw step),
and the column faults rename or remove a key."""

NOT_APPLICABLE: dict[tuple[str, str], str] = {
    **{
        (source, fault): "no header: its files are read by position (a lost column is a short row)"
        for source in ("descartes", "mgi")
        for fault in ("renamed_column", "missing_column")
    },
    **{
        ("gencc", fault): "each field is read from the first present of the columns the export "
        "has used (gene_symbol, then submitted_as_hgnc_symbol, ...): one column lost falls back"
        for fault in ("renamed_column", "missing_column")
    },
}
"""Cells that do not apply, with the rule. Descartes' two CSVs and MGI's two reports have no
header line (MGI's third file is an OBO ontology), so there is no column name to rename; GenCC's
parser reads every field from several columns on purpose (`FIELD_COLUMNS`)."""

REFUSED_INSTEAD: dict[tuple[str, str], str] = {
    ("hpo", "malformed"): "not a readable OBO file",
}
"""Malformed cells on a non-JSON source that refuse instead of loading in part, with the cause:
junk lines inside hp.obo make the ontology unreadable, so the whole release is refused."""

NOT_COUNTED_SUFFIXES = (".obo",)
"""Junk lines in HPO's hp.obo refuse the release (`REFUSED_INSTEAD`) rather than count; those
in MGI's MPheno_OBO.ontology are counted as rejects like the tabular files' junk lines."""

CELLS = [
    (source.key, fault)
    for fault in FAULTS
    for source in SOURCES
    if (source.key, fault) not in NOT_APPLICABLE
]


def test_every_cell_is_tested_or_says_why_not() -> None:
    every = {(source.key, fault) for source in SOURCES for fault in FAULTS}
    assert set(CELLS) | set(NOT_APPLICABLE) == every
    assert not set(CELLS) & set(NOT_APPLICABLE)
    assert (len(SOURCES), len(FAULTS), len(CELLS)) == (14, 10, 134)
    assert set(COLUMN_TARGETS) == {s.key for s in SOURCES} - {s for s, _ in NOT_APPLICABLE}


# -- one run per fault ------------------------------------------------------------------------


def checksums(url: str) -> dict[str, tuple[int, str]]:
    """Rows and an order-independent checksum of every table and materialised view."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            names = conn.execute(
                sa.text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' UNION ALL "
                    "SELECT matviewname FROM pg_matviews WHERE schemaname = 'public'"
                )
            ).scalars()
            return {
                name: tuple(
                    conn.execute(
                        sa.text(
                            f"SELECT count(*), coalesce(sum(hash_record_extended(t, 0)::numeric),"
                            f' 0)::text FROM "{name}" AS t'
                        )
                    ).one()
                )
                for name in sorted(names)
            }
    finally:
        engine.dispose()


def runs(url: str) -> list[str]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return list(
                conn.execute(
                    sa.text("SELECT status::text FROM pipeline_runs ORDER BY id")
                ).scalars()
            )
    finally:
        engine.dispose()


@dataclass
class FaultRun:
    result: dg.ExecuteInProcessResult
    before: dict[str, tuple[int, str]]
    after: dict[str, tuple[int, str]]
    runs_before: list[str]
    runs_after: list[str]
    emulator: UpstreamEmulator

    def error(self, step: str) -> str | None:
        """The step's own error message, without the exception class, or None if it passed."""
        for event in self.result.all_events:
            if event.is_step_failure and event.step_key == step:
                error = event.step_failure_data.error
                text = (error.cause or error).message.strip()
                return text.split(": ", 1)[1] if text.startswith("kg_pipeline.") else text
        return None

    def metadata(self, asset: str) -> dict[str, Any] | None:
        events = self.result.asset_materializations_for_node(asset)
        return {k: v.value for k, v in events[0].metadata.items()} if events else None


@dataclass
class Loaded:
    url: str
    raw_root: Path
    admin_url: str
    snapshot: Path


@pytest.fixture(scope="module")
def loaded(
    pg_admin_url: str, default_snapshot: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Loaded]:
    """The whole graph materialised once from the default snapshot."""
    name = f"kg_test_{uuid.uuid4().hex[:12]}"
    url = create_database(pg_admin_url, name)
    raw_root = tmp_path_factory.mktemp("fault-matrix") / "raw"
    assets, _ = pipeline_definitions()
    result = dg.materialize(
        list(assets.values()),
        resources=pipeline_test_resources(url, raw_root, mirror_dir=str(default_snapshot)),
    )
    assert result.success
    yield Loaded(url, raw_root, pg_admin_url, default_snapshot)
    dispose_engine(url)
    drop_database(pg_admin_url, name)


def inject(emulator: UpstreamEmulator, fault: str) -> None:
    kind, options, _ = FAULTS[fault]
    for source in SOURCES:
        if (source.key, fault) in NOT_APPLICABLE:
            continue
        path = None
        if kind in ("renamed_column", "missing_column"):
            path, column = COLUMN_TARGETS[source.key]
            options = {"column": column}
        for upstream in source.upstreams:
            emulator.inject(upstream.key, kind, times=-1, path=path, **options)


def run_fault(loaded: Loaded, fault: str, url: str) -> FaultRun:
    assets, _ = pipeline_definitions()
    # Only the sources with a cell: another would fetch good bytes and record their validators.
    hit = [source for source in SOURCES if (source.key, fault) not in NOT_APPLICABLE]
    names = [source.raw_asset for source in hit]
    if fault == "malformed":
        names += [name for source in hit for name in source.load_assets()]
    selected = [assets[name] for name in names]
    before, runs_before = checksums(url), runs(url)
    with UpstreamEmulator(loaded.snapshot) as emulator:
        inject(emulator, fault)
        result = dg.materialize(
            selected,
            selection=selected,
            resources=pipeline_test_resources(
                url,
                loaded.raw_root,
                source_mode="live",
                upstream_url=emulator.url,
                **{
                    **MATRIX_HTTP,
                    **({"http_read_timeout_s": TIMEOUT_S} if fault == "timeout" else {}),
                },
            ),
            raise_on_error=False,
        )
    dispose_engine(url)
    return FaultRun(result, before, checksums(url), runs_before, runs(url), emulator)


@pytest.fixture(scope="module")
def fault_runs(loaded: Loaded) -> Iterator[dict[str, FaultRun]]:
    """Each fault's run, made when its first cell asks for it."""
    done: dict[str, FaultRun] = {}
    copy: str | None = None

    def get(fault: str) -> FaultRun:
        nonlocal copy
        if fault not in done:
            url = loaded.url
            if fault == "malformed":
                # The one fault that loads: on a copy, so the other cells keep the loaded state.
                copy = f"kg_test_{uuid.uuid4().hex[:12]}"
                dispose_engine(loaded.url)
                source_db = sa.engine.make_url(loaded.url).database
                engine = sa.create_engine(loaded.admin_url, isolation_level="AUTOCOMMIT")
                with engine.connect() as conn:
                    conn.execute(sa.text(f'CREATE DATABASE "{copy}" TEMPLATE "{source_db}"'))
                engine.dispose()
                url = sa.engine.make_url(loaded.url).set(database=copy).render_as_string(False)
            done[fault] = run_fault(loaded, fault, url)
        return done[fault]

    yield get  # type: ignore[misc]
    if copy is not None:
        drop_database(loaded.admin_url, copy)


# -- the cells --------------------------------------------------------------------------------


def partial_load(fault: str, source: str) -> bool:
    return (
        fault == "malformed"
        and source not in JSON_SOURCES
        and (source, fault) not in REFUSED_INSTEAD
    )


@pytest.mark.parametrize(("source", "fault"), CELLS, ids=[f"{s}-{f}" for s, f in CELLS])
def test_fault_cell(source: str, fault: str, fault_runs, loaded: Loaded) -> None:
    run: FaultRun = fault_runs(fault)
    entry = SOURCES_BY_KEY[source]
    error = run.error(entry.raw_asset)
    if partial_load(fault, source):
        assert_partial_load(run, source, loaded.snapshot)
        return
    assert error is not None, f"{entry.raw_asset} passed"
    assert "\n" not in error
    # Named by its key, an upstream's (`panelapp_uk`) or its parser's (`DiagnosticPanels`).
    named = error.split(":", 1)[0].lower().replace("_", "")
    assert source.replace("_", "") in named, error
    if fault in ("renamed_column", "missing_column"):
        # Refused by the source's own parser, naming the file and the column it expected.
        path, column = COLUMN_TARGETS[source]
        assert "cannot parse" in error and (path or "") in error, error
        assert column in error, error
    else:
        cause = REFUSED_INSTEAD.get((source, fault), FAULTS[fault][2])
        assert cause.lower() in error.lower(), error
    for load in entry.load_assets():
        assert run.metadata(load) is None, f"{load} ran"
    if fault == "malformed":
        return  # its run loaded the tabular sources; their tables are theirs to check
    changed = [t for t in run.before if t != "pipeline_runs" and run.before[t] != run.after[t]]
    assert changed == []
    assert run.runs_after == [*run.runs_before, "failed"]


def junk_lines(snapshot: Path, source: str) -> int:
    """Junk lines the `malformed` fault writes into the source's files."""
    total = 0
    for upstream in SOURCES_BY_KEY[source].upstreams:
        for path in (snapshot / upstream.key).rglob("*"):
            if path.is_file() and not path.name.endswith(NOT_COUNTED_SUFFIXES):
                served = malform(path.read_bytes(), path.name, 10)
                total += read_bytes_of(served).count(JUNK_LINE)
    return total


def read_bytes_of(body: bytes) -> bytes:
    return gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body


def assert_partial_load(run: FaultRun, source: str, snapshot: Path) -> None:
    entry = SOURCES_BY_KEY[source]
    assert run.error(entry.raw_asset) is None
    written = junk_lines(snapshot, source)
    for load in entry.load_assets():
        assert run.error(load) is None, run.error(load)
        meta = run.metadata(load)
        assert meta is not None and meta["dagster/row_count"] > 0, load
        rejected = sum(meta["rejected_by_reason"].values())
        # Each junk line is counted; one inside a multi-line quoted record may take the
        # record's other line with it.
        assert written <= rejected <= written * 1.01, (load, meta["rejected_by_reason"], written)
        samples = meta["rejected_samples"]
        assert samples and all("garbage" in s["text"] for s in samples), samples
