"""How PubTator3 is walked: the kidney search's pages, newest first, at the upstream's rate.

A full walk fetches pages 1.. until the search's `total_pages` (or the `max_pages` option). An
incremental walk (given the latest stored version) stops after `stop_after_known_pages` pages in
a row whose PMIDs that version already holds, then carries the stored pages over, renumbered
after the pages it fetched and without the leading ones the new pages cover: the new version is
again the whole search, and the parser counts each article once (the newest copy). Articles
that appear later under an older date, and changed annotations of known articles, wait for the
next full walk.

A page that still fails after the fetcher's retries (or arrives as broken JSON twice) is skipped
and recorded with the PMIDs a broken body still shows; the walk fails, storing nothing, as soon
as more than 1 % of the search's pages failed. Page 1 must arrive: it says how many pages
there are.

Pages after the first are requested `PAGES_IN_FLIGHT` at a time and taken in page order. The
rate limit lives in the fetcher (one limiter per upstream per process, spacing request starts
across threads); the `pubtator_api` pool keeps a second run from doubling the request rate. A
walk that stops early (incremental, or too many failed pages) drops the pages already in flight
beyond its end.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any, Final

from kg_pipeline.http.transport import FetchedFile, UpstreamError, mirror_relpath
from kg_pipeline.raw_files import SourceFormatError, content_text, parse_json, read_text
from kg_pipeline.settings import Settings
from kg_pipeline.sources.pubtator.upstream import PUBTATOR
from kg_pipeline.sources.spec import FetchJob

SEARCH_PATH: Final = "search/"
SORT: Final = "date desc"
"""Newest first. PubTator3 accepts `score desc`, `date desc` and `_id desc` and answers any
other value with HTTP 400 (pubtator-link, api/client.py)."""
MAX_FAILED_SHARE: Final = 0.01
"""A walk may skip up to this share of the search's pages; one more fails it."""
BROKEN_PAGE_ATTEMPTS: Final = 2
"""Downloads of a page whose body is not a search page (cut-off JSON) before it is skipped."""
PAGES_IN_FLIGHT: Final = 4
"""Search pages requested at once. The limiter still spaces their starts (PubTator: 3 per
second); one at a time, a walk would run at one page per round trip instead, well under the
rate when a page takes half a second to answer."""
PROGRESS_EVERY_PAGES: Final = 250
SHOWN_FAILURES: Final = 10

_PAGE_KEY: Final = re.compile(rf"{PUBTATOR.key}/{SEARCH_PATH}page-(\d+)")
_PMID_FIELD: Final = re.compile(r'"pmid"\s*:\s*"?(\d+)')


class TooManyFailedPages(RuntimeError):
    """More of the search's pages failed than a walk may skip; nothing is stored."""


def search_options(settings: Settings) -> dict[str, str]:
    """The walk's options from the settings: the query, the page limit, and how many known
    pages in a row end an incremental walk."""
    return {
        "query": settings.pubtator_query,
        "max_pages": str(settings.pubtator_max_pages),
        "stop_after_known_pages": str(settings.pubtator_stop_after_known_pages),
    }


@dataclass(frozen=True)
class FailedPage:
    """A page skipped after its retries: why, and the PMIDs a broken body still showed."""

    page: int
    reason: str
    pmids: list[str]


@dataclass(frozen=True)
class _Page:
    """One page's download: its key and body, or its failure."""

    number: int
    key: str | None = None
    data: Mapping[str, Any] | None = None
    failure: FailedPage | None = None


class _BrokenPage(Exception):
    """A page whose body was not a search page on every attempt."""

    def __init__(self, error: SourceFormatError, pmids: list[str]) -> None:
        super().__init__(str(error))
        self.error = error
        self.pmids = pmids


