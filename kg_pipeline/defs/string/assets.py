"""Assets of string: its raw files and its gene annotations."""

import sqlalchemy as sa

from kg_pipeline.db.database import GeneDatabase
from kg_pipeline.defs.annotation import annotation_asset
from kg_pipeline.defs.raw import RawFileStore, raw_asset
from kg_pipeline.defs.scoring.assets import gene_scores
from kg_pipeline.sources.string import parse

raw_string = raw_asset(
    "string",
    "string_upstream",
    "STRING v12 human protein aliases and protein-protein links (gzipped text).",
    pool="string_api",
)


def gene_score_percentages(
    gene_db: GeneDatabase, raw_store: RawFileStore
) -> dict[str, dict[int, float]]:
    """Each scored gene's percentage score: the partner evidence that weights PPI links."""
    with gene_db.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT gene_id, percentage_score FROM gene_scores")).all()
    return {"scores": {int(gene_id): float(score) for gene_id, score in rows}}


string_ppi_annotations = annotation_asset(
    "string_ppi",
    parse,
    raw_string,
    "STRING v12 interactions among our genes (combined score >= 400), a PPI score weighted by"
    " the partners' gene scores, and its percentile.",
    coverage_floor=0.05,
    extra_deps=(gene_scores,),
    extra_arguments=gene_score_percentages,
)
