"""Assets of gtex: its raw files and its gene annotations."""

from kg_pipeline.defs.annotation import annotation_asset
from kg_pipeline.defs.raw import raw_asset
from kg_pipeline.sources.gtex import parse

raw_gtex = raw_asset(
    "gtex",
    "gtex_upstream",
    "GTEx v8 median gene expression (TPM) per tissue (GCT, gzipped).",
    pool="gtex_api",
)

gtex_annotations = annotation_asset(
    "gtex",
    parse,
    raw_gtex,
    "GTEx v8 median expression (TPM) in every tissue, kidney cortex and medulla highlighted.",
    coverage_floor=0.5,
)
