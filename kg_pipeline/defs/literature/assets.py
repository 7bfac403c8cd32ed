"""Assets of literature: its raw files and its gene evidence."""

from kg_pipeline.defs.evidence import evidence_asset
from kg_pipeline.defs.raw import raw_asset
from kg_pipeline.sources.literature import parse

raw_literature = raw_asset(
    "literature",
    "literature_upstream",
    "Gene lists of twelve curated kidney-genetics publications (JSON).",
    pool="literature_api",
)

literature_evidence = evidence_asset(
    "literature",
    parse,
    raw_literature,
    "Genes reported in curated kidney-genetics publications, with the publications.",
    file_based=True,
)
