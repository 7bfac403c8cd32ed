"""`kg-pipeline bench`: the speed and memory figures of the `rebuild` job, measured, never asserted.

This module owns the benchmark end to end: the snapshot it reads (generated at the requested
scale, or one the user names), the scratch databases it runs against (a gene database and a
Dagster storage database of its own, created and dropped on the chosen server so the user's data
is never touched), running whatever the `rebuild` job contains in-process (mirror mode, or live
mode against the local emulator), sampling memory while it runs, reading per-step seconds and
rows back from Dagster's event log, the bare COPY baseline, the JSON report and the terminal
summary. The targets it reports against are the ones in SPEC.md, "What 'fast' means".
"""

from __future__ import annotations

import contextlib
import dataclasses
import gzip
import hashlib
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Literal, Self

import dagster as dg
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from kg_pipeline.db.database import GeneDatabase, dispose_engine
from kg_pipeline.db.server import (
    DAGSTER_DB_DRIVER,
    GENE_DB_DRIVER,
    redact,
    start_embedded_server,
    with_driver,
)
from kg_pipeline.definitions import defs
from kg_pipeline.defs.raw import RawFileStore
from kg_pipeline.defs.resources import upstream_clients
from kg_pipeline.devtools.emulator.server import UpstreamEmulator
from kg_pipeline.devtools.snapshot import DEFAULT_SCALE, MANIFEST_NAME, Manifest
from kg_pipeline.instance import INSTANCE_CONFIG
from kg_pipeline.settings import SourceMode, get_settings
from kg_pipeline.upstreams import UPSTREAMS

Say = Callable[[str], None]

REPORT_FORMAT = 1
SAMPLE_INTERVAL_S = 0.05
# Finding the children means scanning every process in /proc; reading a known process's RSS is
# one small file. Rescanning once a second keeps the sampler itself off the 2 cores.
CHILDREN_RESCAN_EVERY = 20
PROGRESS_POLL_S = 1.0
HEARTBEAT_S = 30.0
# Live mode against the emulator: requests per second for every upstream. The real limits
# (PubTator 3/s, the rest 5/s) protect the real services; the emulator on localhost needs none,
# and at those rates its ~1,000 pages would measure the limiter instead of the pipeline.
BENCH_REQUESTS_PER_SECOND = 10_000.0
COPY_CHUNK = 1 << 20
BASELINE_SCHEMA = "bench_baseline"
GB = 1_000_000_000
MB = 1_000_000


class BenchError(RuntimeError):
    """The benchmark could not run at all; phrased for the user."""


@dataclass(frozen=True)
class BenchOptions:
    """What `kg-pipeline bench` was asked to do; None means "the default"."""

    scale: float | None = None
    """Snapshot scale to generate (default `DEFAULT_SCALE`); with `snapshot`, only a label."""
    mode: SourceMode = "mirror"
    snapshot: Path | None = None
    """Reuse this snapshot instead of generating one."""
    workdir: Path | None = None
    """Default `$KG_DATA_DIR/bench`."""
    server_url: str | None = None
    """Any URL of the PostgreSQL server to create the bench databases on; default: the server
    of KG_DATABASE_URL, or the embedded one."""
    out: Path | None = None
    """Report path; default `<workdir>/bench-report.json`."""
    keep: bool = False
    """Keep the databases and the run directory (snapshot, raw files, Dagster home)."""


@dataclass
class BenchResult:
    report: dict[str, Any]
    report_path: Path
    success: bool
    failure: str | None = None


# -- entry point -------------------------------------------------------------------------------


def bench(options: BenchOptions, say: Say | None = None) -> BenchResult:
    """Run the benchmark, write the JSON report, print the summary; see the module docstring.

    Returns the result even when the rebuild failed (the report records it); raises
    `BenchError` only when there is nothing to report.
    """
    say = say or _print
    if options.snapshot is not None and not (Path(options.snapshot) / MANIFEST_NAME).is_file():
        raise BenchError(
            f"{options.snapshot} is not a snapshot (no {MANIFEST_NAME}); generate one with "
            "`kg-pipeline snapshot --out DIR` or leave out --snapshot"
        )
    settings = get_settings()
    workdir = Path(options.workdir or settings.data_dir / "bench").expanduser().resolve()
    stamp = datetime.now(UTC).strftime("%Y%m%d_%H%M%S")
    token = f"{stamp}_{uuid.uuid4().hex[:6]}"
    run_dir = workdir / f"run-{token}"
    run_dir.mkdir(parents=True)
    report_path = Path(options.out or workdir / "bench-report.json").expanduser().resolve()
    load_start = os.getloadavg()

    try:
        snapshot = _prepare_snapshot(options, run_dir, say)
        admin_url, embedded = _admin_url(options)
        with ScratchDatabases(admin_url, token, keep=options.keep) as databases:
            say(
                f"bench: databases {databases.gene_name} and {databases.dagster_name} on "
                f"{'the embedded PostgreSQL' if embedded else redact(admin_url)}"
            )
            run = _run_rebuild(options.mode, snapshot, databases, run_dir, say)
            say("bench: measuring the database")
            database = _measure_database(databases)
            say("bench: bare baseline: COPY the same raw files into PostgreSQL, unparsed")
            baseline = copy_baseline(databases.gene_url, run_dir / "raw", say)
    finally:
        if not options.keep:
            shutil.rmtree(run_dir, ignore_errors=True)

    report = _assemble_report(
        options=options,
        snapshot=snapshot,
        run=run,
        database=database,
        baseline=baseline,
        databases=databases,
        admin_url=admin_url,
        embedded=embedded,
        run_dir=run_dir,
        load_start=load_start,
    )
    report_path.parent.mkdir(parents=True, exist_ok=True)
    report_path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    for line in summary_lines(report):
        say(line)
    say(f"bench: report written to {report_path}")
    if options.keep:
        say(
            f"bench: kept {run_dir} and databases {databases.gene_name}, "
            f"{databases.dagster_name}; drop them yourself when done"
        )
    return BenchResult(report, report_path, run.success, run.failure)


