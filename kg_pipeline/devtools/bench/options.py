"""What a bench is asked (`BenchOptions`) and what it answers (`BenchResult`), and what every
bench module shares: the error phrased for the user, the `say` callback that prints progress,
the machine's CPU counters, byte units and rounding.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kg_pipeline.manifest import MANIFEST_NAME
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


@dataclass(frozen=True)
class BenchRun:
    """Where one bench run works and reports: a fresh run directory under the work directory,
    named by `token` (also the scratch databases' suffix), and the report path."""

    token: str
    run_dir: Path
    report_path: Path
    load_start: tuple[float, float, float]

    @classmethod
    def start(cls, options: BenchOptions, data_dir: Path, report_name: str) -> BenchRun:
        """Check `--snapshot`, then make the run directory; `BenchError` if it is no snapshot."""
        if options.snapshot is not None and not (Path(options.snapshot) / MANIFEST_NAME).is_file():
            raise BenchError(
                f"{options.snapshot} is not a snapshot (no {MANIFEST_NAME}); generate one with "
                "`kg-pipeline snapshot --out DIR` or leave out --snapshot"
            )
        workdir = Path(options.workdir or data_dir / "bench").expanduser().resolve()
        token = f"{datetime.now(UTC):%Y%m%d_%H%M%S}_{uuid.uuid4().hex[:6]}"
        run_dir = workdir / f"run-{token}"
        run_dir.mkdir(parents=True)
        report_path = Path(options.out or workdir / report_name).expanduser().resolve()
        return cls(token, run_dir, report_path, os.getloadavg())


def print_line(line: str) -> None:
    print(line, flush=True)


def rounded(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


PROC_STAT = Path("/proc/stat")


@dataclass(frozen=True)
class MachineCpu:
    """CPU seconds of the whole machine, summed over its CPUs (the first line of /proc/stat)."""

    busy: float
    """user, nice, system, irq and softirq: the work of every process on the machine (this
    one, the emulator, a local PostgreSQL server) and of the kernel for them."""
    stolen: float
    """steal: time the hypervisor gave other machines. A virtual machine's timings are only as
    steady as this is small."""


def machine_cpu(stat_path: Path = PROC_STAT) -> MachineCpu | None:
    """The machine's CPU seconds since boot; None where the kernel does not say (not Linux, or
    a kernel older than the steal column)."""
    try:
        with stat_path.open(encoding="ascii") as stat:
            fields = stat.readline().split()
    except OSError:
        return None
    # "cpu user nice system idle iowait irq softirq steal ...", in clock ticks.
    if len(fields) < 9 or fields[0] != "cpu":
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, fields[1:9])
    tick = os.sysconf("SC_CLK_TCK")
    return MachineCpu(busy=(user + nice + system + irq + softirq) / tick, stolen=steal / tick)


def machine_cpu_since(start: MachineCpu | None) -> MachineCpu | None:
    """The machine's CPU seconds since `start` (a `machine_cpu()` reading), rounded to ms."""
    now = machine_cpu()
    if start is None or now is None:
        return None
    return MachineCpu(
        busy=round(now.busy - start.busy, 3), stolen=round(now.stolen - start.stolen, 3)
    )
