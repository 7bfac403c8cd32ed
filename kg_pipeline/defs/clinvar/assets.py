"""Assets of clinvar: its raw files."""

from kg_pipeline.defs.raw import raw_asset

raw_clinvar = raw_asset(
    "clinvar",
    "clinvar_upstream",
    "ClinVar gene-specific summary: variant and submission counts per gene (TSV).",
    pool="clinvar_api",
)
