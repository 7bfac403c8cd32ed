"""Per-source refreshes: each source's cadence, its `<source>_refresh` job and schedule.

A refresh job runs a source's raw input, its loads, and what depends on them: the gene import
and scoring after evidence, the annotation summary after annotations. It never includes the
schema asset, so a refresh cannot drop anything; a failed download fails the raw step and the
loads after it are skipped, keeping the previous rows. When the upstream bytes are unchanged the
raw asset observes instead of materialising and the loads are skipped too.
"""

import datetime as dt
from typing import Literal

import dagster as dg
from dagster._core.definitions.unresolved_asset_job_definition import (
    UnresolvedAssetJobDefinition,
)

Cadence = Literal["daily", "weekly", "monthly"]

# SPEC: PanelApp, GenCC, ClinGen daily; ClinVar, PubTator, HPO weekly; the rest monthly.
CADENCES: dict[str, Cadence] = {
    "panelapp": "daily",
    "clingen": "daily",
    "gencc": "daily",
    "clinvar": "weekly",
    "pubtator": "weekly",
    "hpo": "weekly",
    "hgnc": "monthly",
    "gnomad": "monthly",
    "gtex": "monthly",
    "descartes": "monthly",
    "mgi": "monthly",
    "string": "monthly",
    "diagnostic_panels": "monthly",
    "literature": "monthly",
}

# Staggered start times (UTC) so sources of one cadence do not all start in the same minute.
_CRON: dict[Cadence, str] = {
    "daily": "{minute} 2 * * *",
    "weekly": "{minute} 3 * * 0",
    "monthly": "{minute} 4 1 * *",
}

# A source is stale when it missed its cadence by a comfortable margin.
_FRESHNESS: dict[Cadence, tuple[dt.timedelta, dt.timedelta]] = {
    "daily": (dt.timedelta(days=2), dt.timedelta(hours=30)),
    "weekly": (dt.timedelta(days=10), dt.timedelta(days=8)),
    "monthly": (dt.timedelta(days=40), dt.timedelta(days=32)),
}

EVIDENCE_FOLLOW_UPS = ("genes", "gene_scores", "gene_curations")
ANNOTATION_FOLLOW_UPS = ("gene_annotations_summary",)


def freshness_policy(source: str) -> dg.FreshnessPolicy:
    fail, warn = _FRESHNESS[CADENCES[source]]
    return dg.FreshnessPolicy.time_window(fail_window=fail, warn_window=warn)


def cron_schedule(source: str) -> str:
    minute = (sorted(CADENCES).index(source) * 5) % 60
    return _CRON[CADENCES[source]].format(minute=minute)


def refresh_selection(source: str, loads: list[str]) -> dg.AssetSelection:
    follow_ups: list[str] = []
    if any(name.endswith("_evidence") for name in loads):
        follow_ups += EVIDENCE_FOLLOW_UPS
    if any(name.endswith("_annotations") for name in loads):
        follow_ups += ANNOTATION_FOLLOW_UPS
    return dg.AssetSelection.assets(f"raw_{source}", *loads, *follow_ups)


def refresh(
    source: str, loads: list[str], selection: dg.AssetSelection | None = None
) -> tuple[UnresolvedAssetJobDefinition, dg.ScheduleDefinition]:
    """The `<source>_refresh` job over its raw input and `loads`, and its schedule (off until
    turned on in the UI)."""
    job = dg.define_asset_job(
        name=f"{source}_refresh",
        selection=selection or refresh_selection(source, loads),
        description=f"Refresh {source}: fetch, and reload only if the upstream changed.",
        tags={"kg/refresh": source},
    )
    schedule = dg.ScheduleDefinition(
        name=f"{source}_refresh_schedule",
        job=job,
        cron_schedule=cron_schedule(source),
        execution_timezone="UTC",
        description=f"{CADENCES[source].capitalize()} refresh of {source}.",
        default_status=dg.DefaultScheduleStatus.STOPPED,
    )
    return job, schedule