@dataclass
class _Walk:
    """A walk in progress: its requests, the search's size once page 1 said it, the pages that
    failed and the PMIDs fetched."""

    job: FetchJob
    params: dict[str, str]
    max_pages: int
    total_pages: int = 1
    failed: list[FailedPage] = field(default_factory=list)
    fetched_pmids: set[str] = field(default_factory=set)

    @property
    def last_page(self) -> int:
        """The last page this walk may fetch."""
        return min(self.total_pages, self.max_pages)

    def fetch(self, number: int) -> _Page:
        """Download one page (on a worker thread): its body, or why it failed for good."""
        try:
            key, data = self._read(number)
        except _BrokenPage as exc:
            if number == 1:
                raise exc.error from None
            return _Page(number, failure=FailedPage(number, exc.error.reason, exc.pmids))
        except UpstreamError as exc:
            if number == 1:
                # Without page 1 the walk cannot know how many pages there are.
                raise
            return _Page(number, failure=FailedPage(number, exc.reason, []))
        return _Page(number, key=key, data=data)

    def take(self, page: _Page) -> set[str] | None:
        """Take a fetched page in page order: its PMIDs, or None when it failed (recorded)."""
        if page.failure is not None:
            self._skip(page.failure)
            return None
        assert page.data is not None
        if page.number == 1:
            self.total_pages = int(page.data.get("total_pages") or 1)
        pmids = page_pmids(page.data)
        self.fetched_pmids |= pmids
        return pmids

    def _read(self, number: int) -> tuple[str, Mapping[str, Any]]:
        attempts_left = BROKEN_PAGE_ATTEMPTS
        while True:
            key, item = self.job.download(
                PUBTATOR.key, SEARCH_PATH, params=self.params, page=number
            )
            try:
                data = _search_page(self.job.source, key, item)
            except SourceFormatError as exc:
                pmids = sorted(set(_PMID_FIELD.findall(_text_of(self.job.source, key, item))))
                self.job.discard(key)
                attempts_left -= 1
                if attempts_left == 0:
                    raise _BrokenPage(exc, pmids) from None
                continue
            if item.downloaded:
                self.job.mark_format_checked(key)
            return key, data

    def _skip(self, failure: FailedPage) -> None:
        self.failed.append(failure)
        self.job.log.warning(
            f"pubtator: page {failure.page} skipped after its retries ({failure.reason}); "
            f"PMIDs seen: {', '.join(failure.pmids) or 'none'}"
        )
        if len(self.failed) <= MAX_FAILED_SHARE * self.last_page:
            return
        shown = ", ".join(str(f.page) for f in self.failed[:SHOWN_FAILURES])
        more = ", ..." if len(self.failed) > SHOWN_FAILURES else ""
        raise TooManyFailedPages(
            f"pubtator: {len(self.failed)} of {self.last_page} search pages failed after their "
            f"retries (pages {shown}{more}), more than the {MAX_FAILED_SHARE:.0%} a walk may "
            "skip; nothing was stored and the previous PubTator data is kept; retry later"
        )


def _search_page(source: str, key: str, item: FetchedFile) -> Mapping[str, Any]:
    data = parse_json(source, key, _page_text(source, key, item))
    if not (isinstance(data, Mapping) and isinstance(data.get("results"), list)):
        raise SourceFormatError(source, key, "a search page without a 'results' list")
    return data


def _page_text(source: str, key: str, item: FetchedFile) -> str:
    # A page just downloaded is in hand; reading its file back would cost a few system calls
    # on every one of thousands of pages.
    if item.content is not None:
        return content_text(source, key, item.content)
    return read_text(source, key, item.path)


def _text_of(source: str, key: str, item: FetchedFile) -> str:
    try:
        return _page_text(source, key, item)
    except SourceFormatError:
        return ""


def page_pmids(data: Mapping[str, Any]) -> set[str]:
    """The PMIDs of one search page's results."""
    return {
        str(result["pmid"])
        for result in data.get("results") or []
        if isinstance(result, Mapping) and result.get("pmid") is not None
    }


