"""Assets of pubtator: its raw files and its gene evidence."""

from kg_pipeline.defs.evidence import evidence_asset
from kg_pipeline.defs.raw import raw_asset
from kg_pipeline.sources.pubtator import parse

raw_pubtator = raw_asset(
    "pubtator",
    "pubtator_upstream",
    "PubTator3 search results for the kidney query, one JSON file per page.",
    pool="pubtator_api",
)

pubtator_evidence = evidence_asset(
    "pubtator",
    parse,
    raw_pubtator,
    "Genes mentioned in PubTator3 articles of the kidney query, with their PMIDs and "
    "publication counts.",
)
