"""The progress lines a bench prints while the rebuild runs: one per finished step, read from
the run's event log, and a heartbeat naming the step still running.
"""

from __future__ import annotations

import time
from typing import Self

import dagster as dg

from kg_pipeline.devtools.bench.event_log import metadata_value
from kg_pipeline.devtools.bench.memory import BackgroundThread, MemorySampler
from kg_pipeline.devtools.bench.options import MB, Say

PROGRESS_POLL_S = 1.0
HEARTBEAT_S = 30.0


class ProgressReporter(BackgroundThread):
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
                rows = metadata_value(
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
