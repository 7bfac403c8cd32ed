"""What a bench is asked (`BenchOptions`) and what it answers (`BenchResult`), and what every
bench module shares: the error phrased for the user, the `say` callback that prints progress,
byte units and rounding.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg_pipeline.settings import SourceMode

Say = Callable[[str], None]

GB = 1_000_000_000
MB = 1_000_000


class BenchError(RuntimeError):
    """The benchmark could not run at all; phrased for the user."""


@dataclass(frozen=True)
class BenchOptions:
    """What `kg-pipeline bench` was asked to do; None means "the default"."""

    scale: float | None = None
    """Snapshot scale to generate (default `DEFAULT_SCALE`); with `snapshot`, only a label."""
    mode: SourceMode = "mirror"
    snapshot: Path | None = None
    """Reuse this snapshot instead of generating one."""
    workdir: Path | None = None
    """Default `$KG_DATA_DIR/bench`."""
    server_url: str | None = None
    """Any URL of the PostgreSQL server to create the bench databases on; default: the server
    of KG_DATABASE_URL, or the embedded one."""
    out: Path | None = None
    """Report path; default `<workdir>/bench-report.json`."""
    keep: bool = False
    """Keep the databases and the run directory (snapshot, raw files, Dagster home)."""
    new_share: float = 0.01
    """The PubTator refresh bench: new articles published, as a share of the search."""


@dataclass
class BenchResult:
    report: dict[str, Any]
    report_path: Path
    success: bool
    failure: str | None = None


def print_line(line: str) -> None:
    print(line, flush=True)


def rounded(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)
