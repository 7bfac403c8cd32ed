"""The gene import: one `genes` row per HGNC gene that has evidence."""

import dagster as dg

from kg_pipeline.db.database import GeneDatabase
from kg_pipeline.db.genes import reconcile_genes
from kg_pipeline.defs.hgnc.assets import hgnc_reference
from kg_pipeline.defs.hgnc.reference import load_hgnc_reference
from kg_pipeline.defs.raw import RawFileStore

EVIDENCE_ASSETS = [
    "panelapp_evidence",
    "clingen_evidence",
    "gencc_evidence",
    "hpo_evidence",
    "pubtator_evidence",
    "diagnostic_panels_evidence",
    "literature_evidence",
]


@dg.asset(
    group_name="genes",
    kinds={"python", "postgres"},
    deps=[hgnc_reference, *EVIDENCE_ASSETS],
    pool="gene_db_writer",
)
def genes(
    context: dg.AssetExecutionContext, gene_db: GeneDatabase, raw_store: RawFileStore
) -> dg.MaterializeResult:
    """One row per HGNC gene with evidence: HGNC id, approved symbol, aliases, previous symbols.

    Evidence loads add the genes they need; this import removes genes whose last evidence
    disappeared and refreshes symbols from the current HGNC release (renamed genes follow).
    """
    gene_db.require_schema_at_head()
    reference = load_hgnc_reference(gene_db, raw_store)
    with gene_db.begin() as conn:
        result = reconcile_genes(conn, reference.complete_set)
    context.log.info(
        "genes: %d (%d removed without evidence, %d refreshed from HGNC); per source: %s",
        result.genes,
        result.removed,
        result.renamed,
        result.per_source,
    )
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": result.genes,
            "dagster/table_name": "genes",
            "removed_without_evidence": result.removed,
            "refreshed_from_hgnc": result.renamed,
            "not_in_hgnc_reference": result.not_in_reference,
            "evidence_rows_per_source": dg.MetadataValue.json(result.per_source),
            "hgnc_release": reference.version.release or "not stated",
        }
    )
