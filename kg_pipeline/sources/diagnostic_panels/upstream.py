"""Where diagnostic_panels is downloaded from: the provider files of upstream's seed data."""

from typing import Final

from kg_pipeline.sources.spec import Upstream

PROVIDERS: Final[tuple[str, ...]] = (
    "blueprint_genetics",
    "cegat",
    "centogene",
    "invitae",
    "mayo_clinic",
    "mgz_muenchen",
    "mvz_medicover",
    "natera",
    "prevention_genetics",
)

DIAGNOSTIC_PANELS: Final = Upstream(
    key="diagnostic_panels",
    base_url="https://raw.githubusercontent.com/berntpopp/kidney-genetics-db/main/backend/app/data/seed/diagnostic_panels",
    files=tuple(f"{provider}.json" for provider in PROVIDERS),
)
