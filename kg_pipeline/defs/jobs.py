"""Jobs: `rebuild` materialises everything from an empty schema; `<source>_refresh` per source;
`release` writes the next data release of the database as it is.

A refresh job runs a source's raw input, its loads, and what depends on them: the gene import
and scoring after evidence, the annotation summary after annotations (HGNC, the reference every
source is normalised against: everything downstream of its raw file). It never includes the
schema asset, so a refresh cannot drop anything; a failed download fails the raw step and the
loads after it are skipped, keeping the previous rows. When the upstream bytes are unchanged the
raw asset observes instead of materialising and the loads are skipped too.

A refresh walks every page unless its run config says `incremental` (`incremental_run_config`,
what the weekly PubTator schedule sends).
"""

from typing import Any

import dagster as dg
from dagster._core.definitions.unresolved_asset_job_definition import (
    UnresolvedAssetJobDefinition,
)

from kg_pipeline.db.database import RUN_LOCK_TAG
from kg_pipeline.sources.registry import SOURCES
from kg_pipeline.sources.spec import Source

EVIDENCE_FOLLOW_UPS = ("genes", "gene_scores", "gene_curations")
ANNOTATION_FOLLOW_UPS = ("gene_annotations_summary",)

rebuild = dg.define_asset_job(
    name="rebuild",
    selection=dg.AssetSelection.all(),
    description="Drop and recreate the gene database schema, then load every source from scratch.",
    config={"ops": {"database_schema": {"config": {"drop_first": True}}}},
    # It drops the schema: no other run may use the gene database meanwhile.
    tags={RUN_LOCK_TAG: "exclusive"},
)


release = dg.define_asset_job(
    name="release",
    selection=dg.AssetSelection.groups("release"),
    description="Write the next data release (a draft) of the gene database as it is now.",
)


def refresh_selection(source: Source) -> dg.AssetSelection:
    if source.reference:
        # A release is made by the rebuild or the release job, never by a refresh.
        downstream = dg.AssetSelection.assets(source.raw_asset).downstream()
        return downstream - dg.AssetSelection.groups("release")
    follow_ups: list[str] = []
    if source.evidence:
        follow_ups += EVIDENCE_FOLLOW_UPS
    if source.annotation:
        follow_ups += ANNOTATION_FOLLOW_UPS
    return dg.AssetSelection.assets(source.raw_asset, *source.load_assets(), *follow_ups)


def incremental_run_config(source: Source) -> dict[str, Any]:
    """The run config of an incremental refresh of a source that can walk incrementally."""
    return {"ops": {source.raw_asset: {"config": {"incremental": True}}}}


def refresh_job(source: Source) -> UnresolvedAssetJobDefinition:
    return dg.define_asset_job(
        name=f"{source.key}_refresh",
        selection=refresh_selection(source),
        description=f"Refresh {source.key}: fetch, and reload only if the upstream changed.",
        tags={"kg/refresh": source.key},
    )


refresh_jobs = [refresh_job(source) for source in SOURCES]
