"""Where literature is downloaded from: one file per curated publication in upstream's seed
data."""

from typing import Final

from kg_pipeline.sources.spec import Upstream

PMIDS: Final[tuple[str, ...]] = (
    "26862157",
    "29801666",
    "30476936",
    "31027891",
    "31509055",
    "31822006",
    "33532864",
    "33664247",
    "34264297",
    "35005812",
    "35325889",
    "36035137",
)

LITERATURE: Final = Upstream(
    key="literature",
    base_url="https://raw.githubusercontent.com/berntpopp/kidney-genetics-db/main/backend/app/data/seed/literature",
    files=tuple(f"literature_pmid_{pmid}.json" for pmid in PMIDS),
)
