"""What every bench module shares: reading the machine's CPU counters."""

import os
from pathlib import Path

from kg_pipeline.devtools.bench.options import MachineCpu, machine_cpu, machine_cpu_since


def test_machine_cpu_is_the_busy_and_steal_columns_of_proc_stat(tmp_path: Path) -> None:
    stat = tmp_path / "stat"
    # user nice system idle iowait irq softirq steal guest guest_nice, in clock ticks
    stat.write_text("cpu  58968 7 21096 108493 2540 11 2999 19356 0 0\ncpu0 1 2 3 4 5 6 7 8 9 10\n")
    tick = os.sysconf("SC_CLK_TCK")
    # Busy is every column but idle, iowait and steal: 58968 + 7 + 21096 + 11 + 2999.
    assert machine_cpu(stat) == MachineCpu(busy=83081 / tick, stolen=19356 / tick)


def test_machine_cpu_is_unknown_where_the_kernel_does_not_say(tmp_path: Path) -> None:
    stat = tmp_path / "stat"
    stat.write_text("cpu  1 2 3 4\n")  # a kernel older than the steal column
    assert machine_cpu(stat) is None
    assert machine_cpu(tmp_path / "missing") is None
    assert machine_cpu_since(None) is None


def test_machine_cpu_since_counts_from_a_reading() -> None:
    start = machine_cpu()
    if start is None:  # not Linux: nothing to count
        assert machine_cpu_since(start) is None
        return
    sum(i * i for i in range(2_000_000))  # some CPU work of this process
    since = machine_cpu_since(start)
    assert since is not None
    assert since.busy > 0 and since.stolen >= 0
