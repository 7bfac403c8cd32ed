"""What the rebuild's Dagster event log says, turned into figures: per step its span (STEP_START
to STEP_SUCCESS/FAILURE), per asset its status, seconds, rows, table and peak memory.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import dagster as dg

from kg_pipeline.devtools.bench.memory import MemorySampler
from kg_pipeline.devtools.bench.options import rounded


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
class RunLog:
    """What the run's event log says: per step its span, per asset (by name) its event."""

    spans: dict[str, StepSpan] = field(default_factory=dict)
    materialized: dict[str, dg.AssetMaterialization] = field(default_factory=dict)
    observed: dict[str, dg.AssetObservation] = field(default_factory=dict)


def read_event_log(instance: dg.DagsterInstance, run_id: str) -> RunLog:
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


def metadata_value(metadata: Mapping[str, Any], key: str) -> Any:
    value = metadata.get(key)
    return getattr(value, "value", value)


def step_figures(
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
        rows = metadata_value(metadata, "dagster/row_count")
        raw_bytes = metadata_value(metadata, "bytes") if name.startswith("raw_") else None
        assets.append(
            AssetFigures(
                asset=name,
                group=graph.get(key).group_name,
                step=step,
                status=status,
                seconds=rounded(span.seconds),
                rows=None if rows is None else int(rows),
                table=metadata_value(metadata, "dagster/table_name"),
                raw_bytes=None if raw_bytes is None else int(raw_bytes),
                peak_rss_bytes=_peak(sampler, span),
            )
        )
    assets.sort(key=lambda a: (started.get(a.step, float("inf")), a.asset))
    asset_steps = {a.step for a in assets}
    others = [
        StepFigures(step, span.status, rounded(span.seconds), _peak(sampler, span))
        for step, span in sorted(log.spans.items(), key=lambda item: (started[item[0]], item[0]))
        if step not in asset_steps
    ]
    return assets, others


def _peak(sampler: MemorySampler, span: StepSpan) -> int | None:
    if span.start is None:
        return None
    return sampler.peak_between(span.start, span.end if span.end is not None else time.time())
