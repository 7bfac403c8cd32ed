"""Where gencc is downloaded from: host, files and release."""

from typing import Final

from kg_pipeline.sources.spec import Upstream

GENCC: Final = Upstream(
    key="gencc",
    # `search.thegencc.org` only redirects here now.
    base_url="https://thegencc.org",
    # The "new" export (31 unquoted columns from `sgc_id`); without `format` GenCC serves the
    # legacy 30-column quoted one, announced as deprecated after 2026-09-30.
    files=("download/action/submissions-export-tsv?format=new",),
    # GenCC allows 20 downloads per IP a day; spending at most half leaves room for retries
    # tomorrow and for other users behind the same address.
    daily_downloads=10,
)
