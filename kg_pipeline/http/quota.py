"""Daily download budgets of upstreams that limit downloads per IP address (GenCC: 20 a day).

Every attempt that may send a body spends one download before it is made (a retry of a
truncated body is a new download); an attempt the upstream answers with 304 is given back. The
count lives in one small file per upstream under the raw store, locked while it changes, so every
run and process on this machine shares it and the budget holds across refreshes.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO


class BudgetSpent(Exception):
    """Today's downloads of an upstream are used up."""


class DailyDownloadBudget:
    """At most `limit` downloads of `upstream` per UTC day, counted in `<ledger_dir>/<upstream>`."""

    def __init__(self, ledger_dir: Path, upstream: str, limit: int) -> None:
        self.path = ledger_dir / f"{upstream}.json"
        self.upstream = upstream
        self.limit = limit

    def spend(self) -> int:
        """Take one download from today's budget; returns how many are used now. Raises
        `BudgetSpent` (nothing taken) when none is left."""
        with self._ledger() as (fh, counts):
            today = _today()
            used = counts.get(today, 0)
            if used >= self.limit:
                raise BudgetSpent(
                    f"today's {self.limit} downloads of {self.upstream} are spent "
                    f"({used} since 00:00 UTC)"
                )
            # Older days are dropped: the file stays one line long.
            _write(fh, {today: used + 1})
            return used + 1

    def give_back(self) -> None:
        """Return one download taken today (the attempt was answered 304: no body came)."""
        with self._ledger() as (fh, counts):
            today = _today()
            if counts.get(today, 0) > 0:
                _write(fh, {today: counts[today] - 1})

    def used_today(self) -> int:
        with self._ledger() as (_fh, counts):
            return counts.get(_today(), 0)

    @contextmanager
    def _ledger(self) -> Iterator[tuple[IO[str], dict[str, int]]]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        with os.fdopen(fd, "r+", encoding="utf-8") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            text = fh.read()
            try:
                counts = {str(k): int(v) for k, v in json.loads(text).items()} if text else {}
            except (ValueError, AttributeError):
                # A damaged ledger must not stop every download for ever; it restarts the day
                # at the limit, which is the safe side for a quota.
                counts = {_today(): self.limit}
            yield fh, counts


def _today() -> str:
    return datetime.now(UTC).date().isoformat()


def _write(fh: IO[str], counts: dict[str, int]) -> None:
    fh.seek(0)
    fh.truncate()
    fh.write(json.dumps(counts))
    fh.flush()
