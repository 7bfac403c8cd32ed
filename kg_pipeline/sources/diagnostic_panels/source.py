"""The diagnostic_panels registry entry: everything about the diagnostic panel files."""

from typing import Final

from kg_pipeline.sources.diagnostic_panels import parse
from kg_pipeline.sources.diagnostic_panels.upstream import DIAGNOSTIC_PANELS
from kg_pipeline.sources.spec import EvidenceLoad, Source

SOURCE: Final = Source(
    key="diagnostic_panels",
    raw_description="Gene lists of nine commercial kidney diagnostic panel providers (JSON).",
    upstreams=(DIAGNOSTIC_PANELS,),
    cadence="monthly",
    evidence=EvidenceLoad(
        parse,
        description="Genes on commercial kidney diagnostic panels, with their providers and "
        "panels.",
        staging_priority=75,
        file_based=True,
    ),
)
