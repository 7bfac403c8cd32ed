"""Where gencc is downloaded from: host, files and release."""

from typing import Final

from kg_pipeline.sources.spec import Upstream

GENCC: Final = Upstream(
    key="gencc",
    base_url="https://search.thegencc.org",
    files=("download/action/submissions-export-tsv",),
)
