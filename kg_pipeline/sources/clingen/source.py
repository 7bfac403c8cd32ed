"""The clingen registry entry: everything about ClinGen that the pipeline and tools read."""

from typing import Final

from kg_pipeline.sources.clingen import parse
from kg_pipeline.sources.clingen.upstream import CLINGEN
from kg_pipeline.sources.spec import EvidenceLoad, Source

SOURCE: Final = Source(
    key="clingen",
    raw_description="ClinGen gene-disease validity curations (CSV download).",
    upstreams=(CLINGEN,),
    cadence="daily",
    evidence=EvidenceLoad(
        parse,
        description="ClinGen gene-disease validity curations of the kidney expert panels and "
        "kidney diseases, one row per gene with its maximum classification.",
        staging_priority=95,
    ),
    read_release=parse.read_release,
)
