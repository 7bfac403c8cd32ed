"""Assets of gencc: its raw files and its gene evidence."""

from kg_pipeline.defs.evidence import evidence_asset
from kg_pipeline.defs.raw import raw_asset
from kg_pipeline.sources.gencc import parse

raw_gencc = raw_asset(
    "gencc",
    "gencc_upstream",
    "GenCC gene-disease submissions export (TSV).",
    pool="gencc_api",
)

gencc_evidence = evidence_asset(
    "gencc",
    parse,
    raw_gencc,
    "GenCC submissions for kidney diseases, one row per gene with its submitters and maximum "
    "classification.",
)