def _print(line: str) -> None:
    print(line, flush=True)


# -- snapshot ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SnapshotInfo:
    path: Path
    scale: float | None
    generated: bool
    generation_seconds: float | None
    manifest_sha256: str
    files: int
    bytes: int
    origins: dict[str, int]


def _prepare_snapshot(options: BenchOptions, run_dir: Path, say: Say) -> SnapshotInfo:
    if options.snapshot is not None:
        path = Path(options.snapshot).expanduser().resolve()
        say(f"bench: reusing the snapshot in {path}")
        return _snapshot_info(path, options.scale, generated=False, seconds=None)

    scale = options.scale if options.scale is not None else DEFAULT_SCALE
    path = run_dir / "snapshot"
    say(f"bench: generating a snapshot at scale {scale:g} in {path}")
    started = time.monotonic()
    # A child process: generation at scale 1 holds far more memory than a rebuild should, and in
    # this process it would stay in the RSS and the getrusage high-water mark of the run.
    command = [
        sys.executable,
        "-m",
        "kg_pipeline.cli",
        "snapshot",
        "--out",
        str(path),
        "--scale",
        repr(scale),
    ]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    ) as child:
        last = ""
        assert child.stdout is not None
        for line in child.stdout:
            last = line.rstrip()
            say(f"  {last}")
    if child.returncode != 0:
        raise BenchError(f"snapshot generation failed (exit {child.returncode}): {last}")
    seconds = time.monotonic() - started
    return _snapshot_info(path, scale, generated=True, seconds=seconds)


def _snapshot_info(
    path: Path, scale: float | None, *, generated: bool, seconds: float | None
) -> SnapshotInfo:
    manifest_file = path / MANIFEST_NAME
    manifest = Manifest.read(manifest_file)
    return SnapshotInfo(
        path=path,
        scale=scale,
        generated=generated,
        generation_seconds=seconds,
        manifest_sha256=hashlib.sha256(manifest_file.read_bytes()).hexdigest(),
        files=len(manifest.entries),
        bytes=manifest.total_bytes,
        origins=dict(Counter(entry.origin for entry in manifest.entries)),
    )


# -- scratch databases -------------------------------------------------------------------------


def _admin_url(options: BenchOptions) -> tuple[str, bool]:
    """The server's maintenance-database URL, and whether it is the embedded server."""
    if options.server_url:
        return with_driver(options.server_url, GENE_DB_DRIVER, "postgres"), False
    settings = get_settings()
    if settings.database_url:
        return with_driver(settings.database_url, GENE_DB_DRIVER, "postgres"), False
    server = start_embedded_server(settings.data_dir.expanduser().resolve())
    return with_driver(server, GENE_DB_DRIVER, "postgres"), True


class ScratchDatabases:
    """A gene database and a Dagster storage database of the benchmark's own.

    Created on entry (failing if the names exist: a bench never reuses data), dropped on exit
    unless `keep`.
    """

    def __init__(self, admin_url: str, token: str, *, keep: bool = False) -> None:
        self.admin_url = admin_url
        self.keep = keep
        self.gene_name = f"kg_bench_{token}"
        self.dagster_name = f"kg_bench_dagster_{token}"
        self.gene_url = with_driver(admin_url, GENE_DB_DRIVER, self.gene_name)
        self.dagster_url = with_driver(admin_url, DAGSTER_DB_DRIVER, self.dagster_name)

    def __enter__(self) -> ScratchDatabases:
        created: list[str] = []
        try:
            for name in (self.gene_name, self.dagster_name):
                self._admin(f'CREATE DATABASE "{name}"')
                created.append(name)
        except sa.exc.SQLAlchemyError as exc:
            reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
            server = redact(self.admin_url)
            if isinstance(exc, sa.exc.OperationalError) and not created:
                raise BenchError(
                    f"cannot reach PostgreSQL at {server}: {reason}; check --server-url or "
                    "KG_DATABASE_URL"
                ) from exc
            self._drop(created)
            raise BenchError(
                f"cannot create the bench databases on {server}: {reason}; the bench needs a "
                "role allowed to CREATE DATABASE (see --server-url)"
            ) from exc
        return self

    def __exit__(self, *exc_info: object) -> None:
        dispose_engine(self.gene_url)
        if not self.keep:
            self._drop([self.gene_name, self.dagster_name])

    def _drop(self, names: list[str]) -> None:
        for name in names:
            # FORCE: Dagster's storage may still hold an idle pooled connection.
            self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _admin(self, statement: str) -> None:
        engine = sa.create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(sa.text(statement))
        finally:
            engine.dispose()


def drop_bench_databases(admin_url: str, *names: str) -> None:
    """Drop databases a `--keep` bench left behind."""
    engine = sa.create_engine(
        with_driver(admin_url, GENE_DB_DRIVER, "postgres"), isolation_level="AUTOCOMMIT"
    )
    try:
        with engine.connect() as conn:
            for name in names:
                if not name.startswith("kg_bench_"):
                    raise ValueError(f"{name} is not a bench database")
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        engine.dispose()


# -- environment -------------------------------------------------------------------------------


