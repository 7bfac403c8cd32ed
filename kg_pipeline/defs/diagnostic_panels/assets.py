"""Assets of diagnostic_panels: its raw files and its gene evidence."""

from kg_pipeline.defs.evidence import evidence_asset
from kg_pipeline.defs.raw import raw_asset
from kg_pipeline.sources.diagnostic_panels import parse

raw_diagnostic_panels = raw_asset(
    "diagnostic_panels",
    "diagnostic_panels_upstream",
    "Gene lists of nine commercial kidney diagnostic panel providers (JSON).",
    pool="diagnostic_panels_api",
)

diagnostic_panels_evidence = evidence_asset(
    "diagnostic_panels",
    parse,
    raw_diagnostic_panels,
    "Genes on commercial kidney diagnostic panels, with their providers and panels.",
    file_based=True,
)
