"""Where gencc is downloaded from: host, files and release."""

from typing import Final

from kg_pipeline.sources.spec import Upstream

GENCC: Final = Upstream(
    key="gencc",
    base_url="https://search.thegencc.org",
    files=("download/action/submissions-export-tsv",),
    # GenCC allows 20 downloads per IP a day; spending at most half leaves room for retries
    # tomorrow and for other users behind the same address.
    daily_downloads=10,
)
