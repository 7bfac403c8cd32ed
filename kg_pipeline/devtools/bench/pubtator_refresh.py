"""`kg-pipeline bench --pubtator-refresh`: the weekly incremental PubTator refresh after new
articles, at PubTator's real 3 requests/s through the emulator.

In order: the snapshot (generated at `--scale` or reused, as for the rebuild bench; at scale 1
the search has the real size, about 5,500 pages), a working copy of its PubTator search that the
bench may change, the scratch databases and the emulator serving the copy; then

1. a full walk with the rate limits raised (schema, HGNC, PubTator's raw pages and evidence,
   genes, scoring): the state a weekly refresh starts from; the report gives its requests and
   what the 3 requests/s limit alone would make of them;
2. `publish_new_articles` adds `--new-share` (1 %) of the articles, newer than all;
3. the `pubtator_refresh` job with the incremental run config at PubTator's own rate: the
   timed figure;
4. a full walk of the grown search with the limits raised again, whose evidence load must
   change nothing: the incremental refresh ended where a full walk ends.
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dagster as dg

from kg_pipeline.db.server import redact
from kg_pipeline.definitions import build_definitions
from kg_pipeline.defs.jobs import incremental_run_config
from kg_pipeline.devtools.bench.database_figures import measure_database
from kg_pipeline.devtools.bench.event_log import metadata_value, read_event_log
from kg_pipeline.devtools.bench.options import (
    MB,
    BenchOptions,
    BenchResult,
    BenchRun,
    Say,
    print_line,
    rounded,
)
from kg_pipeline.devtools.bench.rebuild import (
    BENCH_REQUESTS_PER_SECOND,
    bench_instance_ref,
    bench_settings,
    run_failure,
)
from kg_pipeline.devtools.bench.report import Target, machine_figures
from kg_pipeline.devtools.bench.scratch import ScratchDatabases, server_admin_url
from kg_pipeline.devtools.bench.snapshot_input import SnapshotInfo, prepare_snapshot
from kg_pipeline.devtools.emulator.process import EmulatorProcess
from kg_pipeline.devtools.snapshot import MANIFEST_NAME
from kg_pipeline.devtools.snapshot.pubtator import SearchGrowth, publish_new_articles
from kg_pipeline.settings import Settings
from kg_pipeline.sources.pubtator.source import SOURCE as PUBTATOR
from kg_pipeline.sources.pubtator.upstream import PUBTATOR as PUBTATOR_API

REPORT_NAME = "bench-pubtator-refresh.json"
REFRESH_JOB = f"{PUBTATOR.key}_refresh"
TARGET_SECONDS = 120.0
STARTING_STATE = (
    "database_schema",
    "raw_hgnc",
    "hgnc_reference",
    "raw_pubtator",
    "pubtator_evidence",
    "genes",
    "gene_scores",
    "gene_curations",
)
"""What the full walk materialises: what a weekly PubTator refresh finds in place."""


@dataclass
class WalkFigures:
    """One run of a PubTator walk, as the bench saw it."""

    job: str
    walk: str
    success: bool
    failure: str | None
    seconds: float
    requests_per_second: float
    requests: int
    """Search page requests the emulator answered during the run."""
    steps_seconds: dict[str, float | None]
    raw: dict[str, Any]
    """`raw_pubtator`'s walk metadata (pages fetched, carried, failed) and whether unchanged."""
    evidence: dict[str, Any]
    """`pubtator_evidence`'s counts: rows, inserted, updated, unchanged, removed."""


