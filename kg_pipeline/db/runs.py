"""`pipeline_runs`: one row per Dagster run, for readers of the database outside Dagster."""

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

if TYPE_CHECKING:
    import dagster as dg
    from dagster._utils.error import SerializableErrorInfo

_RECORD = sa.text(
    """
    INSERT INTO pipeline_runs (dagster_run_id, job_name, status, started_at, completed_at,
                               stats, error_log)
    VALUES (:run_id, :job, :status, :started, now(), :stats, :errors)
    ON CONFLICT (dagster_run_id) DO UPDATE
       SET status = excluded.status, completed_at = excluded.completed_at,
           stats = excluded.stats, error_log = excluded.error_log, updated_at = now()
    """
).bindparams(sa.bindparam("stats", type_=JSONB))


def record_run(
    conn: sa.Connection,
    run_id: str,
    job_name: str,
    status: str,
    started: dt.datetime,
    stats: dict[str, Any],
    errors: list[str],
) -> None:
    conn.execute(
        _RECORD,
        {
            "run_id": run_id,
            "job": job_name,
            "status": status,
            "started": started,
            "stats": stats,
            "errors": "\n".join(errors) or None,
        },
    )


@dataclass(frozen=True)
class RunSummary:
    """What a run did, read back from Dagster's event log."""

    started: dt.datetime
    stats: dict[str, Any]
    errors: list[str]


def step_error(error: "SerializableErrorInfo | None") -> str:
    """The error a failed step raised, as one line for a person: the asset's own exception (not
    Dagster's wrapper around it), its first line, without the class path when it is one of ours
    (our messages are phrased to be read alone)."""
    cause = error.cause if error and error.cause else error
    if cause is None:
        return "unknown error"
    line = (cause.message.strip().splitlines() or [cause.cls_name or "unknown error"])[0]
    origin, separator, message = line.partition(": ")
    return message if separator and origin.startswith("kg_pipeline.") else line


def summarise_run(instance: "dg.DagsterInstance", run_id: str) -> RunSummary:
    from dagster import DagsterEventType

    events = instance.all_logs(
        run_id,
        of_type={
            DagsterEventType.ASSET_MATERIALIZATION,
            DagsterEventType.ASSET_OBSERVATION,
            DagsterEventType.STEP_FAILURE,
            DagsterEventType.STEP_SKIPPED,
            DagsterEventType.RUN_START,
        },
    )
    materialized, observed, skipped, errors = [], [], [], []
    started = dt.datetime.now(dt.UTC)
    for entry in events:
        event = entry.dagster_event
        if event is None:
            continue
        if event.event_type == DagsterEventType.RUN_START:
            started = dt.datetime.fromtimestamp(entry.timestamp, dt.UTC)
        elif event.event_type == DagsterEventType.ASSET_MATERIALIZATION:
            materialized.append(event.asset_key.to_user_string())
        elif event.event_type == DagsterEventType.ASSET_OBSERVATION:
            observed.append(event.asset_key.to_user_string())
        elif event.event_type == DagsterEventType.STEP_SKIPPED:
            skipped.append(event.step_key)
        elif event.event_type == DagsterEventType.STEP_FAILURE:
            errors.append(f"{event.step_key}: {step_error(event.step_failure_data.error)}")
    stats = {
        "materialized": sorted(materialized),
        "unchanged": sorted(observed),
        "skipped": sorted(skipped),
        "failed_steps": len(errors),
    }
    return RunSummary(started, stats, errors)
