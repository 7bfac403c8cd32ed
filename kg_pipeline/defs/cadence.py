"""What a source's cadence means to Dagster: its freshness policy and its schedule's cron."""

import datetime as dt

import dagster as dg

from kg_pipeline.sources.registry import SOURCES
from kg_pipeline.sources.spec import Cadence, Source

# Staggered start times (UTC) so sources of one cadence do not all start in the same minute.
_CRON: dict[Cadence, str] = {
    "daily": "{minute} 2 * * *",
    "weekly": "{minute} 3 * * 0",
    "monthly": "{minute} 4 1 * *",
}

# A source is stale when it missed its cadence by a comfortable margin: (fail, warn).
_FRESHNESS: dict[Cadence, tuple[dt.timedelta, dt.timedelta]] = {
    "daily": (dt.timedelta(days=2), dt.timedelta(hours=30)),
    "weekly": (dt.timedelta(days=10), dt.timedelta(days=8)),
    "monthly": (dt.timedelta(days=40), dt.timedelta(days=32)),
}


def freshness_policy(source: Source) -> dg.FreshnessPolicy:
    fail, warn = _FRESHNESS[source.cadence]
    return dg.FreshnessPolicy.time_window(fail_window=fail, warn_window=warn)


def cron_schedule(source: Source, cadence: Cadence | None = None) -> str:
    """The cron of the source's refresh at `cadence` (default: the source's own)."""
    minute = (sorted(s.key for s in SOURCES).index(source.key) * 5) % 60
    return _CRON[cadence or source.cadence].format(minute=minute)
