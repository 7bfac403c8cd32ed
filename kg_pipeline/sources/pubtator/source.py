"""The pubtator registry entry: everything about PubTator that the pipeline and tools read."""

from typing import Final

from kg_pipeline.sources.pubtator import parse
from kg_pipeline.sources.pubtator.fetch import search_options, walk_search
from kg_pipeline.sources.pubtator.upstream import PUBTATOR
from kg_pipeline.sources.spec import EvidenceLoad, Source

SOURCE: Final = Source(
    key="pubtator",
    raw_description="PubTator3 search results for the kidney query, one JSON file per page.",
    upstreams=(PUBTATOR,),
    cadence="weekly",
    evidence=EvidenceLoad(
        parse,
        description="Genes mentioned in PubTator3 articles of the kidney query, with their PMIDs "
        "and publication counts.",
        staging_priority=20,
    ),
    full_walk_cadence="monthly",
    walk=walk_search,
    options=search_options,
)
