"""The gencc registry entry: everything about GenCC that the pipeline and tools read."""

from typing import Final

from kg_pipeline.sources.gencc import parse
from kg_pipeline.sources.gencc.upstream import GENCC
from kg_pipeline.sources.spec import EvidenceLoad, Source

SOURCE: Final = Source(
    key="gencc",
    raw_description="GenCC gene-disease submissions export (TSV).",
    upstreams=(GENCC,),
    # GenCC publishes weekly (and allows 20 downloads per IP a day: see its upstream).
    cadence="weekly",
    evidence=EvidenceLoad(
        parse,
        description="GenCC submissions for kidney diseases, one row per gene with its submitters "
        "and maximum classification.",
        staging_priority=80,
    ),
)
