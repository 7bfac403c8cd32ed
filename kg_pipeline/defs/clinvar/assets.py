"""Assets of clinvar: its raw files and its gene annotations."""

from kg_pipeline.defs.annotation import annotation_asset
from kg_pipeline.defs.raw import raw_asset
from kg_pipeline.sources.clinvar import parse

raw_clinvar = raw_asset(
    "clinvar",
    "clinvar_upstream",
    "ClinVar gene-specific summary: variant and submission counts per gene (TSV).",
    pool="clinvar_api",
)

clinvar_annotations = annotation_asset(
    "clinvar",
    parse,
    raw_clinvar,
    "ClinVar variant and submission counts per gene by clinical significance.",
    coverage_floor=0.3,
)
