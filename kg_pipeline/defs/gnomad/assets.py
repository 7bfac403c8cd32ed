"""Assets of gnomad: its raw files."""

from kg_pipeline.defs.raw import raw_asset

raw_gnomad = raw_asset(
    "gnomad",
    "gnomad_upstream",
    "gnomAD v4.1 gene constraint metrics (TSV).",
    pool="gnomad_api",
)
