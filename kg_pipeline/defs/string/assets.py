"""Assets of string: its raw files."""

from kg_pipeline.defs.raw import raw_asset

raw_string = raw_asset(
    "string",
    "string_upstream",
    "STRING v12 human protein aliases and protein-protein links (gzipped text).",
    pool="string_api",
)
