"""The HTTP access layer: one session factory, retries, rate limits, and the snapshot mirror.

Sources and assets ask `make_fetcher(settings)` for a `Fetcher` and never see which mode they
run in: `KG_SOURCE_MODE=live` talks to the upstreams (or the local emulator), `mirror` reads the
same bytes from a snapshot directory.
"""

from __future__ import annotations

from kg_pipeline.http.live import LiveFetcher, make_session, parse_retry_after
from kg_pipeline.http.mirror import MirrorFetcher
from kg_pipeline.http.ratelimit import MinIntervalLimiter, limiter_for, requests_per_second
from kg_pipeline.http.transport import (
    FetchedFile,
    Fetcher,
    UpstreamError,
    mirror_relpath,
    snapshot_path,
)
from kg_pipeline.settings import Settings


def make_fetcher(settings: Settings) -> Fetcher:
    """The fetcher for `settings.source_mode`."""
    if settings.source_mode == "live":
        return LiveFetcher(settings)
    return MirrorFetcher(settings)


__all__ = [
    "FetchedFile",
    "Fetcher",
    "LiveFetcher",
    "MinIntervalLimiter",
    "MirrorFetcher",
    "UpstreamError",
    "limiter_for",
    "make_fetcher",
    "make_session",
    "mirror_relpath",
    "parse_retry_after",
    "requests_per_second",
    "snapshot_path",
]
