"""Fixtures: a tiny snapshot and the emulator serving it (shared with the other test folder), and
live fetchers aimed at it."""

from pathlib import Path
from typing import Any

import requests

from kg_pipeline.http.live import Endpoint, HttpPolicy, LiveFetcher
from kg_pipeline.sources.registry import UPSTREAMS
from kg_pipeline_tests.devtools.emulator.snapshots import emulator, snapshot

__all__ = ["emulator", "live_fetcher", "snapshot"]


def live_fetcher(
    root_url: str,
    *,
    requests_per_second: float = 20.0,
    api_key: str | None = None,
    daily_downloads: dict[str, int] | None = None,
    ledger_dir: Path | None = None,
    session: requests.Session | None = None,
    **policy: Any,
) -> LiveFetcher:
    """A live fetcher reaching every registry upstream at `<root_url>/<key>` (the emulator);
    `daily_downloads` gives upstreams a download budget counted under `ledger_dir`."""
    endpoints = {
        key: Endpoint(
            base_url=f"{root_url}/{key}",
            requests_per_second=requests_per_second,
            api_key=api_key if upstream.api_key_setting else None,
            api_key_setting=upstream.api_key_setting,
            daily_downloads=(daily_downloads or {}).get(key),
        )
        for key, upstream in UPSTREAMS.items()
    }
    return LiveFetcher(endpoints, HttpPolicy(**policy), ledger_dir=ledger_dir, session=session)
