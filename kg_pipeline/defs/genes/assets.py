"""The genes layer: the HGNC reference every source is normalised against, and the gene import
(one `genes` row per HGNC gene that has evidence)."""

import dagster as dg

from kg_pipeline.db.consumption import DERIVED_NAMESPACE
from kg_pipeline.db.database import GeneDatabase
from kg_pipeline.db.genes import reconcile_genes
from kg_pipeline.defs.consumption import recorded_write
from kg_pipeline.defs.metadata import table_result
from kg_pipeline.defs.resources import HgncReferenceCache
from kg_pipeline.sources.records import reject_samples
from kg_pipeline.sources.registry import EVIDENCE_LOADS


@dg.asset(
    group_name="genes",
    kinds={"python"},
    deps=["raw_hgnc"],
    check_specs=[dg.AssetCheckSpec("approved_genes_present", asset="hgnc_reference")],
)
def hgnc_reference(
    context: dg.AssetExecutionContext, gene_db: GeneDatabase, hgnc: HgncReferenceCache
) -> dg.MaterializeResult:
    """The HGNC reference: approved symbols, previous symbols and aliases of every gene.

    Every evidence source is normalised against it (approved symbol, HGNC id, previous symbol,
    alias; an alias or previous symbol claimed by several genes is ambiguous). Junk rows of the
    file (no HGNC id, no symbol, a NUL byte) are left out, counted and sampled.
    """
    gene_db.require_schema_at_head()
    reference = hgnc.reference()
    entries = reference.complete_set
    approved = entries[entries["status"].eq("Approved")]
    junk = reference.parsed
    context.log.info(
        "HGNC reference: %d entries, %d approved; skipped %d malformed rows %s%s",
        len(entries),
        len(approved),
        len(junk.rejects),
        junk.rejects_by_reason(),
        f": samples {reject_samples(junk.rejects, 3)}" if junk.rejects else "",
    )
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": len(approved),
            "entries": len(entries),
            "approved": len(approved),
            "rejected_rows": len(junk.rejects),
            "rejected_by_reason": dg.MetadataValue.json(junk.rejects_by_reason()),
            "rejected_samples": dg.MetadataValue.json(reject_samples(junk.rejects)),
            "withdrawn": int(entries["status"].ne("Approved").sum()),
            "previous_symbols": int(approved["prev_symbol"].map(len).sum()),
            "alias_symbols": int(approved["alias_symbol"].map(len).sum()),
            "ambiguous_previous_symbols": reference.normaliser.shared_synonyms("prev_symbol"),
            "ambiguous_aliases": reference.normaliser.shared_synonyms("alias_symbol"),
            "release": reference.version.release or "not stated",
            "raw_sha256": reference.version.sha256,
        },
        data_version=dg.DataVersion(reference.version.sha256),
        check_results=[
            dg.AssetCheckResult(
                check_name="approved_genes_present",
                passed=len(approved) >= 1_000,
                metadata={"approved": len(approved)},
            )
        ],
    )


@dg.asset(
    group_name="genes",
    kinds={"python", "postgres"},
    deps=[hgnc_reference, *(f"{source.key}_evidence" for source, _ in EVIDENCE_LOADS)],
    pool="gene_db_writer",
)
def genes(
    context: dg.AssetExecutionContext, gene_db: GeneDatabase, hgnc: HgncReferenceCache
) -> dg.MaterializeResult:
    """One row per HGNC gene with evidence: HGNC id, approved symbol, aliases, previous symbols.

    Evidence loads add the genes they need; this import removes genes whose last evidence
    disappeared and refreshes symbols from the current HGNC release (renamed genes follow).
    """
    gene_db.require_schema_at_head()
    reference = hgnc.reference()
    with recorded_write(context, gene_db, namespace=DERIVED_NAMESPACE) as conn:
        result = reconcile_genes(conn, reference.complete_set)
    context.log.info(
        "genes: %d (%d removed without evidence, %d refreshed from HGNC); per source: %s",
        result.genes,
        result.removed,
        result.renamed,
        result.per_source,
    )
    return table_result(
        "genes",
        result.genes,
        {
            "removed_without_evidence": result.removed,
            "refreshed_from_hgnc": result.renamed,
            "not_in_hgnc_reference": result.not_in_reference,
            "evidence_rows_per_source": dg.MetadataValue.json(result.per_source),
            "hgnc_release": reference.version.release or "not stated",
        },
    )
