"""What every bench module shares: reading the CPU time the hypervisor stole."""

import os
from pathlib import Path

from kg_pipeline.devtools.bench.options import stolen_cpu_seconds, stolen_since


def test_stolen_cpu_is_the_steal_column_of_proc_stat(tmp_path: Path) -> None:
    stat = tmp_path / "stat"
    # user nice system idle iowait irq softirq steal guest guest_nice, in clock ticks
    stat.write_text("cpu  58968 0 21096 108493 2540 0 2999 19356 0 0\ncpu0 1 2 3 4 5 6 7 8 9 10\n")
    assert stolen_cpu_seconds(stat) == 19356 / os.sysconf("SC_CLK_TCK")


def test_stolen_cpu_is_unknown_where_the_kernel_does_not_say(tmp_path: Path) -> None:
    stat = tmp_path / "stat"
    stat.write_text("cpu  1 2 3 4\n")  # a kernel older than the steal column
    assert stolen_cpu_seconds(stat) is None
    assert stolen_cpu_seconds(tmp_path / "missing") is None
    assert stolen_since(None) is None


def test_stolen_since_counts_from_a_reading() -> None:
    start = stolen_cpu_seconds()
    if start is None:  # not Linux: nothing to count
        assert stolen_since(start) is None
        return
    stolen = stolen_since(start)
    assert stolen is not None and stolen >= 0
