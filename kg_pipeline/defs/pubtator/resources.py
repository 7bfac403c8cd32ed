"""The PubTator3 client: every page of the kidney search, at the upstream's 3 requests/s."""

from pathlib import Path

import dagster as dg

from kg_pipeline.defs.raw import Fetched, UpstreamClient
from kg_pipeline.http import Fetcher
from kg_pipeline.http.formats import read_json

SEARCH_PATH = "search/"
PROGRESS_EVERY_PAGES = 250


class PubTatorClient(UpstreamClient):
    """Walks the search API page by page until `total_pages` (or `KG_PUBTATOR_MAX_PAGES`).

    The rate limit lives in the fetcher (one limiter per upstream per process); the
    `pubtator_api` pool keeps a second run from doubling the request rate.
    """

    upstreams: list[str] = ["pubtator"]

    def fetch(self, fetcher: Fetcher, staging: Path, log: dg.DagsterLogManager) -> Fetched:
        settings = self.settings()
        params = {"text": settings.pubtator_query, "sort": "score desc"}
        fetched: Fetched = []
        page, total_pages = 1, 1
        while page <= min(total_pages, settings.pubtator_max_pages):
            item = fetcher.download(
                "pubtator", SEARCH_PATH, staging / f"{page:06d}", params=params, page=page
            )
            key = f"pubtator/{item.relpath}"
            fetched.append((key, item))
            total_pages = int(read_json("pubtator", key, item.path).get("total_pages") or page)
            if page % PROGRESS_EVERY_PAGES == 0:
                log.info(f"pubtator: page {page} of {total_pages}")
            page += 1
        if total_pages > settings.pubtator_max_pages:
            log.warning(
                f"pubtator: stopped at KG_PUBTATOR_MAX_PAGES={settings.pubtator_max_pages} of "
                f"{total_pages} pages"
            )
        log.info(f"pubtator: {len(fetched)} pages fetched")
        return fetched
