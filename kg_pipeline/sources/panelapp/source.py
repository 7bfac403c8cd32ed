"""The panelapp registry entry: everything about PanelApp that the pipeline and tools read."""

from typing import Final

from kg_pipeline.sources.panelapp import parse
from kg_pipeline.sources.panelapp.fetch import walk_panels
from kg_pipeline.sources.panelapp.upstream import PANELAPP_AU, PANELAPP_UK
from kg_pipeline.sources.spec import EvidenceLoad, Source

SOURCE: Final = Source(
    key="panelapp",
    raw_description="PanelApp UK and Australia: panel listings and each kidney panel (JSON).",
    upstreams=(PANELAPP_UK, PANELAPP_AU),
    cadence="daily",
    evidence=EvidenceLoad(
        parse,
        description="Genes rated green on PanelApp UK and Australia kidney panels, one row per "
        "gene with its panels, versions, regions and modes of inheritance.",
        staging_priority=100,
    ),
    walk=walk_panels,
    read_release=parse.read_release,
)
