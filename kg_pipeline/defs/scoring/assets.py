"""Scoring: the `gene_scores` materialised view and the `gene_curations` summary."""

import dagster as dg
import sqlalchemy as sa

from kg_pipeline.db.consumption import DERIVED_NAMESPACE
from kg_pipeline.db.database import GeneDatabase
from kg_pipeline.db.scoring import refresh_gene_curations, refresh_gene_scores
from kg_pipeline.defs.consumption import recorded_write
from kg_pipeline.defs.genes.assets import genes
from kg_pipeline.defs.metadata import table_result


@dg.asset(group_name="scoring", kinds={"postgres"}, deps=[genes], pool="gene_db_writer")
def gene_scores(context: dg.AssetExecutionContext, gene_db: GeneDatabase) -> dg.MaterializeResult:
    """Per-gene evidence score: each source's percent rank (or classification weight for ClinGen
    and GenCC), summed over sources, as a percentage of the active sources, with tiers."""
    gene_db.require_schema_at_head()
    with recorded_write(context, gene_db, namespace=DERIVED_NAMESPACE) as conn:
        summary = refresh_gene_scores(conn)
    context.log.info(
        "gene_scores: %d genes over %d sources; tiers %s",
        summary.rows,
        summary.active_sources,
        summary.tiers,
    )
    return table_result(
        "gene_scores",
        summary.rows,
        {
            "active_sources": summary.active_sources,
            "tiers": dg.MetadataValue.json(summary.tiers),
            "genes_with_zero_score": summary.zero_scores,
            "top_genes": dg.MetadataValue.md(
                "| gene | sources | score % | tier |\n|---|---:|---:|---|\n"
                + "\n".join(f"| {g} | {n} | {p:.2f} | {t} |" for g, n, p, t in summary.top_genes)
            ),
        },
    )


@dg.asset(group_name="scoring", kinds={"postgres"}, deps=[gene_scores], pool="gene_db_writer")
def gene_curations(
    context: dg.AssetExecutionContext, gene_db: GeneDatabase
) -> dg.MaterializeResult:
    """One denormalised row per gene: evidence and source counts, panels, PMIDs, HPO terms,
    publications, and the evidence score from gene_scores (a manual classification is kept)."""
    gene_db.require_schema_at_head()
    with recorded_write(context, gene_db, namespace=DERIVED_NAMESPACE) as conn:
        rows = refresh_gene_curations(conn)
        by_count = dict(
            conn.execute(
                sa.text("SELECT source_count, count(*) FROM gene_curations GROUP BY 1 ORDER BY 1")
            ).all()
        )
    context.log.info("gene_curations: %d genes", rows)
    return table_result(
        "gene_curations",
        rows,
        {
            "genes_by_source_count": dg.MetadataValue.json(
                {str(k): v for k, v in by_count.items()}
            ),
        },
    )
