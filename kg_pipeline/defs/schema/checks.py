"""Checks of the seed plan's schema criteria, run against the live gene database."""

import dagster as dg
import sqlalchemy as sa

from kg_pipeline.db.database import GeneDatabase
from kg_pipeline.db.schema import (
    current_revision,
    head_revision,
    non_bigint_keys,
    schema_differences,
)
from kg_pipeline.defs.schema.assets import database_schema
from kg_pipeline.sources.registry import ANNOTATION_LOADS


@dg.asset_check(asset=database_schema, blocking=True)
def schema_at_head(gene_db: GeneDatabase) -> dg.AssetCheckResult:
    """The gene database is at the migration head of this code."""
    with gene_db.engine.connect() as conn:
        current = current_revision(conn)
    head = head_revision()
    return dg.AssetCheckResult(
        passed=current == head, metadata={"current": current or "none", "head": head}
    )


@dg.asset_check(asset=database_schema)
def key_columns_bigint(gene_db: GeneDatabase) -> dg.AssetCheckResult:
    """Every primary- and foreign-key column is BIGINT."""
    with gene_db.engine.connect() as conn:
        offenders = non_bigint_keys(conn)
    return dg.AssetCheckResult(
        passed=not offenders, metadata={"non_bigint_keys": dg.MetadataValue.json(offenders)}
    )


@dg.asset_check(asset=database_schema, blocking=True)
def models_in_sync(gene_db: GeneDatabase) -> dg.AssetCheckResult:
    """Alembic autogenerate finds no difference between the database and the models."""
    with gene_db.engine.connect() as conn:
        differences = schema_differences(conn)
    return dg.AssetCheckResult(
        passed=not differences,
        metadata={"differences": dg.MetadataValue.json(differences[:50])},
    )


@dg.asset_check(asset=database_schema)
def annotation_sources_seeded(gene_db: GeneDatabase) -> dg.AssetCheckResult:
    """The eight annotation sources are seeded and active."""
    with gene_db.engine.connect() as conn:
        active = set(
            conn.execute(
                sa.text("SELECT source_name FROM annotation_sources WHERE is_active")
            ).scalars()
        )
    missing = sorted({load.name for _, load in ANNOTATION_LOADS} - active)
    return dg.AssetCheckResult(
        passed=not missing,
        metadata={"active": dg.MetadataValue.json(sorted(active)), "missing": missing},
    )
