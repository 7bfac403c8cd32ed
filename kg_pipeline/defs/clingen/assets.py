"""Assets of clingen: its raw files and its gene evidence."""

from kg_pipeline.defs.evidence import evidence_asset
from kg_pipeline.defs.raw import raw_asset
from kg_pipeline.sources.clingen import parse

raw_clingen = raw_asset(
    "clingen",
    "clingen_upstream",
    "ClinGen gene-disease validity curations (CSV download).",
    pool="clingen_api",
)

clingen_evidence = evidence_asset(
    "clingen",
    parse,
    raw_clingen,
    "ClinGen gene-disease validity curations of the kidney expert panels and kidney diseases,"
    " one row per gene with its maximum classification.",
)
