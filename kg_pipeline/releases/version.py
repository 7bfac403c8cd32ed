"""CalVer release versions: `YYYY.MM`, then `YYYY.MM.2`, `YYYY.MM.3`, ... within a month."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Final

VERSION_PATTERN: Final = re.compile(r"^\d{4}\.\d{2}(\.\d+)?$")


def next_version(today: dt.date, taken: Iterable[str]) -> str:
    """The next version of `today`'s month after every version `taken`: the month's first
    release is `YYYY.MM`, the next `YYYY.MM.2`, and so on, always after the highest taken, so
    versions sort by age and a version whose release was deleted by hand is not given again
    while a later one exists."""
    month = f"{today.year:04d}.{today.month:02d}"
    numbers = [
        1 if version == month else int(version.rsplit(".", 1)[1])
        for version in taken
        if version == month or (version.startswith(f"{month}.") and is_version(version))
    ]
    return f"{month}.{max(numbers) + 1}" if numbers else month


def is_version(name: str) -> bool:
    return bool(VERSION_PATTERN.match(name))
