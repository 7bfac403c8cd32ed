"""The timed rebuild: whatever the `rebuild` job contains, run in-process with the code location's
resources configured from settings of the bench's own: the scratch databases and the snapshot
(mirror mode) or the emulator serving it (live mode, rate limits raised). Measures its wall time,
CPU time and memory.
"""

from __future__ import annotations

import contextlib
import os
import resource
import shutil
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import yaml
from dagster._core.instance.ref import InstanceRef

from kg_pipeline.definitions import build_definitions
from kg_pipeline.devtools.bench.event_log import (
    AssetFigures,
    StepFigures,
    read_event_log,
    step_figures,
)
from kg_pipeline.devtools.bench.memory import SAMPLE_INTERVAL_S, MemorySampler
from kg_pipeline.devtools.bench.options import Say, machine_cpu, machine_cpu_since
from kg_pipeline.devtools.bench.progress import ProgressReporter
from kg_pipeline.devtools.bench.refresh import RefreshFigures, run_no_change_refresh
from kg_pipeline.devtools.bench.scratch import ScratchDatabases
from kg_pipeline.devtools.bench.snapshot_input import SnapshotInfo
from kg_pipeline.devtools.emulator.process import EmulatorProcess
from kg_pipeline.instance import INSTANCE_CONFIG
from kg_pipeline.settings import Settings, SourceMode
from kg_pipeline.sources.registry import UPSTREAMS

# Live mode against the emulator: requests per second for every upstream. The real limits
# (PubTator 3/s, the rest 5/s) protect the real services; the emulator on localhost needs none,
# and at those rates its ~1,000 pages would measure the limiter instead of the pipeline.
BENCH_REQUESTS_PER_SECOND = 10_000.0


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
    than wall time on a shared machine, but without the PostgreSQL server's and the emulator's
    share of the work (`machine_busy_cpu_seconds` has them)."""
    machine_busy_cpu_seconds: float | None
    """CPU time of every process on the machine during the run, summed over its CPUs
    (`MachineCpu.busy`): this process's, the emulator's and a local PostgreSQL server's."""
    stolen_cpu_seconds: float | None
    """CPU time the hypervisor gave other machines during the run (`MachineCpu.stolen`)."""
    steps_seconds: float
    assets: list[AssetFigures]
    other_steps: list[StepFigures]
    memory: MemoryFigures
    live: LiveFigures | None = None
    no_change_refresh: RefreshFigures | None = None


def run_rebuild(
    mode: SourceMode, snapshot: SnapshotInfo, databases: ScratchDatabases, run_dir: Path, say: Say
) -> RunFigures:
    normal_rates = {key: upstream.requests_per_second for key, upstream in UPSTREAMS.items()}
    instance_ref = bench_instance_ref(run_dir, databases)

    with _emulator(mode, snapshot, say) as emulator:
        definitions = build_definitions(
            bench_settings(mode, snapshot, databases, run_dir, emulator)
        )
        job = definitions.resolve_job_def("rebuild")
        with dg.DagsterInstance.from_ref(instance_ref) as instance:
            run_id = str(uuid.uuid4())
            count = len(job.asset_layer.selected_asset_keys)
            say(f"bench: running the rebuild job ({count} assets), run {run_id}")
            with (
                MemorySampler() as sampler,
                ProgressReporter(instance, run_id, sampler, say),
            ):
                started, cpu_started = time.monotonic(), _cpu_seconds()
                machine_started = machine_cpu()
                result = job.execute_in_process(
                    instance=instance,
                    run_id=run_id,
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
                machine = machine_cpu_since(machine_started)
                # Read now: the baseline and the report come after and must not count.
                rusage_self = _maxrss_bytes(resource.RUSAGE_SELF)
                rusage_children = _maxrss_bytes(resource.RUSAGE_CHILDREN)
            log = read_event_log(instance, run_id)
            live = _live_figures(emulator, normal_rates) if emulator is not None else None
            refresh = (
                run_no_change_refresh(definitions, instance, emulator, say)
                if emulator is not None and result.success
                else None
            )

    failure = run_failure(result)
    say(f"bench: rebuild {'done' if failure is None else 'FAILED'} in {seconds:.1f} s")
    assets, other_steps = step_figures(definitions, job, log, sampler)
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
        machine_busy_cpu_seconds=None if machine is None else machine.busy,
        stolen_cpu_seconds=None if machine is None else machine.stolen,
        steps_seconds=round(sum(span.seconds or 0.0 for span in log.spans.values()), 3),
        assets=assets,
        other_steps=other_steps,
        memory=memory,
        live=live,
        no_change_refresh=refresh,
    )


def _cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def _maxrss_bytes(who: int) -> int:
    # Linux reports kilobytes, macOS bytes.
    scale = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(who).ru_maxrss * scale


def run_failure(result: dg.ExecuteInProcessResult) -> str | None:
    """Why a run of a job failed, as one line (None when it succeeded)."""
    if result.success:
        return None
    job = result.job_def.name
    failures = [e for e in result.all_events if e.is_step_failure]
    if failures:
        error = failures[0].step_failure_data.error
        message = (error.message if error else "unknown error").strip().splitlines()[0]
        return f"{job} failed in {failures[0].step_key}: {message}"
    return f"{job} failed; keep its Dagster storage with --keep to see why"


def _live_figures(emulator: EmulatorProcess, normal: dict[str, float]) -> LiveFigures:
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


def bench_instance_ref(run_dir: Path, databases: ScratchDatabases) -> InstanceRef:
    """The Dagster instance of a bench: home in the run directory, runs stored in the bench's
    own Dagster database, whatever the environment's KG_DAGSTER_PG_URL says."""
    home = run_dir / "dagster_home"
    home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(INSTANCE_CONFIG, home / "dagster.yaml")
    # The packaged storage, pointed at the bench's database (an override replaces `storage`
    # whole, so it is the packaged one with the URL changed).
    storage = yaml.safe_load(INSTANCE_CONFIG.read_text())["storage"]
    storage["custom"]["config"]["postgres_url"] = databases.dagster_url
    return InstanceRef.from_dir(str(home), overrides={"storage": storage})


def bench_settings(
    mode: SourceMode,
    snapshot: SnapshotInfo,
    databases: ScratchDatabases,
    run_dir: Path,
    emulator: EmulatorProcess | None,
    *,
    raised_rates: bool = True,
) -> Settings:
    """Settings of the bench's own, from nothing in the environment: its scratch databases, its
    run directory and snapshot, in live mode the emulator, with the rate limits raised unless
    `raised_rates` is False (then every upstream's own rate holds). No base URL of the user's
    can send a request to a real service, no API key leaves for a test server.
    """
    values: dict[str, object] = {
        "database_url": databases.gene_url,
        "dagster_pg_url": databases.dagster_url,
        "data_dir": run_dir,
        "source_mode": mode,
        "mirror_dir": snapshot.path,
    }
    if emulator is not None:
        values["upstream_url"] = emulator.url
        if raised_rates:
            values["http_requests_per_second"] = BENCH_REQUESTS_PER_SECOND
    return Settings.explicit(**values)


@contextlib.contextmanager
def _emulator(
    mode: SourceMode, snapshot: SnapshotInfo, say: Say
) -> Iterator[EmulatorProcess | None]:
    """In live mode, the emulator serving the snapshot from a process of its own; None in mirror
    mode."""
    if mode == "mirror":
        yield None
        return
    with EmulatorProcess(snapshot.path) as emulator:
        say(f"bench: live mode against the emulator at {emulator.url}, rate limits raised")
        yield emulator
