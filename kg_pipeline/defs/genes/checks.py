"""Checks of the gene import against the seed plan's criteria."""

import dagster as dg
import sqlalchemy as sa

from kg_pipeline.db.database import GeneDatabase
from kg_pipeline.defs.genes.assets import genes
from kg_pipeline.defs.resources import LoadPolicy


def _scalar(gene_db: GeneDatabase, sql: str) -> int:
    with gene_db.engine.connect() as conn:
        return conn.execute(sa.text(sql)).scalar_one()


@dg.asset_check(asset=genes, blocking=True)
def every_gene_has_hgnc_id(gene_db: GeneDatabase) -> dg.AssetCheckResult:
    """Every gene (so every evidence gene) carries an HGNC id."""
    missing = _scalar(gene_db, "SELECT count(*) FROM genes WHERE hgnc_id IS NULL OR hgnc_id = ''")
    return dg.AssetCheckResult(passed=missing == 0, metadata={"genes_without_hgnc_id": missing})


@dg.asset_check(asset=genes, blocking=True)
def hgnc_ids_unique(gene_db: GeneDatabase) -> dg.AssetCheckResult:
    """No two genes share an HGNC id."""
    duplicates = _scalar(
        gene_db,
        "SELECT count(*) FROM (SELECT hgnc_id FROM genes GROUP BY hgnc_id HAVING count(*) > 1) d",
    )
    return dg.AssetCheckResult(passed=duplicates == 0, metadata={"duplicated_ids": duplicates})


@dg.asset_check(asset=genes)
def one_evidence_row_per_gene_and_source(gene_db: GeneDatabase) -> dg.AssetCheckResult:
    """At most one gene_evidence row per (gene, source)."""
    duplicates = _scalar(
        gene_db,
        "SELECT count(*) FROM (SELECT 1 FROM gene_evidence GROUP BY gene_id, source_name "
        "HAVING count(*) > 1) d",
    )
    return dg.AssetCheckResult(passed=duplicates == 0, metadata={"duplicate_pairs": duplicates})


@dg.asset_check(asset=genes)
def gene_count_in_range(gene_db: GeneDatabase, load_policy: LoadPolicy) -> dg.AssetCheckResult:
    """The gene count is inside KG_GENE_COUNT_MIN..KG_GENE_COUNT_MAX (about 4,800 at full scale)."""
    low, high = load_policy.gene_count_min, load_policy.gene_count_max
    count = _scalar(gene_db, "SELECT count(*) FROM genes")
    return dg.AssetCheckResult(
        passed=low <= count <= high,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"genes": count, "min": low, "max": high},
    )
