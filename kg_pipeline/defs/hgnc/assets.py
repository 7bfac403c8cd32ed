"""HGNC: the raw complete set, the gene reference every source is normalised against, and
the HGNC gene annotations."""

from typing import Any

import dagster as dg

from kg_pipeline.db.database import GeneDatabase
from kg_pipeline.defs.annotation import annotation_asset
from kg_pipeline.defs.hgnc.reference import load_hgnc_reference
from kg_pipeline.defs.raw import RawFileStore, raw_asset
from kg_pipeline.sources.hgnc import annotate as annotation_parser

raw_hgnc = raw_asset(
    "hgnc",
    "hgnc_upstream",
    "HGNC complete set: every human gene, its symbols and cross-references (TSV).",
    pool="hgnc_api",
)


@dg.asset(
    group_name="genes",
    kinds={"python"},
    deps=[raw_hgnc],
    check_specs=[dg.AssetCheckSpec("approved_genes_present", asset="hgnc_reference")],
)
def hgnc_reference(
    context: dg.AssetExecutionContext, gene_db: GeneDatabase, raw_store: RawFileStore
) -> dg.MaterializeResult:
    """The HGNC reference: approved symbols, previous symbols and aliases of every gene.

    Every evidence source is normalised against it (approved symbol, HGNC id, previous symbol,
    alias; an alias or previous symbol claimed by several genes is ambiguous).
    """
    gene_db.require_schema_at_head()
    reference = load_hgnc_reference(gene_db, raw_store)
    entries = reference.complete_set
    approved = entries[entries["status"].eq("Approved")]

    def shared(column: str) -> int:
        pairs = approved[["hgnc_id", column]].explode(column).dropna()
        per_key = pairs.assign(key=pairs[column].str.upper()).groupby("key")["hgnc_id"].nunique()
        return int((per_key > 1).sum())

    context.log.info("HGNC reference: %d entries, %d approved", len(entries), len(approved))
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": len(approved),
            "entries": len(entries),
            "approved": len(approved),
            "withdrawn": int(entries["status"].ne("Approved").sum()),
            "previous_symbols": int(approved["prev_symbol"].map(len).sum()),
            "alias_symbols": int(approved["alias_symbol"].map(len).sum()),
            "ambiguous_previous_symbols": shared("prev_symbol"),
            "ambiguous_aliases": shared("alias_symbol"),
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


def parsed_complete_set(gene_db: GeneDatabase, raw_store: RawFileStore) -> dict[str, Any]:
    """The complete set the reference already parsed, so the annotation does not read it again."""
    return {"complete_set": load_hgnc_reference(gene_db, raw_store).complete_set}


hgnc_annotations = annotation_asset(
    "hgnc",
    annotation_parser,
    raw_hgnc,
    "HGNC identifiers (Entrez, Ensembl, OMIM, UniProt, RefSeq, MANE), name, locus type, "
    "location and gene groups of every gene.",
    coverage_floor=0.95,
    extra_arguments=parsed_complete_set,
)