def walk_search(job: FetchJob) -> None:
    """Pages 1.. of the search, newest first; incremental when `job.incremental` is set."""
    walk = _Walk(job, {"text": job.options["query"], "sort": SORT}, int(job.options["max_pages"]))
    stop_after = int(job.options["stop_after_known_pages"])
    stored = _stored_pages(job.source, job.known) if job.incremental else None
    known = set().union(*(pmids for _, _, pmids in stored)) if stored else set()

    page, known_run, stopped = 1, 0, False
    with ThreadPoolExecutor(PAGES_IN_FLIGHT, thread_name_prefix="pubtator-page") as pool:
        in_flight: dict[int, Future[_Page]] = {}
        try:
            while page <= walk.last_page:
                # Page 1 alone: it says how many pages there are.
                ahead = page if page == 1 else min(walk.last_page, page + PAGES_IN_FLIGHT - 1)
                for number in range(page, ahead + 1):
                    if number not in in_flight:
                        in_flight[number] = pool.submit(walk.fetch, number)
                pmids = walk.take(in_flight.pop(page).result())
                if stored is not None:
                    known_run = known_run + 1 if pmids and pmids <= known else 0
                    stopped = known_run >= stop_after
                if stopped:
                    break
                if page % PROGRESS_EVERY_PAGES == 0:
                    job.log.info(f"pubtator: page {page} of {walk.total_pages}")
                page += 1
        finally:
            _drop(job, in_flight)
    last = page if stopped else page - 1
    if walk.total_pages > walk.max_pages and not stopped:
        job.log.warning(
            f"pubtator: stopped at KG_PUBTATOR_MAX_PAGES={walk.max_pages} of "
            f"{walk.total_pages} pages"
        )

    carried = _carry(job, stored, walk.fetched_pmids, after=last) if stored and stopped else 0
    fetched = last - len(walk.failed)
    job.details.update(
        {
            "walk": "full" if stored is None else "incremental",
            "sort": SORT,
            "search_pages": walk.total_pages,
            "pages_fetched": fetched,
            "pages_failed": len(walk.failed),
            "failed_pages": [asdict(f) for f in walk.failed],
            "pages_carried": carried,
        }
    )
    if stored is not None:
        job.details["stopped_after_known_pages"] = stop_after if stopped else None
    skipped = f", {len(walk.failed)} skipped" if walk.failed else ""
    ending = (
        f"; stopped after {stop_after} known pages in a row, {carried} stored pages carried over"
        if stopped
        else ""
    )
    job.log.info(f"pubtator: {fetched} pages fetched{skipped}{ending}")


def _drop(job: FetchJob, in_flight: dict[int, Future[_Page]]) -> None:
    """Wait for the pages requested beyond where the walk ended and drop their files."""
    for future in in_flight.values():
        if future.cancel():
            continue
        try:
            dropped = future.result()
        except Exception:  # the walk has ended; a page it no longer wants may fail as it likes
            continue
        if dropped.key is not None:
            job.discard(dropped.key)


def _stored_pages(
    source: str, previous: Mapping[str, FetchedFile]
) -> list[tuple[int, str, set[str]]]:
    """The stored version's search pages in page order: number, key, PMIDs."""
    pages = []
    for key, item in previous.items():
        match = _PAGE_KEY.fullmatch(key)
        if match:
            pages.append((int(match.group(1)), key, page_pmids(_search_page(source, key, item))))
    return sorted(pages)


def _carry(
    job: FetchJob, stored: list[tuple[int, str, set[str]]], fetched: set[str], *, after: int
) -> int:
    """Carry the stored pages into the new version as pages `after + 1, ...`, leaving out the
    leading ones whose articles were all fetched again; returns how many were carried."""
    covered = 0
    for number, _, pmids in stored:
        if not pmids <= fetched:
            break
        covered = number
    carried = 0
    for number, key, _ in stored:
        if number > covered:
            job.carry(key, mirror_relpath(SEARCH_PATH, after + number - covered))
            carried += 1
    return carried
