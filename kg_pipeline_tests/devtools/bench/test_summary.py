"""The printed summary flags a timing the hypervisor disturbed and gives the CPU bounds."""

from typing import Any

from kg_pipeline.devtools.bench.summary import summary_lines


def report(
    stolen_rebuild: float | None,
    stolen_loads: list[float | None],
    machine_busy: float | None = 50.0,
) -> dict[str, Any]:
    """A report of a 40 s rebuild (30 s CPU of its process) on 2 CPUs against baseline loads of
    12, 10 and 11 s."""
    return {
        "machine": {
            "cpu_count": 2,
            "cpus_usable": 2,
            "memory_total_bytes": 24e9,
            "python": "3.11",
            "postgres": "15",
            "dagster": "1",
            "load_average_start": [1.0],
            "load_average_end": [1.0],
        },
        "parameters": {"mode": "live", "scale": 1.0},
        "snapshot": {"files": 10, "bytes": 1e6, "manifest_sha256": "0" * 64},
        "rebuild": {
            "assets": [],
            "other_steps": [],
            "seconds": 40.0,
            "success": True,
            "failure": None,
            "steps_seconds": 38.0,
            "overhead_seconds": 2.0,
            "cpu_seconds": 30.0,
            "machine_busy_cpu_seconds": machine_busy,
            "stolen_cpu_seconds": stolen_rebuild,
            "live": None,
            "no_change_refresh": None,
        },
        "memory": {
            "peak_rss_bytes": 800e6,
            "sample_interval_s": 0.05,
            "peak_during_step": "gene_release",
            "rusage_self_maxrss_bytes": 700e6,
        },
        "database": {"gene_database_bytes": 1e8, "dagster_database_bytes": 1e7, "tables": []},
        "baseline": {
            "seconds": 10.0,
            "runs_seconds": [12.0, 10.0, 11.0],
            "runs_stolen_cpu_seconds": stolen_loads,
            "files": 10,
            "bytes_loaded": 1e6,
            "lines": 100,
            "database_bytes": 1e6,
        },
        "ratios": {
            "rebuild_over_baseline": 4.0,
            "cpu_bounds": {
                "this_process_cpu_over_baseline": 3.0,
                "machine_cpu_per_cpu_over_baseline": (
                    None if machine_busy is None else machine_busy / 2 / 10.0
                ),
            },
        },
        "targets": [],
    }


def warnings(lines: list[str]) -> list[str]:
    return [line for line in lines if line.startswith("WARNING")]


def test_a_quiet_machine_gets_no_warning() -> None:
    lines = summary_lines(report(1.5, [9.0, 0.9, 0.1]))
    assert any(line.startswith("CPU stolen") and "9.0, 0.9, 0.1 s" in line for line in lines)
    assert warnings(lines) == []


def test_a_disturbed_rebuild_or_fastest_load_is_flagged() -> None:
    # 8 s of 80 CPU-seconds is 10 %; 2 s of the fastest load's 20 is 10 %.
    lines = summary_lines(report(8.0, [0.0, 2.0, 0.0]))
    assert [line.split(" during ")[1].split(":")[0] for line in warnings(lines)] == [
        "the rebuild",
        "the fastest baseline load",
    ]
    assert "took 10% of the CPUs" in warnings(lines)[0]


def test_a_kernel_that_does_not_say_is_not_flagged() -> None:
    lines = summary_lines(report(None, [None, None, None]))
    assert not any(line.startswith(("CPU stolen", "WARNING")) for line in lines)


def test_the_bounds_say_what_the_work_could_reach_at_best() -> None:
    [line] = [line for line in summary_lines(report(0.0, [0.0, 0.0, 0.0])) if "at best" in line]
    assert "3.00 x   in one interpreter" in line and "CPU of this process 30.0 s" in line
    assert "2.50 x spread evenly over all 2 CPUs" in line and "on the machine 50.0 s" in line


def test_the_spread_bound_is_left_out_where_the_kernel_does_not_say() -> None:
    lines = summary_lines(report(None, [None, None, None], machine_busy=None))
    [line] = [line for line in lines if "at best" in line]
    assert "3.00 x" in line and "spread" not in line


def test_stolen_time_is_a_share_of_all_the_machines_cpus() -> None:
    # /proc/stat counts steal over every CPU: 8 s of a 40 s rebuild on 4 CPUs is 5 %, not
    # flagged, even when the bench itself may use only one of them.
    pinned = report(8.0, [0.0, 0.0, 0.0])
    pinned["machine"].update(cpu_count=4, cpus_usable=1)
    assert warnings(summary_lines(pinned)) == []