def bench_pubtator_refresh(
    options: BenchOptions, settings: Settings, say: Say | None = None
) -> BenchResult:
    """Run the PubTator refresh bench, write its JSON report, print its summary; see the module
    docstring. Raises `BenchError` only when there is nothing to report."""
    say = say or print_line
    started = BenchRun.start(options, settings.data_dir, REPORT_NAME)
    token, run_dir, report_path = started.token, started.run_dir, started.report_path
    load_start = started.load_start

    try:
        snapshot = prepare_snapshot(options, run_dir, say)
        search = _working_copy(snapshot, run_dir / "search")
        admin_url, embedded = server_admin_url(options, settings)
        with (
            ScratchDatabases(admin_url, token, keep=options.keep) as databases,
            EmulatorProcess(search.path) as emulator,
            dg.DagsterInstance.from_ref(bench_instance_ref(run_dir, databases)) as instance,
        ):
            say(
                f"bench: databases {databases.gene_name} and {databases.dagster_name} on "
                f"{'the embedded PostgreSQL' if embedded else redact(admin_url)}; "
                f"emulator at {emulator.url}"
            )
            raised = build_definitions(bench_settings("live", search, databases, run_dir, emulator))
            real = build_definitions(
                bench_settings("live", search, databases, run_dir, emulator, raised_rates=False)
            )
            say("bench: full walk with the rate limits raised (the state a refresh starts from)")
            full = _run(raised, instance, emulator, "rebuild", select=STARTING_STATE)
            say(f"bench: {_line(full)}")
            growth = publish_new_articles(search.path, options.new_share)
            say(
                f"bench: {growth.added:,} new articles published ({options.new_share:.1%} of "
                f"{growth.articles_before:,}); {growth.pages_before:,} -> "
                f"{growth.pages_after:,} search pages"
            )
            say(
                f"bench: incremental refresh at PubTator's "
                f"{PUBTATOR_API.requests_per_second:g} requests/s"
            )
            incremental = _run(
                real, instance, emulator, f"{PUBTATOR.key}_refresh", incremental=True
            )
            say(f"bench: {_line(incremental)}")
            say("bench: full walk of the grown search, limits raised, to compare the evidence")
            check = _run(raised, instance, emulator, REFRESH_JOB)
            say(f"bench: {_line(check)}")
            database = measure_database(databases)
    finally:
        if not options.keep:
            shutil.rmtree(run_dir, ignore_errors=True)

    report = _report(
        options, snapshot, growth, full, incremental, check, database.postgres_version, load_start
    )
    report["parameters"] |= {
        "run_dir": str(run_dir),
        "server": redact(admin_url),
        "embedded_server": embedded,
        "gene_database": databases.gene_name,
        "dagster_database": databases.dagster_name,
    }
    report_path.parent.mkdir(parents=True, exist_ok=True)
    report_path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    for line in summary_lines(report):
        say(line)
    say(f"bench: report written to {report_path}")
    failure = next((w.failure for w in (full, incremental, check) if w.failure), None)
    if failure is None and not report["same_evidence_as_full_walk"]:
        failure = "the incremental refresh ended with other evidence than a full walk"
    return BenchResult(report, report_path, failure is None, failure)


def _working_copy(snapshot: SnapshotInfo, target: Path) -> SnapshotInfo:
    """The snapshot with a PubTator search of its own (copied, so new articles never touch the
    snapshot) and every other upstream linked."""
    target.mkdir(parents=True)
    for entry in snapshot.path.iterdir():
        if entry.name == PUBTATOR_API.key:
            shutil.copytree(entry, target / entry.name)
        elif entry.name == MANIFEST_NAME:
            shutil.copyfile(entry, target / entry.name)
        else:
            (target / entry.name).symlink_to(entry.resolve(), target_is_directory=entry.is_dir())
    return replace(snapshot, path=target)


def _run(
    definitions: dg.Definitions,
    instance: dg.DagsterInstance,
    emulator: EmulatorProcess,
    job_name: str,
    *,
    select: tuple[str, ...] | None = None,
    incremental: bool = False,
) -> WalkFigures:
    job = definitions.resolve_job_def(job_name)
    asked_before = len(emulator.requests_for(PUBTATOR_API.key))
    rate = definitions.resources[f"{PUBTATOR.key}_upstream"].requests_per_second[PUBTATOR_API.key]
    run_config: dict[str, Any] = dict(job.run_config or {})
    if incremental:
        run_config |= incremental_run_config(PUBTATOR)
    started = time.monotonic()
    result = job.execute_in_process(
        instance=instance,
        run_config={**run_config, "loggers": {"console": {"config": {"log_level": "WARNING"}}}},
        asset_selection=[dg.AssetKey(name) for name in select] if select else None,
        tags={"kg/bench": "pubtator_refresh"},
        raise_on_error=False,
    )
    seconds = time.monotonic() - started
    log = read_event_log(instance, result.run_id)
    raw = log.materialized.get(PUBTATOR.raw_asset) or log.observed.get(PUBTATOR.raw_asset)
    raw_meta = raw.metadata if raw is not None else {}
    evidence = log.materialized.get(f"{PUBTATOR.key}_evidence")
    evidence_meta = evidence.metadata if evidence is not None else {}
    return WalkFigures(
        job=job_name,
        walk="incremental" if incremental else "full",
        success=result.success,
        failure=run_failure(result),
        seconds=round(seconds, 3),
        requests_per_second=rate,
        requests=len(emulator.requests_for(PUBTATOR_API.key)) - asked_before,
        steps_seconds={step: rounded(span.seconds) for step, span in log.spans.items()},
        raw={
            "unchanged": metadata_value(raw_meta, "unchanged"),
            **(metadata_value(raw_meta, "walk") or {}),
        },
        evidence={
            name: metadata_value(evidence_meta, key)
            for name, key in (
                ("rows", "dagster/row_count"),
                ("inserted", "inserted"),
                ("updated", "updated"),
                ("unchanged", "unchanged"),
                ("removed", "removed"),
            )
        },
    )


def _line(walk: WalkFigures) -> str:
    if not walk.success:
        return f"{walk.job} FAILED: {walk.failure}"
    raw = walk.raw
    return (
        f"{walk.walk} walk in {walk.seconds:.1f} s: {walk.requests:,} page requests at "
        f"{walk.requests_per_second:g}/s, {raw.get('pages_fetched', 0):,} pages fetched, "
        f"{raw.get('pages_carried', 0):,} carried over; evidence {walk.evidence}"
    )


