"""Assets of gnomad: its raw files and its gene annotations."""

from kg_pipeline.defs.annotation import annotation_asset
from kg_pipeline.defs.raw import raw_asset
from kg_pipeline.sources.gnomad import parse

raw_gnomad = raw_asset(
    "gnomad",
    "gnomad_upstream",
    "gnomAD v4.1 gene constraint metrics (TSV).",
    pool="gnomad_api",
)

gnomad_annotations = annotation_asset(
    "gnomad",
    parse,
    raw_gnomad,
    "gnomAD v4.1 constraint of each gene's canonical (MANE) transcript: pLI, LOEUF (oe_lof "
    "with bounds), lof_z, mis_z, syn_z.",
    coverage_floor=0.5,
)