@contextlib.contextmanager
def _environment(values: Mapping[str, str | None]) -> Iterator[None]:
    """Set (None: unset) environment variables for the block and re-read the settings.

    The resources are bound explicitly, but code in the run also asks `get_settings()`; pointing
    the settings at the bench databases and snapshot too means nothing in the run can reach the
    user's data. Restored afterwards, so a bench inside a test leaves the process as it was.
    """
    saved = {name: os.environ.get(name) for name in values}
    try:
        for name, value in values.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        get_settings.cache_clear()
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        get_settings.cache_clear()


# -- the rebuild run ---------------------------------------------------------------------------


@dataclass
class StepSpan:
    start: float | None = None
    end: float | None = None
    status: str = "not run"

    @property
    def seconds(self) -> float | None:
        if self.start is None or self.end is None:
            return None
        return self.end - self.start


@dataclass
class AssetFigures:
    asset: str
    group: str | None
    step: str
    status: str
    """materialized | observed (unchanged) | failed | skipped | not run"""
    seconds: float | None
    """Its step's STEP_START to STEP_SUCCESS/FAILURE (a multi-asset step counts once per asset)."""
    rows: int | None
    """`dagster/row_count` of its materialisation."""
    table: str | None
    """`dagster/table_name` of its materialisation."""
    raw_bytes: int | None
    """For raw assets: the bytes of the files stored."""
    peak_rss_bytes: int | None
    """Highest sampled RSS (process + children) while its step ran."""


@dataclass
class StepFigures:
    step: str
    status: str
    seconds: float | None
    peak_rss_bytes: int | None


@dataclass
class MemoryFigures:
    peak_rss_bytes: int
    peak_during_step: str | None
    peak_self_rss_bytes: int
    """This process alone."""
    children_seen: list[str]
    samples: int
    sample_interval_s: float
    rusage_self_maxrss_bytes: int
    """The kernel's high-water mark for this process up to the end of the run (includes
    imports and, under pytest, the test session)."""
    rusage_children_maxrss_bytes: int
    """The largest waited-for child over the process lifetime: the snapshot generator too."""


@dataclass
class LiveFigures:
    emulator_url: str
    requests: dict[str, int]
    non_200: int
    normal_requests_per_second: dict[str, float]
    bench_requests_per_second: float
    normal_rate_floor_seconds: float
    """What the normal limits alone would have added at least: per upstream (requests - 1) /
    rate, summed (the raw assets run one after another)."""


@dataclass
class RunFigures:
    success: bool
    failure: str | None
    run_id: str
    seconds: float
    cpu_seconds: float
    """User + system CPU of this process (and of children that ended) during the run: steadier
    than wall time on a shared machine, but without the PostgreSQL server's share of the work."""
    steps_seconds: float
    assets: list[AssetFigures]
    other_steps: list[StepFigures]
    memory: MemoryFigures
    live: LiveFigures | None = None


@dataclass
class RunLog:
    """What the run's event log says: per step its span, per asset (by name) its event."""

    spans: dict[str, StepSpan] = field(default_factory=dict)
    materialized: dict[str, dg.AssetMaterialization] = field(default_factory=dict)
    observed: dict[str, dg.AssetObservation] = field(default_factory=dict)


def _run_rebuild(
    mode: SourceMode, snapshot: SnapshotInfo, databases: ScratchDatabases, run_dir: Path, say: Say
) -> RunFigures:
    home = run_dir / "dagster_home"
    home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(INSTANCE_CONFIG, home / "dagster.yaml")
    # The normal rates, read before live mode raises them.
    normal_rates = {key: upstream.requests_per_second for key, upstream in UPSTREAMS.items()}
    normal_rates["pubtator"] = get_settings().pubtator_requests_per_second

    with _run_environment(mode, snapshot, databases, run_dir, say) as emulator:
        definitions = defs()
        job = definitions.resolve_job_def("rebuild")
        clients = (
            upstream_clients(source_mode="live", upstream_url=emulator.url)
            if emulator is not None
            else upstream_clients(source_mode="mirror", mirror_dir=str(snapshot.path))
        )
        resources = {
            "gene_db": GeneDatabase(url=databases.gene_url),
            "raw_store": RawFileStore(root=str(run_dir / "raw")),
            **clients,
        }
        with dg.DagsterInstance.from_config(str(home)) as instance:
            run_id = str(uuid.uuid4())
            count = len(job.asset_layer.selected_asset_keys)
            say(f"bench: running the rebuild job ({count} assets), run {run_id}")
            with (
                MemorySampler() as sampler,
                _ProgressReporter(instance, run_id, sampler, say),
            ):
                started, cpu_started = time.monotonic(), _cpu_seconds()
                result = job.execute_in_process(
                    instance=instance,
                    run_id=run_id,
                    resources=resources,
                    raise_on_error=False,
                    tags={
                        "kg/source_mode": mode,
                        "kg/snapshot_manifest_sha256": snapshot.manifest_sha256,
                        "kg/bench": "true",
                    },
                    run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}},
                )
                seconds = time.monotonic() - started
                cpu_seconds = _cpu_seconds() - cpu_started
                # Read now: the baseline and the report come after and must not count.
                rusage_self = _maxrss_bytes(resource.RUSAGE_SELF)
                rusage_children = _maxrss_bytes(resource.RUSAGE_CHILDREN)
            log = _read_event_log(instance, run_id)
        live = _live_figures(emulator, normal_rates) if emulator is not None else None

    failure = _failure(result)
    say(f"bench: rebuild {'done' if failure is None else 'FAILED'} in {seconds:.1f} s")
    assets, other_steps = _step_figures(definitions, job, log, sampler)
    peak_time, peak = sampler.peak()
    memory = MemoryFigures(
        peak_rss_bytes=peak,
        peak_during_step=next(
            (
                step
                for step, span in log.spans.items()
                if span.start is not None and span.start <= peak_time <= (span.end or time.time())
            ),
            None,
        ),
        peak_self_rss_bytes=sampler.peak_self_rss,
        children_seen=sorted(sampler.children_seen),
        samples=len(sampler.samples),
        sample_interval_s=SAMPLE_INTERVAL_S,
        rusage_self_maxrss_bytes=rusage_self,
        rusage_children_maxrss_bytes=rusage_children,
    )
    return RunFigures(
        success=failure is None,
        failure=failure,
        run_id=run_id,
        seconds=round(seconds, 3),
        cpu_seconds=round(cpu_seconds, 3),
        steps_seconds=round(sum(span.seconds or 0.0 for span in log.spans.values()), 3),
        assets=assets,
        other_steps=other_steps,
        memory=memory,
        live=live,
    )


