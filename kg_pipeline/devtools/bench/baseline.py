"""The bare baseline the rebuild is compared with: every raw file the run stored, gunzipped on
the fly and COPYed line by line into a one-column text table, no parsing; timed a few times, the
fastest load counting.
"""

from __future__ import annotations

import gzip
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from sqlalchemy.engine import make_url

from kg_pipeline.devtools.bench.options import (
    MB,
    Say,
    machine_cpu,
    machine_cpu_since,
    print_line,
)

COPY_CHUNK = 1 << 20
BASELINE_SCHEMA = "bench_baseline"


BASELINE_RUNS = 3
"""Loads timed; the fastest is the baseline. One load is 5,569 statements and commits at full
scale (5,500 of them PubTator's one-page files), and on a shared virtual machine whole loads
took anywhere from 8 to 36 s in one session, the slow ones those the hypervisor took CPU from:
a single load made the ratio a lottery. The fastest load is the one least disturbed, and taking
it can only make the ratio larger."""


@dataclass
class BaselineSource:
    source: str
    files: int
    bytes_on_disk: int
    bytes_loaded: int
    lines: int
    seconds: float


@dataclass
class BaselineFigures:
    seconds: float
    """The fastest of the timed loads: the ratio's denominator."""
    runs_seconds: list[float]
    """Every timed load, in order."""
    runs_stolen_cpu_seconds: list[float | None]
    """CPU time the hypervisor gave other machines during each load (`MachineCpu.stolen`)."""
    files: int
    bytes_on_disk: int
    bytes_loaded: int
    lines: int
    database_bytes: int
    latin1_files: int
    sources: list[BaselineSource]
    """Per source, of the fastest load."""
    method: str = (
        "every raw file the run stored (the content-addressed store: what the raw assets "
        "fetched), gzip decompressed on the fly, streamed with COPY ... FROM STDIN into one "
        "single-text-column table per source (CSV format with control-character delimiter and "
        "quote, so no byte is interpreted), one autocommitted COPY per file, no parsing, no "
        f"indexes; the tables are dropped afterwards; timed {BASELINE_RUNS} times, the fastest "
        "counts"
    )


@dataclass
class _Load:
    seconds: float
    stolen: float | None
    sources: list[BaselineSource]
    latin1_files: int
    database_bytes: int


def copy_baseline(
    gene_url: str, raw_root: Path, say: Say | None = None, *, runs: int = BASELINE_RUNS
) -> BaselineFigures:
    """Time COPYing every file under `raw_root/<source>/` into PostgreSQL, unparsed, `runs`
    times; the figures are the fastest load's."""
    import psycopg

    say = say or print_line
    directories = (
        sorted(p for p in raw_root.iterdir() if p.is_dir() and not p.name.startswith("."))
        if raw_root.is_dir()
        else []
    )
    conninfo = make_url(gene_url).set(drivername="postgresql").render_as_string(hide_password=False)
    loads = []
    with psycopg.connect(conninfo, autocommit=True) as conn:
        for number in range(1, runs + 1):
            load = _load(conn, directories)
            loads.append(load)
            say(
                f"bench: baseline load {number} of {runs}: {sum(s.files for s in load.sources):,} "
                f"files in {load.seconds:.1f} s"
            )
    fastest = min(loads, key=lambda load: load.seconds)
    sources = fastest.sources
    figures = BaselineFigures(
        seconds=fastest.seconds,
        runs_seconds=[load.seconds for load in loads],
        runs_stolen_cpu_seconds=[load.stolen for load in loads],
        files=sum(s.files for s in sources),
        bytes_on_disk=sum(s.bytes_on_disk for s in sources),
        bytes_loaded=sum(s.bytes_loaded for s in sources),
        lines=sum(s.lines for s in sources),
        database_bytes=fastest.database_bytes,
        latin1_files=fastest.latin1_files,
        sources=sources,
    )
    say(
        f"bench: baseline COPY of {figures.files:,} files ({figures.bytes_loaded / MB:,.1f} MB, "
        f"{figures.lines:,} lines) in {figures.seconds:.1f} s (the fastest of {runs})"
    )
    return figures


def _load(conn: Any, directories: list[Path]) -> _Load:
    """One timed load of every file in `directories` into a fresh schema, dropped afterwards."""
    conn.execute(f'DROP SCHEMA IF EXISTS "{BASELINE_SCHEMA}" CASCADE')
    conn.execute(f'CREATE SCHEMA "{BASELINE_SCHEMA}"')
    results: list[BaselineSource] = []
    latin1 = 0
    started, cpu_started = time.monotonic(), machine_cpu()
    for directory in directories:
        table = f'"{BASELINE_SCHEMA}"."{directory.name}"'
        source_started = time.monotonic()
        conn.execute(f"CREATE TABLE {table} (line text)")
        files = sorted(p for p in directory.iterdir() if p.is_file())
        on_disk = loaded = lines = 0
        for path in files:
            copied, rows, fallback = _copy_file(conn, table, path)
            on_disk += path.stat().st_size
            loaded += copied
            lines += rows
            latin1 += fallback
        results.append(
            BaselineSource(
                directory.name,
                len(files),
                on_disk,
                loaded,
                lines,
                round(time.monotonic() - source_started, 3),
            )
        )
    seconds = time.monotonic() - started
    cpu = machine_cpu_since(cpu_started)
    database_bytes = conn.execute(
        "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND c.relkind = 'r'",
        (BASELINE_SCHEMA,),
    ).fetchone()
    # The gene database is left as the rebuild made it (it matters with --keep).
    conn.execute(f'DROP SCHEMA "{BASELINE_SCHEMA}" CASCADE')
    return _Load(
        round(seconds, 3),
        None if cpu is None else cpu.stolen,
        results,
        latin1,
        int(database_bytes[0]) if database_bytes else 0,
    )


def _copy_file(conn: Any, table: str, path: Path) -> tuple[int, int, int]:
    """COPY one file's lines into `table`: (bytes sent, rows, 1 if it needed LATIN1 else 0)."""
    import psycopg

    try:
        return (*_stream(conn, table, path, "UTF8"), 0)
    except psycopg.errors.CharacterNotInRepertoire:
        # Not valid UTF-8 (an old Latin-1 export): every byte is a valid LATIN1 character, so
        # this always loads; one extra pass over a rare file.
        return (*_stream(conn, table, path, "LATIN1"), 1)


def _stream(conn: Any, table: str, path: Path, encoding: str) -> tuple[int, int]:
    statement = (
        f"COPY {table} (line) FROM STDIN WITH "
        f"(FORMAT csv, DELIMITER E'\\x1f', QUOTE E'\\x1e', ENCODING '{encoding}')"
    )
    sent = 0
    with conn.cursor() as cursor, _open_raw(path) as fh:
        with cursor.copy(statement) as copy:
            while chunk := fh.read(COPY_CHUNK):
                copy.write(chunk)
                sent += len(chunk)
        return sent, cursor.rowcount


def _open_raw(path: Path) -> IO[bytes]:
    with path.open("rb") as probe:
        magic = probe.read(2)
    # The store names files by sha256, so gzip is told by its magic bytes, not a suffix.
    return gzip.open(path, "rb") if magic == b"\x1f\x8b" else path.open("rb")
