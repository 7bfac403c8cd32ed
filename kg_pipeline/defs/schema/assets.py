"""The root asset: the gene database schema, migrated to the Alembic head."""

import dagster as dg

from kg_pipeline.db.database import GeneDatabase
from kg_pipeline.db.schema import head_revision, upgrade_to_head


class SchemaConfig(dg.Config):
    drop_first: bool = False
    """Drop the gene database's schema (all data) before migrating; set by the rebuild job."""


@dg.asset(
    group_name="schema",
    kinds={"postgres"},
    code_version=head_revision(),
    pool="gene_db_writer",
)
def database_schema(
    context: dg.AssetExecutionContext, config: SchemaConfig, gene_db: GeneDatabase
) -> dg.MaterializeResult:
    """The gene database schema at the Alembic head (001, 002 fixes, 003 upstream parity).

    Runs `alembic upgrade head` under an advisory lock; in the rebuild job it first drops and
    recreates the schema, so everything downstream starts from empty tables.
    """
    result = upgrade_to_head(gene_db.engine, drop_first=config.drop_first)
    context.log.info(
        "schema %s -> %s%s: %d tables, %d views, %d materialised views",
        result.revision_before or "empty",
        result.revision_after,
        " (dropped first)" if result.dropped else "",
        len(result.tables),
        len(result.views),
        len(result.materialized_views),
    )
    return dg.MaterializeResult(
        metadata={
            "revision_before": result.revision_before or "none",
            "revision_after": result.revision_after,
            "dropped_first": result.dropped,
            "tables": dg.MetadataValue.json(result.tables),
            "views": dg.MetadataValue.json(result.views),
            "materialized_views": dg.MetadataValue.json(result.materialized_views),
            "table_count": len(result.tables),
        }
    )