@contextlib.contextmanager
def _run_environment(
    mode: SourceMode, snapshot: SnapshotInfo, databases: ScratchDatabases, run_dir: Path, say: Say
) -> Iterator[UpstreamEmulator | None]:
    """Settings pointed at the bench's databases and snapshot; in live mode, the emulator
    serving the snapshot (yielded) with the rate limits raised."""
    env: dict[str, str | None] = {
        "KG_DATABASE_URL": databases.gene_url,
        "KG_DAGSTER_PG_URL": databases.dagster_url,
        "KG_DATA_DIR": str(run_dir),
        "KG_SOURCE_MODE": mode,
        "KG_MIRROR_DIR": str(snapshot.path),
        "KG_UPSTREAM_URL": None,
        "DAGSTER_HOME": str(run_dir / "dagster_home"),
        # A per-upstream base URL would win over the emulator's URL and reach a real service.
        **{f"KG_{key.upper()}_BASE_URL": None for key in UPSTREAMS},
    }
    if mode == "mirror":
        with _environment(env):
            yield None
        return
    with UpstreamEmulator(snapshot.path) as emulator:
        env |= {
            "KG_UPSTREAM_URL": emulator.url,
            "KG_HTTP_REQUESTS_PER_SECOND": str(BENCH_REQUESTS_PER_SECOND),
            # The emulator needs no key, and a key has no business leaving for a test server.
            "KG_NCBI_API_KEY": None,
        }
        say(f"bench: live mode against the emulator at {emulator.url}, rate limits raised")
        with _environment(env):
            yield emulator


def _cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def _maxrss_bytes(who: int) -> int:
    # Linux reports kilobytes, macOS bytes.
    scale = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(who).ru_maxrss * scale


def _read_event_log(instance: dg.DagsterInstance, run_id: str) -> RunLog:
    types = dg.DagsterEventType
    step_events = {types.STEP_START, types.STEP_SUCCESS, types.STEP_FAILURE, types.STEP_SKIPPED}
    log = RunLog()
    for entry in instance.all_logs(run_id):
        event = entry.dagster_event
        if event is None:
            continue
        if event.step_key is not None and event.event_type in step_events:
            span = log.spans.setdefault(event.step_key, StepSpan())
            if event.event_type == types.STEP_START:
                span.start, span.status = entry.timestamp, "running"
            elif event.event_type == types.STEP_SKIPPED:
                span.status = "skipped"
            else:
                span.end = entry.timestamp
                span.status = "succeeded" if event.event_type == types.STEP_SUCCESS else "failed"
        elif (materialization := entry.asset_materialization) is not None:
            log.materialized[materialization.asset_key.to_user_string()] = materialization
        elif (observation := entry.asset_observation) is not None:
            log.observed[observation.asset_key.to_user_string()] = observation
    return log


def _failure(result: dg.ExecuteInProcessResult) -> str | None:
    if result.success:
        return None
    failures = [e for e in result.all_events if e.is_step_failure]
    if failures:
        error = failures[0].step_failure_data.error
        message = (error.message if error else "unknown error").strip().splitlines()[0]
        return f"rebuild failed in {failures[0].step_key}: {message}"
    return "rebuild failed; keep its Dagster storage with --keep to see why"


def _metadata_value(metadata: Mapping[str, Any], key: str) -> Any:
    value = metadata.get(key)
    return getattr(value, "value", value)


def _step_figures(
    definitions: dg.Definitions, job: dg.JobDefinition, log: RunLog, sampler: MemorySampler
) -> tuple[list[AssetFigures], list[StepFigures]]:
    """One row per asset of the job, then the steps that are not assets (asset checks), each
    in the order they ran; what never started goes last."""
    graph = definitions.resolve_asset_graph()
    started = {step: span.start or float("inf") for step, span in log.spans.items()}
    assets: list[AssetFigures] = []
    for key in job.asset_layer.selected_asset_keys:
        name = key.to_user_string()
        step = definitions.resolve_assets_def(key).node_def.name
        span = log.spans.get(step, StepSpan())
        if (materialization := log.materialized.get(name)) is not None:
            status, metadata = "materialized", materialization.metadata
        elif (observation := log.observed.get(name)) is not None:
            status, metadata = "observed (unchanged)", observation.metadata
        else:
            status, metadata = span.status, {}
        rows = _metadata_value(metadata, "dagster/row_count")
        raw_bytes = _metadata_value(metadata, "bytes") if name.startswith("raw_") else None
        assets.append(
            AssetFigures(
                asset=name,
                group=graph.get(key).group_name,
                step=step,
                status=status,
                seconds=_round(span.seconds),
                rows=None if rows is None else int(rows),
                table=_metadata_value(metadata, "dagster/table_name"),
                raw_bytes=None if raw_bytes is None else int(raw_bytes),
                peak_rss_bytes=_peak(sampler, span),
            )
        )
    assets.sort(key=lambda a: (started.get(a.step, float("inf")), a.asset))
    asset_steps = {a.step for a in assets}
    others = [
        StepFigures(step, span.status, _round(span.seconds), _peak(sampler, span))
        for step, span in sorted(log.spans.items(), key=lambda item: (started[item[0]], item[0]))
        if step not in asset_steps
    ]
    return assets, others


