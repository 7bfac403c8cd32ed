"""Where panelapp is downloaded from: host, files and release."""

from typing import Final

from kg_pipeline.sources.spec import Upstream

PANELAPP_UK: Final = Upstream(
    key="panelapp_uk",
    base_url="https://panelapp.genomicsengland.co.uk",
    api_format="json",
)

PANELAPP_AU: Final = Upstream(
    key="panelapp_au",
    base_url="https://panelapp-aus.org",
    api_format="json",
)
