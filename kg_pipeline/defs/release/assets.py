"""`gene_release`: the next data release of the gene database, with what changed and why."""

import datetime as dt
from pathlib import Path

import dagster as dg

from kg_pipeline.db.database import GeneDatabase, data_origin
from kg_pipeline.defs.annotation.summary import gene_annotations_summary
from kg_pipeline.defs.resources import ReleaseStore
from kg_pipeline.defs.scoring.assets import gene_scores
from kg_pipeline.releases.changes import REMOVED_WARN_SHARE, TIER_WARN_SHARE, render_markdown
from kg_pipeline.releases.make import make_release

CHECK = "release_changes_within_bounds"
SUMMARY_ROWS = 25
"""Genes per section in the UI's change summary (CHANGES.md has them all)."""


# Not of kind "postgres": its table is the release listing, not data the consumption records
# track (`behind_in_run` looks at those writers only).
@dg.asset(
    group_name="release",
    kinds={"parquet", "csv"},
    deps=[gene_scores, gene_annotations_summary],
    pool="gene_db_writer",
    check_specs=[
        dg.AssetCheckSpec(
            CHECK,
            asset="gene_release",
            description=f"Warns when a release removes more than {REMOVED_WARN_SHARE:.0%} of "
            f"the genes or moves more than {TIER_WARN_SHARE:.0%} to another tier.",
        )
    ],
)
def gene_release(
    context: dg.AssetExecutionContext, gene_db: GeneDatabase, release_store: ReleaseStore
) -> dg.MaterializeResult:
    """A draft data release under `$KG_DATA_DIR/releases/<CalVer>`: genes with scores and tiers,
    evidence and annotations (Parquet and gzipped CSV), the R predecessor's merged list, a
    Frictionless datapackage with every source's raw version, SHA256SUMS, and CHANGES.md: what
    changed since the last published release, and why."""
    gene_db.require_schema_at_head()
    origin = data_origin(
        gene_db.source_mode, Path(gene_db.mirror_dir) if gene_db.mirror_dir else None
    )
    made = make_release(
        gene_db.engine, release_store.path, origin=origin, now=dt.datetime.now(dt.UTC)
    )
    changes = made.changes
    context.log.info(
        "release %s (draft) at %s: %d genes; against %s: %s",
        made.info.version,
        made.path,
        changes.genes_after,
        changes.previous or "no published release",
        made.info.counts["changes"],
    )
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": changes.genes_after,
            "version": made.info.version,
            "status": "draft",
            "path": dg.MetadataValue.path(str(made.path)),
            "previous_published": changes.previous or "none",
            "origin": made.info.origin["describe"],
            "changes": dg.MetadataValue.md(render_markdown(changes, limit=SUMMARY_ROWS)),
            "sha256": dg.MetadataValue.json(made.checksums),
        },
        check_results=[
            dg.AssetCheckResult(
                check_name=CHECK,
                passed=not changes.alarming,
                severity=dg.AssetCheckSeverity.WARN,
                metadata={
                    "previous_published": changes.previous or "none",
                    "removed": changes.count("removed"),
                    "removed_share": round(changes.removed_share, 4),
                    "tier_changes": changes.count("tier"),
                    "tier_share": round(changes.tier_share, 4),
                },
            )
        ],
    )
