"""The literature registry entry: everything about literature that the pipeline and tools read."""

from typing import Final

from kg_pipeline.sources.literature import parse
from kg_pipeline.sources.literature.upstream import LITERATURE
from kg_pipeline.sources.spec import EvidenceLoad, Source

SOURCE: Final = Source(
    key="literature",
    raw_description="Gene lists of twelve curated kidney-genetics publications (JSON).",
    upstreams=(LITERATURE,),
    cadence="monthly",
    evidence=EvidenceLoad(
        parse,
        description="Genes reported in curated kidney-genetics publications, with the "
        "publications.",
        file_based=True,
    ),
)
