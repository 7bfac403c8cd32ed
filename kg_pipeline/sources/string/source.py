"""The string registry entry: everything about STRING that the pipeline and tools read."""

from typing import Final

from kg_pipeline.sources.spec import AnnotationLoad, Source
from kg_pipeline.sources.string import parse
from kg_pipeline.sources.string.fetch import fetch_network, network_options
from kg_pipeline.sources.string.upstream import STRING

SOURCE: Final = Source(
    key="string",
    raw_description="STRING v12 protein info and one network's links (KG_STRING_NETWORK).",
    upstreams=(STRING,),
    cadence="monthly",
    annotation=AnnotationLoad(
        parse,
        description="STRING v12 interactions among our genes (combined score >= 400), a PPI "
        "score weighted by the partners' gene scores, and its percentile.",
        coverage_floor=0.05,
        inputs=("scores",),
    ),
    walk=fetch_network,
    options=network_options,
)
