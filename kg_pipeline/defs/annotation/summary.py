"""`gene_annotations_summary`: the per-gene view over all annotation sources."""

import dagster as dg
import sqlalchemy as sa

from kg_pipeline.db.annotations import refresh_annotation_summary
from kg_pipeline.db.consumption import DERIVED_NAMESPACE
from kg_pipeline.db.database import GeneDatabase
from kg_pipeline.defs.consumption import recorded_write
from kg_pipeline.defs.metadata import table_result
from kg_pipeline.sources.registry import ANNOTATION_LOADS, SOURCES


@dg.asset(
    group_name="annotation",
    kinds={"postgres"},
    deps=[f"{load.name}_annotations" for _, load in ANNOTATION_LOADS],
    pool="gene_db_writer",
)
def gene_annotations_summary(
    context: dg.AssetExecutionContext, gene_db: GeneDatabase
) -> dg.MaterializeResult:
    """One row per gene: its HGNC ids and MANE transcript, gnomAD constraint (pLI, LOEUF,
    z-scores) and which annotation sources cover it (refresh of the materialised view)."""
    gene_db.require_schema_at_head()
    with recorded_write(context, gene_db, namespace=DERIVED_NAMESPACE) as conn:
        rows = refresh_annotation_summary(conn)
        coverage = dict(
            conn.execute(
                sa.text(
                    "SELECT s.source_name, count(ga.id) FROM annotation_sources s "
                    "LEFT JOIN gene_annotations ga ON ga.source = s.source_name "
                    "GROUP BY 1 ORDER BY 1"
                )
            ).all()
        )
        with_pli = conn.execute(
            sa.text("SELECT count(*) FROM gene_annotations_summary WHERE pli IS NOT NULL")
        ).scalar_one()
    context.log.info("gene_annotations_summary: %d genes; rows per source %s", rows, coverage)
    return table_result(
        "gene_annotations_summary",
        rows,
        {
            "annotations_per_source": dg.MetadataValue.json(coverage),
            "genes_with_pli": with_pli,
        },
    )


@dg.asset_check(asset=gene_annotations_summary)
def one_annotation_per_gene_and_source(gene_db: GeneDatabase) -> dg.AssetCheckResult:
    """No gene has two annotation rows from one source."""
    with gene_db.engine.connect() as conn:
        duplicates = conn.execute(
            sa.text(
                "SELECT count(*) FROM (SELECT 1 FROM gene_annotations GROUP BY gene_id, source "
                "HAVING count(*) > 1) d"
            )
        ).scalar_one()
    return dg.AssetCheckResult(passed=duplicates == 0, metadata={"duplicate_pairs": duplicates})


@dg.asset_check(asset=gene_annotations_summary)
def cache_namespaces_named_by_source(gene_db: GeneDatabase) -> dg.AssetCheckResult:
    """Every cache entry's namespace is a source name, never a number (a seed-plan criterion),
    and every raw source has its entry."""
    with gene_db.engine.connect() as conn:
        namespaces = set(
            conn.execute(sa.text("SELECT DISTINCT namespace FROM cache_entries")).scalars()
        )
    numeric = sorted(n for n in namespaces if n.strip().isdigit())
    missing = sorted({source.key for source in SOURCES} - namespaces)
    return dg.AssetCheckResult(
        passed=not numeric and not missing,
        metadata={
            "namespaces": sorted(namespaces),
            "numeric": numeric,
            "raw_sources_without_entry": missing,
        },
    )