def _peak(sampler: MemorySampler, span: StepSpan) -> int | None:
    if span.start is None:
        return None
    return sampler.peak_between(span.start, span.end if span.end is not None else time.time())


def _live_figures(emulator: UpstreamEmulator, normal: dict[str, float]) -> LiveFigures:
    requests = emulator.requests
    per_upstream = Counter(record.upstream for record in requests)
    floor = sum(max(0, n - 1) / normal[key] for key, n in per_upstream.items() if key in normal)
    return LiveFigures(
        emulator_url=emulator.url,
        requests=dict(sorted(per_upstream.items())),
        non_200=sum(1 for record in requests if record.status != 200),
        normal_requests_per_second=normal,
        bench_requests_per_second=BENCH_REQUESTS_PER_SECOND,
        normal_rate_floor_seconds=round(floor, 1),
    )


def _round(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


# -- memory ------------------------------------------------------------------------------------


class _BackgroundThread:
    """A daemon thread running `_run` between `__enter__` and `stop()` (idempotent)."""

    def __init__(self, name: str) -> None:
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join()

    def _run(self) -> None:
        raise NotImplementedError


class MemorySampler(_BackgroundThread):
    """Samples the RSS of this process plus all its children on a thread, every 50 ms.

    Keeps every (wall time, bytes) sample so peaks can be attributed to steps afterwards; a
    three-minute run is a few thousand pairs. Use as a context manager; `stop()` is idempotent.
    """

    def __init__(self, interval_s: float = SAMPLE_INTERVAL_S) -> None:
        try:
            import psutil
        except ImportError as exc:
            raise BenchError(
                "kg-pipeline bench needs psutil to sample memory: reinstall the project "
                '(pip install -e ".[test]")'
            ) from exc
        self._psutil = psutil
        self._process = psutil.Process()
        self.interval_s = interval_s
        self.samples: list[tuple[float, int]] = []
        """(wall time, RSS of the process and its children)."""
        self.peak_self_rss = 0
        self.children_seen: set[str] = set()
        """`name[pid]` of every child process sampled, so the report says what "children" was."""
        super().__init__("bench-memory")

    def _run(self) -> None:
        psutil = self._psutil
        children: list[Any] = []
        tick = 0
        while True:
            if tick % CHILDREN_RESCAN_EVERY == 0:
                try:
                    children = self._process.children(recursive=True)
                except psutil.Error:
                    children = []
            own = self._process.memory_info().rss
            rss = own
            for child in children:
                with contextlib.suppress(psutil.Error):
                    rss += child.memory_info().rss
                    self.children_seen.add(f"{child.name()}[{child.pid}]")
            self.peak_self_rss = max(self.peak_self_rss, own)
            self.samples.append((time.time(), rss))
            tick += 1
            if self._stopping.wait(self.interval_s):
                return

    def current(self) -> int:
        return self.samples[-1][1] if self.samples else 0

    def peak(self) -> tuple[float, int]:
        """(wall time, bytes) of the highest sample."""
        return max(self.samples, key=lambda sample: sample[1], default=(0.0, 0))

    def peak_between(self, start: float, end: float) -> int | None:
        # A step shorter than the interval may fall between samples: take the next one too.
        inside = [rss for t, rss in self.samples if start <= t <= end + self.interval_s]
        return max(inside) if inside else None


# -- progress ----------------------------------------------------------------------------------


class _ProgressReporter(_BackgroundThread):
    """Prints a line per finished step while the run goes, read from the run's event log.

    Polls the event log (the same records the figures come from) once a second, and says which
    step is still running every 30 s, so a long scale-1 step is not mistaken for a hang.
    """

    def __init__(
        self, instance: dg.DagsterInstance, run_id: str, sampler: MemorySampler, say: Say
    ) -> None:
        self._instance = instance
        self._run_id = run_id
        self._sampler = sampler
        self._say = say
        self._cursor: str | None = None
        self._started = time.monotonic()
        self._last_line = self._started
        self._running: dict[str, float] = {}
        self._rows: dict[str, int] = {}
        self._finished = 0
        super().__init__("bench-progress")

    def __enter__(self) -> Self:
        self._started = self._last_line = time.monotonic()
        return super().__enter__()

    def _run(self) -> None:
        while not self._stopping.wait(PROGRESS_POLL_S):
            try:
                self._poll()
            except Exception as exc:  # progress is a courtesy: never let it end the bench
                self._say(f"bench: progress display stopped ({type(exc).__name__}: {exc})")
                return
            self._heartbeat()

    def _poll(self) -> None:
        types = dg.DagsterEventType
        connection = self._instance.get_records_for_run(
            self._run_id,
            cursor=self._cursor,
            of_type={
                types.STEP_START,
                types.STEP_SUCCESS,
                types.STEP_FAILURE,
                types.ASSET_MATERIALIZATION,
            },
        )
        self._cursor = connection.cursor
        for record in connection.records:
            entry = record.event_log_entry
            event = entry.dagster_event
            if event is None or event.step_key is None:
                continue
            step = event.step_key
            if event.event_type == types.STEP_START:
                self._running[step] = entry.timestamp
            elif event.event_type == types.ASSET_MATERIALIZATION:
                materialization = entry.asset_materialization
                rows = _metadata_value(
                    materialization.metadata if materialization else {}, "dagster/row_count"
                )
                if rows is not None:
                    self._rows[step] = self._rows.get(step, 0) + int(rows)
            else:
                started = self._running.pop(step, entry.timestamp)
                self._finished += 1
                rows = self._rows.get(step)
                self._line(
                    f"{step} {'done' if event.event_type == types.STEP_SUCCESS else 'FAILED'} "
                    f"in {entry.timestamp - started:.1f} s"
                    + (f", {rows:,} rows" if rows is not None else "")
                )

    def _heartbeat(self) -> None:
        if self._running and time.monotonic() - self._last_line >= HEARTBEAT_S:
            step, started = min(self._running.items(), key=lambda item: item[1])
            self._line(f"still running {step} ({time.time() - started:.0f} s)")

    def _line(self, text: str) -> None:
        elapsed = time.monotonic() - self._started
        rss = self._sampler.current() / MB
        self._say(
            f"bench: {elapsed:6.1f} s  [{self._finished:>2} steps]  {text}  (RSS {rss:,.0f} MB)"
        )
        self._last_line = time.monotonic()


# -- the database after the run ----------------------------------------------------------------


@dataclass
class TableFigures:
    name: str
    kind: str
    rows: int
    total_bytes: int
    table_bytes: int
    index_bytes: int


@dataclass
class DatabaseFigures:
    postgres_version: str
    gene_database_bytes: int
    dagster_database_bytes: int
    tables: list[TableFigures] = field(default_factory=list)


def _measure_database(databases: ScratchDatabases) -> DatabaseFigures:
    gene = sa.create_engine(databases.gene_url)
    dagster = sa.create_engine(with_driver(databases.dagster_url, GENE_DB_DRIVER))
    try:
        with gene.connect() as conn:
            version = conn.execute(sa.text("SHOW server_version")).scalar_one()
            size = conn.execute(sa.text("SELECT pg_database_size(current_database())")).scalar()
            relations = conn.execute(
                sa.text(
                    "SELECT c.relname, c.relkind, pg_total_relation_size(c.oid), "
                    "pg_relation_size(c.oid), pg_indexes_size(c.oid) "
                    "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'm', 'p') "
                    "ORDER BY c.relname"
                )
            ).all()
            tables = [
                TableFigures(
                    name=name,
                    kind={"r": "table", "m": "materialized view", "p": "table"}[kind],
                    rows=conn.execute(
                        sa.text(f'SELECT count(*) FROM public."{name}"')
                    ).scalar_one(),
                    total_bytes=total,
                    table_bytes=heap,
                    index_bytes=indexes,
                )
                for name, kind, total, heap, indexes in relations
            ]
        with dagster.connect() as conn:
            dagster_size = conn.execute(
                sa.text("SELECT pg_database_size(current_database())")
            ).scalar()
    finally:
        gene.dispose()
        dagster.dispose()
    return DatabaseFigures(
        postgres_version=str(version),
        gene_database_bytes=int(size or 0),
        dagster_database_bytes=int(dagster_size or 0),
        tables=tables,
    )


# -- the bare baseline -------------------------------------------------------------------------


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
    files: int
    bytes_on_disk: int
    bytes_loaded: int
    lines: int
    database_bytes: int
    latin1_files: int
    sources: list[BaselineSource]
    method: str = (
        "every raw file the run stored (the content-addressed store: what the raw assets "
        "fetched), gzip decompressed on the fly, streamed with COPY ... FROM STDIN into one "
        "single-text-column table per source (CSV format with control-character delimiter and "
        "quote, so no byte is interpreted), one autocommitted COPY per file, no parsing, no "
        "indexes; the tables are dropped afterwards"
    )


def copy_baseline(gene_url: str, raw_root: Path, say: Say | None = None) -> BaselineFigures:
    """Time COPYing every file under `raw_root/<source>/` into PostgreSQL, unparsed."""
    import psycopg

    say = say or _print
    sources = (
        sorted(p for p in raw_root.iterdir() if p.is_dir() and not p.name.startswith("."))
        if raw_root.is_dir()
        else []
    )
    conninfo = make_url(gene_url).set(drivername="postgresql").render_as_string(hide_password=False)
    results: list[BaselineSource] = []
    latin1 = 0
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{BASELINE_SCHEMA}" CASCADE')
        conn.execute(f'CREATE SCHEMA "{BASELINE_SCHEMA}"')
        started = time.monotonic()
        for directory in sources:
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
        database_bytes = conn.execute(
            "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relkind = 'r'",
            (BASELINE_SCHEMA,),
        ).fetchone()
        # The gene database is left as the rebuild made it (it matters with --keep).
        conn.execute(f'DROP SCHEMA "{BASELINE_SCHEMA}" CASCADE')
    figures = BaselineFigures(
        seconds=round(seconds, 3),
        files=sum(s.files for s in results),
        bytes_on_disk=sum(s.bytes_on_disk for s in results),
        bytes_loaded=sum(s.bytes_loaded for s in results),
        lines=sum(s.lines for s in results),
        database_bytes=int(database_bytes[0]) if database_bytes else 0,
        latin1_files=latin1,
        sources=results,
    )
    say(
        f"bench: baseline COPY of {figures.files:,} files ({figures.bytes_loaded / MB:,.1f} MB, "
        f"{figures.lines:,} lines) in {figures.seconds:.1f} s"
    )
    return figures


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


# -- report ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """One SPEC target, with this run's figure; `met` is shown even where the SPEC's condition
    is not this run's (`applies_to_this_run` False), so a trend shows before the real run."""

    name: str
    description: str
    value: float | None
    threshold: float
    unit: Literal["s", "x", "bytes"]
    applies_to_this_run: bool | None
    """None: unknown (a supplied snapshot without --scale)."""
    spec_condition: str
    run_succeeded: bool = True

    @property
    def met(self) -> bool | None:
        if self.value is None:
            return None
        # "Within 3x" includes 3x; "under 60 s" and "under 1 GB" do not include the limit.
        within = self.value <= self.threshold if self.unit == "x" else self.value < self.threshold
        return self.run_succeeded and within

    def to_json(self) -> dict[str, Any]:
        fields = dataclasses.asdict(self)
        del fields["run_succeeded"]  # a failed run meets no time target; that is all it says
        return {**fields, "met": self.met}


def _targets(scale: float | None, run: RunFigures, ratio: float | None) -> list[Target]:
    full = None if scale is None else scale >= 1
    full_condition = (
        "full upstream scale (--scale 1); the SPEC measures it from the emulator (--mode live)"
    )
    return [
        Target(
            name="default_snapshot_rebuild_under_60s",
            description="full rebuild from the default offline snapshot under 60 s",
            value=run.seconds,
            threshold=60.0,
            unit="s",
            applies_to_this_run=None if scale is None else scale == DEFAULT_SCALE,
            spec_condition=f"the default snapshot (scale {DEFAULT_SCALE:g})",
            run_succeeded=run.success,
        ),
        Target(
            name="full_scale_within_3x_baseline",
            description="full-scale rebuild within 3x the bare COPY baseline",
            value=ratio,
            threshold=3.0,
            unit="x",
            applies_to_this_run=full,
            spec_condition=full_condition,
            run_succeeded=run.success,
        ),
        Target(
            name="full_scale_rebuild_under_180s",
            description="full-scale rebuild under 3 minutes",
            value=run.seconds,
            threshold=180.0,
            unit="s",
            applies_to_this_run=full,
            spec_condition=full_condition,
            run_succeeded=run.success,
        ),
        Target(
            name="peak_memory_under_1gb",
            description="peak RSS of the whole run (process + children) under 1 GB",
            value=float(run.memory.peak_rss_bytes),
            threshold=float(GB),
            unit="bytes",
            applies_to_this_run=True,
            spec_condition="the whole run (the SPEC states it with the full-scale target)",
        ),
    ]


def _assemble_report(
    *,
    options: BenchOptions,
    snapshot: SnapshotInfo,
    run: RunFigures,
    database: DatabaseFigures,
    baseline: BaselineFigures,
    databases: ScratchDatabases,
    admin_url: str,
    embedded: bool,
    run_dir: Path,
    load_start: tuple[float, float, float],
) -> dict[str, Any]:
    import psutil

    ratio = round(run.seconds / baseline.seconds, 3) if baseline.seconds > 0 else None
    rows_by_table: dict[str, int] = {}
    for figures in run.assets:
        if figures.table and figures.rows is not None:
            rows_by_table[figures.table] = rows_by_table.get(figures.table, 0) + figures.rows
    tables = [
        {**dataclasses.asdict(t), "rows_by_assets": rows_by_table.get(t.name)}
        for t in database.tables
    ]
    notes = [
        "Timings are wall-clock on a machine that may be shared: see machine.load_average_*.",
        "Peak RSS covers this process and its child processes; the PostgreSQL server is a "
        "separate process tree and is not included.",
        "The baseline runs after the rebuild, so both read files the OS has cached.",
    ]
    if options.mode == "live":
        notes.append(
            "Live mode: the emulator serves the snapshot from a thread of this process (its CPU "
            "and memory are in the figures), and every upstream's rate limit was raised to "
            f"{BENCH_REQUESTS_PER_SECOND:g} requests/s; see rebuild.live for the requests made "
            "and the time the normal limits would have added."
        )
    elif snapshot.scale is not None and snapshot.scale >= 1:
        notes.append(
            "Mirror mode: the SPEC states the full-scale targets for the emulator (--mode live)."
        )
    if options.snapshot is not None and options.scale is None:
        notes.append("The snapshot was supplied without --scale: scale-dependent targets unknown.")
    mismatched = [t["name"] for t in tables if t["rows_by_assets"] not in (None, t["rows"])]
    if mismatched:
        notes.append(
            "Rows reported by the assets differ from the rows in: " + ", ".join(mismatched)
        )

    return {
        "format": REPORT_FORMAT,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpu_count": os.cpu_count(),
            "cpus_usable": len(os.sched_getaffinity(0))
            if hasattr(os, "sched_getaffinity")
            else os.cpu_count(),
            "memory_total_bytes": psutil.virtual_memory().total,
            "platform": platform.platform(),
            "python": platform.python_version(),
            "postgres": database.postgres_version,
            "dagster": dg.__version__,
            "load_average_start": [round(x, 2) for x in load_start],
            "load_average_end": [round(x, 2) for x in os.getloadavg()],
        },
        "parameters": {
            "mode": options.mode,
            "scale": snapshot.scale,
            "default_scale": DEFAULT_SCALE,
            "snapshot": str(snapshot.path),
            "snapshot_generated": snapshot.generated,
            "workdir": str(run_dir.parent),
            "run_dir": str(run_dir),
            "server": redact(admin_url),
            "embedded_server": embedded,
            "gene_database": databases.gene_name,
            "dagster_database": databases.dagster_name,
            "kept": options.keep,
            "rate_limits_raised": options.mode == "live",
        },
        "snapshot": {
            "manifest_sha256": snapshot.manifest_sha256,
            "files": snapshot.files,
            "bytes": snapshot.bytes,
            "origins": snapshot.origins,
            "generation_seconds": _round(snapshot.generation_seconds),
        },
        "rebuild": {
            "success": run.success,
            "failure": run.failure,
            "run_id": run.run_id,
            "seconds": run.seconds,
            "cpu_seconds": run.cpu_seconds,
            "steps_seconds": run.steps_seconds,
            "overhead_seconds": round(run.seconds - run.steps_seconds, 3),
            "assets": [dataclasses.asdict(a) for a in run.assets],
            "other_steps": [dataclasses.asdict(s) for s in run.other_steps],
            "live": dataclasses.asdict(run.live) if run.live else None,
        },
        "memory": dataclasses.asdict(run.memory),
        "database": {
            "postgres_version": database.postgres_version,
            "gene_database_bytes": database.gene_database_bytes,
            "dagster_database_bytes": database.dagster_database_bytes,
            "tables": tables,
        },
        "baseline": dataclasses.asdict(baseline),
        "ratios": {"rebuild_over_baseline": ratio},
        "targets": [target.to_json() for target in _targets(snapshot.scale, run, ratio)],
        "notes": notes,
    }


