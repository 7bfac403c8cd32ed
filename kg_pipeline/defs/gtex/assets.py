"""Assets of gtex: its raw files."""

from kg_pipeline.defs.raw import raw_asset

raw_gtex = raw_asset(
    "gtex",
    "gtex_upstream",
    "GTEx v8 median gene expression (TPM) per tissue (GCT, gzipped).",
    pool="gtex_api",
)
