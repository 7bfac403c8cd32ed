"""The no-change refresh (live mode): right after the rebuild, every source's refresh job once
more against the same emulator, which has nothing new, each run as its schedule runs it
(PubTator's weekly refresh is incremental). With conditional requests every file and page asked
for is answered 304, so the figures that matter are the bytes downloaded (target 0) and the wall
time of all fourteen refreshes.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from dataclasses import dataclass

import dagster as dg

from kg_pipeline.defs.jobs import incremental_run_config
from kg_pipeline.devtools.bench.options import Say
from kg_pipeline.devtools.emulator.process import EmulatorProcess
from kg_pipeline.sources.registry import SOURCES


@dataclass
class RefreshFigures:
    sources: int
    seconds: float
    """Wall time of all the refresh jobs, one after another."""
    bytes_downloaded: int
    """Body bytes the emulator sent during the refreshes."""
    requests: int
    statuses: dict[str, int]
    """Answers by HTTP status (a no-change refresh: all 304)."""
    failures: list[str]


def run_no_change_refresh(
    definitions: dg.Definitions, instance: dg.DagsterInstance, emulator: EmulatorProcess, say: Say
) -> RefreshFigures:
    say(f"bench: no-change refresh: the {len(SOURCES)} refresh jobs against the same emulator")
    bytes_before, requests_before = emulator.bytes_sent(), len(emulator.requests)
    failures = []
    started = time.monotonic()
    # Dagster warns, for every refresh whose loads are skipped, that their blocking checks
    # emitted no result: true, expected here, and it would bury the bench's own lines.
    quiet = logging.getLogger("dagster._core.execution.plan.active")
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        for source in SOURCES:
            scheduled = incremental_run_config(source) if source.incremental else {}
            result = definitions.resolve_job_def(f"{source.key}_refresh").execute_in_process(
                instance=instance,
                raise_on_error=False,
                tags={"kg/bench": "true"},
                run_config={
                    **scheduled,
                    "loggers": {"console": {"config": {"log_level": "WARNING"}}},
                },
            )
            if not result.success:
                failures.append(f"{source.key}_refresh")
    finally:
        quiet.setLevel(level)
    seconds = time.monotonic() - started
    answered = emulator.requests[requests_before:]
    figures = RefreshFigures(
        sources=len(SOURCES),
        seconds=round(seconds, 3),
        bytes_downloaded=emulator.bytes_sent() - bytes_before,
        requests=len(answered),
        statuses={str(k): n for k, n in sorted(Counter(r.status for r in answered).items())},
        failures=failures,
    )
    say(
        f"bench: no-change refresh done in {seconds:.1f} s: {figures.bytes_downloaded:,} bytes "
        f"downloaded in {figures.requests:,} requests"
    )
    return figures
