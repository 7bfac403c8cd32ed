"""Where pubtator is downloaded from: host, files and release."""

from typing import Final

from kg_pipeline.sources.spec import Upstream

PUBTATOR: Final = Upstream(
    key="pubtator",
    base_url="https://www.ncbi.nlm.nih.gov/research/pubtator3-api",
    requests_per_second=3.0,
    api_format="json",
    api_key_setting="KG_NCBI_API_KEY",
)
