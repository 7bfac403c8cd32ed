"""How PubTator3 is walked: every page of the kidney search, at the upstream's request rate.

The rate limit lives in the fetcher (one limiter per upstream per process); the `pubtator_api`
pool keeps a second run from doubling the request rate.
"""

from typing import Final

from kg_pipeline.raw_files import read_json
from kg_pipeline.settings import Settings
from kg_pipeline.sources.pubtator.upstream import PUBTATOR
from kg_pipeline.sources.spec import FetchJob

SEARCH_PATH: Final = "search/"
PROGRESS_EVERY_PAGES: Final = 250


def search_options(settings: Settings) -> dict[str, str]:
    """The walk's options from the settings: the query and the page limit."""
    return {"query": settings.pubtator_query, "max_pages": str(settings.pubtator_max_pages)}


def walk_search(job: FetchJob) -> None:
    """Pages 1.. until the search's `total_pages` (or the `max_pages` option)."""
    params = {"text": job.options["query"], "sort": "score desc"}
    max_pages = int(job.options["max_pages"])
    page, total_pages = 1, 1
    while page <= min(total_pages, max_pages):
        key, item = job.download(PUBTATOR.key, SEARCH_PATH, params=params, page=page)
        total_pages = int(read_json(job.source, key, item.path).get("total_pages") or page)
        if page % PROGRESS_EVERY_PAGES == 0:
            job.log.info(f"pubtator: page {page} of {total_pages}")
        page += 1
    if total_pages > max_pages:
        job.log.warning(
            f"pubtator: stopped at KG_PUBTATOR_MAX_PAGES={max_pages} of {total_pages} pages"
        )
    job.log.info(f"pubtator: {page - 1} pages fetched")
