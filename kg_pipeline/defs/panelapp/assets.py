"""Assets of panelapp: its raw files and its gene evidence."""

from kg_pipeline.defs.evidence import evidence_asset
from kg_pipeline.defs.raw import raw_asset
from kg_pipeline.sources.panelapp import parse

raw_panelapp = raw_asset(
    "panelapp",
    "panelapp_upstream",
    "PanelApp UK and Australia: panel listings and every kidney panel in detail (JSON).",
    pool="panelapp_api",
)

panelapp_evidence = evidence_asset(
    "panelapp",
    parse,
    raw_panelapp,
    "Genes rated green on PanelApp UK and Australia kidney panels, one row per gene with its "
    "panels, versions, regions and modes of inheritance.",
)