# -- terminal summary --------------------------------------------------------------------------


def _mb(value: int | None) -> str:
    return "-" if value is None else f"{value / MB:,.0f} MB"


def summary_lines(report: Mapping[str, Any]) -> list[str]:
    """The report as the readable table printed at the end of a bench."""
    machine, params = report["machine"], report["parameters"]
    snapshot, rebuild = report["snapshot"], report["rebuild"]
    memory, database, baseline = report["memory"], report["database"], report["baseline"]
    scale = params["scale"]
    rows = [
        (a["asset"], a["group"] or "-", a["status"], a["seconds"], a["rows"], a["peak_rss_bytes"])
        for a in rebuild["assets"]
    ] + [
        (s["step"], "check", s["status"], s["seconds"], None, s["peak_rss_bytes"])
        for s in rebuild["other_steps"]
    ]
    width = max([len(row[0]) for row in rows] + [5])
    lines = [
        "",
        f"kg-pipeline bench: rebuild, {params['mode']} mode, snapshot scale "
        f"{'unknown' if scale is None else f'{scale:g}'} ({snapshot['files']:,} files, "
        f"{snapshot['bytes'] / MB:,.1f} MB, manifest {snapshot['manifest_sha256'][:12]})",
        f"machine: {machine['cpus_usable']} CPUs, {machine['memory_total_bytes'] / GB:.0f} GB, "
        f"Python {machine['python']}, PostgreSQL {machine['postgres']}, Dagster "
        f"{machine['dagster']}; load average {machine['load_average_start'][0]:.2f} at start, "
        f"{machine['load_average_end'][0]:.2f} at end",
        "",
        f"{'step':<{width}} {'group':<10} {'status':<12} {'seconds':>8} {'rows':>10} "
        f"{'peak RSS':>9}",
    ]
    for name, group, status, seconds, count, peak in rows:
        lines.append(
            f"{name:<{width}} {group:<10} {status[:12]:<12} {_num(seconds, '.2f'):>8} "
            f"{_num(count, ',d'):>10} {_mb(peak):>9}"
        )
    ratio = report["ratios"]["rebuild_over_baseline"]
    lines += [
        "",
        f"rebuild          {rebuild['seconds']:8.1f} s   "
        f"({'succeeded' if rebuild['success'] else 'FAILED: ' + str(rebuild['failure'])}; "
        f"steps {rebuild['steps_seconds']:.1f} s, Dagster overhead "
        f"{rebuild['overhead_seconds']:.1f} s; CPU of this process {rebuild['cpu_seconds']:.1f} s)",
        f"baseline COPY    {baseline['seconds']:8.1f} s   ({baseline['files']:,} files, "
        f"{baseline['bytes_loaded'] / MB:,.1f} MB, {baseline['lines']:,} lines)",
        f"ratio            {_num(ratio, '.2f'):>8} x   rebuild / baseline",
        f"peak RSS         {_mb(memory['peak_rss_bytes']):>10}   (process + children, every "
        f"{memory['sample_interval_s'] * 1000:.0f} ms; during {memory['peak_during_step']}); "
        f"getrusage max {_mb(memory['rusage_self_maxrss_bytes'])}",
        f"gene database    {_mb(database['gene_database_bytes']):>10}   (Dagster storage "
        f"{_mb(database['dagster_database_bytes'])}; baseline tables "
        f"{_mb(baseline['database_bytes'])})",
    ]
    live = rebuild.get("live")
    if live:
        requests = sum(live["requests"].values())
        lines.append(
            f"live             {requests:,} requests to the emulator, rate limits raised to "
            f"{live['bench_requests_per_second']:g}/s (normal limits would add >= "
            f"{live['normal_rate_floor_seconds']:.0f} s)"
        )
    biggest = sorted(database["tables"], key=lambda t: t["total_bytes"], reverse=True)[:6]
    lines.append(
        "largest tables   "
        + ", ".join(f"{t['name']} {_mb(t['total_bytes'])} ({t['rows']:,} rows)" for t in biggest)
    )
    lines += ["", "targets (SPEC.md, What 'fast' means):"]
    for target in report["targets"]:
        unit = target["unit"]
        value, threshold = target["value"], target["threshold"]
        if unit == "bytes":
            shown = f"{_mb(value)} (target < {threshold / GB:g} GB)"
        else:
            sign = "<=" if unit == "x" else "<"
            shown = f"{_num(value, '.2f')} {unit} (target {sign} {threshold:g} {unit})"
        met = {True: "met", False: "NOT MET", None: "unknown"}[target["met"]]
        if target["applies_to_this_run"] is False:
            # Still shown, with what it would be: the trend matters before the full-scale run.
            lines.append(
                f"  {'n/a':<8} {target['description']}: {shown}, {met.lower()} if it applied; "
                f"SPEC condition: {target['spec_condition']}"
            )
        else:
            lines.append(f"  {met:<8} {target['description']}: {shown}")
    return lines


def _num(value: float | int | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)
