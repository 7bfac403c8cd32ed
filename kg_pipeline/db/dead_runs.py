"""Runs whose process is gone, and the pool slots they still hold.

Dagster frees the pool slots of a run only when the run ends in its own process, or from the
daemon's run monitoring. A run killed with SIGKILL (or by the OOM killer) outside the daemon
stays STARTED with its slots claimed in Dagster's storage, and every later run waits on them for
ever. So every run records the process that executes it (`process_tags`, added when its
resources start: its pid and, so that a reused pid is not taken for it, its start time), and
at the start of `rebuild`, `ui` and every run, `reap_dead_runs` marks the
STARTED runs of this host whose process is dead as failed and frees their slots, as well as the
slots still held by runs that have already ended.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg

PID_TAG = "kg/pid"
PID_START_TAG = "kg/pid_start"
"""When the process started (clock ticks since boot, from `/proc`): with it, a pid that a
later process was given is not taken for the run's process."""
HOST_TAG = "kg/hostname"


def process_tags() -> dict[str, str]:
    """The tags naming the process executing a run."""
    pid = os.getpid()
    tags = {PID_TAG: str(pid), HOST_TAG: socket.gethostname()}
    started = _process_stat(pid)
    if started is not None:
        tags[PID_START_TAG] = started[1]
    return tags


def process_alive(pid: int, started: str | None = None) -> bool:
    """Whether `pid` is a running process (a zombie, killed but not yet reaped, is not) and,
    given `started` (its `PID_START_TAG`), still the process that started then: pids are reused,
    and on a machine with `pid_max` at 32,768 a test suite or a busy day goes round them."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    stat = _process_stat(pid)
    if stat is None:
        return True
    state, start = stat
    return state != "Z" and (started is None or started == start)


def _process_stat(pid: int) -> tuple[str, str] | None:
    """The state and start time of `pid` from `/proc/<pid>/stat`, or None where it cannot be
    read (no `/proc`, or the process is gone)."""
    try:
        # The fields follow the parenthesised command name, which may itself hold spaces: the
        # state is the first of them, the start time (field 22 of the file) the twentieth.
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return fields[0], fields[19]
    except (OSError, IndexError):
        return None


@dataclass(frozen=True)
class ReapedRun:
    run_id: str
    job_name: str
    pid: int | None
    started: datetime | None

    def describe(self) -> str:
        since = f"started {self.started:%Y-%m-%d %H:%M:%S} UTC, " if self.started else ""
        if self.pid is None:
            return f"run {self.run_id} ({self.job_name}, {since}already ended): pool slots freed"
        return (
            f"run {self.run_id} ({self.job_name}, {since}process {self.pid}) is dead: "
            "marked failed, its pool slots freed"
        )


def run_started_at(instance: dg.DagsterInstance, run_id: str) -> datetime | None:
    """When the run started (or, not started yet, was created)."""
    record = instance.get_run_record_by_id(run_id)
    if record is None:
        return None
    if record.start_time is not None:
        return datetime.fromtimestamp(record.start_time, UTC)
    created = record.create_timestamp
    return created.astimezone(UTC) if created.tzinfo else created.replace(tzinfo=UTC)


def reap_dead_runs(
    instance: dg.DagsterInstance, say: Callable[[str], None], *, this_run: str | None = None
) -> list[ReapedRun]:
    """Mark STARTED runs of this host whose process is dead as failed and free their pool
    slots; free the slots of runs that have ended. Says one line per run it cleaned up."""
    host = socket.gethostname()
    reaped: list[ReapedRun] = []
    started = instance.get_runs(
        filters=dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.CANCELING])
    )
    for run in started:
        pid = run.tags.get(PID_TAG)
        if run.run_id == this_run or not pid or run.tags.get(HOST_TAG) != host:
            continue
        if process_alive(int(pid), run.tags.get(PID_START_TAG)):
            continue
        instance.report_run_failed(
            run, message=f"the process running it ({pid} on {host}) is gone (killed or crashed)"
        )
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        reaped.append(
            ReapedRun(run.run_id, run.job_name, int(pid), run_started_at(instance, run.run_id))
        )
    for run_id in instance.event_log_storage.get_concurrency_run_ids() - {this_run}:
        run = instance.get_run_by_id(run_id)
        if run is None or run.is_finished:
            instance.event_log_storage.free_concurrency_slots_for_run(run_id)
            reaped.append(ReapedRun(run_id, run.job_name if run else "deleted run", None, None))
    for run in reaped:
        say(run.describe())
    return reaped