def _same_evidence(check: WalkFigures) -> bool:
    counts = check.evidence
    return check.success and counts["inserted"] == counts["updated"] == counts["removed"] == 0


def _report(
    options: BenchOptions,
    snapshot: SnapshotInfo,
    growth: SearchGrowth,
    full: WalkFigures,
    incremental: WalkFigures,
    check: WalkFigures,
    postgres: str,
    load_start: tuple[float, float, float],
) -> dict[str, Any]:
    real_size = snapshot.scale is not None and snapshot.scale >= 1
    target = Target(
        name="pubtator_incremental_refresh_under_120s",
        description=f"incremental PubTator refresh after {options.new_share:.0%} new articles at "
        f"{incremental.requests_per_second:g} requests/s under 2 minutes",
        value=incremental.seconds,
        threshold=TARGET_SECONDS,
        unit="s",
        applies_to_this_run=None if snapshot.scale is None else real_size,
        spec_condition="the real search size (--scale 1, about 5,500 pages) through the emulator",
        run_succeeded=incremental.success,
    )
    return {
        "format": 1,
        "bench": "pubtator_refresh",
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine_figures(postgres, load_start),
        "parameters": {
            "scale": snapshot.scale,
            "snapshot": str(snapshot.path),
            "snapshot_generated": snapshot.generated,
            "new_share": options.new_share,
            "kept": options.keep,
            "raised_requests_per_second": BENCH_REQUESTS_PER_SECOND,
        },
        "snapshot": {
            "manifest_sha256": snapshot.manifest_sha256,
            "files": snapshot.files,
            "bytes": snapshot.bytes,
            "origins": snapshot.origins,
            "generation_seconds": rounded(snapshot.generation_seconds),
        },
        "search": asdict(growth),
        "full_walk": {
            **asdict(full),
            "seconds_at_real_rate_floor": round(
                max(0, full.requests - 1) / PUBTATOR_API.requests_per_second, 1
            ),
        },
        "incremental_refresh": asdict(incremental),
        "check_full_walk": asdict(check),
        "same_evidence_as_full_walk": _same_evidence(check),
        "targets": [target.to_json()],
        "notes": [
            "The full walks run with the rate limits raised; seconds_at_real_rate_floor is what "
            "PubTator's own limit alone would make of the first one's requests.",
            "The incremental refresh runs the whole pubtator_refresh job (raw pages, evidence, "
            "genes, scoring) at PubTator's own rate limit.",
        ],
    }


def summary_lines(report: dict[str, Any]) -> list[str]:
    """The report as the lines printed at the end of the bench."""
    search, full = report["search"], report["full_walk"]
    incremental, check = report["incremental_refresh"], report["check_full_walk"]
    scale = report["parameters"]["scale"]
    lines = [
        "",
        f"kg-pipeline bench: PubTator refresh, snapshot scale "
        f"{'unknown' if scale is None else f'{scale:g}'} ({report['snapshot']['files']:,} files, "
        f"{report['snapshot']['bytes'] / MB:,.1f} MB); load average "
        f"{report['machine']['load_average_start'][0]:.2f} at start, "
        f"{report['machine']['load_average_end'][0]:.2f} at end",
        f"search           {search['pages_before']:,} pages ({search['articles_before']:,} "
        f"articles) + {search['added']:,} new articles -> {search['pages_after']:,} pages",
        f"full walk        {full['seconds']:8.1f} s   ({full['requests']:,} requests, limits "
        f"raised; at {incremental['requests_per_second']:g}/s at least "
        f"{full['seconds_at_real_rate_floor'] / 60:.1f} min)",
        f"incremental      {incremental['seconds']:8.1f} s   ({incremental['requests']:,} "
        f"requests at {incremental['requests_per_second']:g}/s: "
        f"{incremental['raw'].get('pages_fetched', 0):,} pages fetched, "
        f"{incremental['raw'].get('pages_carried', 0):,} carried over; "
        f"{'succeeded' if incremental['success'] else 'FAILED: ' + str(incremental['failure'])})",
        f"check full walk  {check['seconds']:8.1f} s   (evidence {check['evidence']}; same as "
        f"the incremental refresh: {'yes' if report['same_evidence_as_full_walk'] else 'NO'})",
        "",
        "target:",
    ]
    for target in report["targets"]:
        met = {True: "met", False: "NOT MET", None: "unknown"}[target["met"]]
        shown = f"{target['value']:.1f} s (target < {target['threshold']:g} s)"
        if target["applies_to_this_run"] is False:
            lines.append(
                f"  {'n/a':<8} {target['description']}: {shown}, {met.lower()} if it applied; "
                f"condition: {target['spec_condition']}"
            )
        else:
            lines.append(f"  {met:<8} {target['description']}: {shown}")
    return lines
