"""The terminal summary printed at the end of a bench: the report as a readable table."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kg_pipeline.devtools.bench.options import GB, MB

STOLEN_SHARE_DISTURBED = 0.05
"""A timing during which the hypervisor gave more than this share of the CPUs to other machines
is flagged: on the 2-core machine this was measured on (bench directory on a slow volume),
baseline loads with 1 s stolen took 10-11 s and loads with 13-31 s stolen took 21-36 s."""


def _mb(value: int | None) -> str:
    return "-" if value is None else f"{value / MB:,.0f} MB"


def summary_lines(report: Mapping[str, Any]) -> list[str]:
    """The report as the readable table printed at the end of a bench."""
    machine, params = report["machine"], report["parameters"]
    snapshot, rebuild = report["snapshot"], report["rebuild"]
    memory, database, baseline = report["memory"], report["database"], report["baseline"]
    scale = params["scale"]
    rows = [
        (a["asset"], a["group"] or "-", a["status"], a["seconds"], a["rows"], a["peak_rss_bytes"])
        for a in rebuild["assets"]
    ] + [
        (s["step"], "check", s["status"], s["seconds"], None, s["peak_rss_bytes"])
        for s in rebuild["other_steps"]
    ]
    width = max([len(row[0]) for row in rows] + [5])
    lines = [
        "",
        f"kg-pipeline bench: rebuild, {params['mode']} mode, snapshot scale "
        f"{'unknown' if scale is None else f'{scale:g}'} ({snapshot['files']:,} files, "
        f"{snapshot['bytes'] / MB:,.1f} MB, manifest {snapshot['manifest_sha256'][:12]})",
        f"machine: {machine['cpus_usable']} CPUs, {machine['memory_total_bytes'] / GB:.0f} GB, "
        f"Python {machine['python']}, PostgreSQL {machine['postgres']}, Dagster "
        f"{machine['dagster']}; load average {machine['load_average_start'][0]:.2f} at start, "
        f"{machine['load_average_end'][0]:.2f} at end",
        "",
        f"{'step':<{width}} {'group':<10} {'status':<12} {'seconds':>8} {'rows':>10} "
        f"{'peak RSS':>9}",
    ]
    for name, group, status, seconds, count, peak in rows:
        lines.append(
            f"{name:<{width}} {group:<10} {status[:12]:<12} {_num(seconds, '.2f'):>8} "
            f"{_num(count, ',d'):>10} {_mb(peak):>9}"
        )
    ratio = report["ratios"]["rebuild_over_baseline"]
    lines += [
        "",
        f"rebuild          {rebuild['seconds']:8.1f} s   "
        f"({'succeeded' if rebuild['success'] else 'FAILED: ' + str(rebuild['failure'])}; "
        f"steps {rebuild['steps_seconds']:.1f} s, Dagster overhead "
        f"{rebuild['overhead_seconds']:.1f} s; CPU of this process {rebuild['cpu_seconds']:.1f} s)",
        f"baseline COPY    {baseline['seconds']:8.1f} s   (the fastest of "
        f"{', '.join(f'{s:.1f}' for s in baseline['runs_seconds'])} s; {baseline['files']:,} "
        f"files, {baseline['bytes_loaded'] / MB:,.1f} MB, {baseline['lines']:,} lines)",
        f"ratio            {_num(ratio, '.2f'):>8} x   rebuild / baseline",
        _bounds_line(report),
        f"peak RSS         {_mb(memory['peak_rss_bytes']):>10}   (process + children, every "
        f"{memory['sample_interval_s'] * 1000:.0f} ms; during {memory['peak_during_step']}); "
        f"getrusage max {_mb(memory['rusage_self_maxrss_bytes'])}",
        f"gene database    {_mb(database['gene_database_bytes']):>10}   (Dagster storage "
        f"{_mb(database['dagster_database_bytes'])}; baseline tables "
        f"{_mb(baseline['database_bytes'])})",
    ]
    stolen = [rebuild["stolen_cpu_seconds"], *baseline["runs_stolen_cpu_seconds"]]
    if None not in stolen:
        lines.append(
            f"CPU stolen       {stolen[0]:8.1f} s   by the hypervisor during the rebuild (all "
            f"CPUs); {', '.join(f'{s:.1f}' for s in stolen[1:])} s during the baseline loads"
        )
        fastest = baseline["runs_seconds"].index(baseline["seconds"])
        timed = {
            "the rebuild": (stolen[0], rebuild["seconds"]),
            "the fastest baseline load": (stolen[1 + fastest], baseline["seconds"]),
        }
        for name, (seconds_stolen, seconds) in timed.items():
            # Steal is counted over all the machine's CPUs, as the busy time of the bounds is.
            share = seconds_stolen / (seconds * machine["cpu_count"]) if seconds else 0.0
            if share > STOLEN_SHARE_DISTURBED:
                lines.append(
                    f"WARNING          the hypervisor took {share:.0%} of the CPUs during {name}: "
                    "its time is not this code's alone; bench again when the machine is quieter"
                )
    live = rebuild.get("live")
    if live:
        requests = sum(live["requests"].values())
        lines.append(
            f"live             {requests:,} requests to the emulator, rate limits raised to "
            f"{live['bench_requests_per_second']:g}/s (normal limits would add >= "
            f"{live['normal_rate_floor_seconds']:.0f} s)"
        )
    refresh = rebuild.get("no_change_refresh")
    if refresh:
        lines.append(
            f"no-change refresh {refresh['seconds']:7.1f} s   ({refresh['sources']} refresh jobs, "
            f"{refresh['requests']:,} requests answered {refresh['statuses']}, "
            f"{refresh['bytes_downloaded']:,} bytes downloaded"
            + (f"; FAILED: {', '.join(refresh['failures'])}" if refresh["failures"] else "")
            + ")"
        )
    biggest = sorted(database["tables"], key=lambda t: t["total_bytes"], reverse=True)[:6]
    lines.append(
        "largest tables   "
        + ", ".join(f"{t['name']} {_mb(t['total_bytes'])} ({t['rows']:,} rows)" for t in biggest)
    )
    lines += ["", "targets (SPEC.md, What 'fast' means):"]
    for target in report["targets"]:
        unit = target["unit"]
        value, threshold = target["value"], target["threshold"]
        if unit == "bytes":
            shown = f"{_mb(value)} (target < {threshold / GB:g} GB)"
        elif unit == "B":
            shown = f"{_num(value, ',.0f')} bytes (target {threshold:,.0f} bytes)"
        else:
            sign = "<=" if unit == "x" else "<"
            shown = f"{_num(value, '.2f')} {unit} (target {sign} {threshold:g} {unit})"
        met = {True: "met", False: "NOT MET", None: "unknown"}[target["met"]]
        if target["applies_to_this_run"] is False:
            # Still shown, with what it would be: the trend matters before the full-scale run.
            lines.append(
                f"  {'n/a':<8} {target['description']}: {shown}, {met.lower()} if it applied; "
                f"SPEC condition: {target['spec_condition']}"
            )
        else:
            lines.append(f"  {met:<8} {target['description']}: {shown}")
    return lines


def _num(value: float | int | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def _bounds_line(report: Mapping[str, Any]) -> str:
    """The ratios the same work could reach at best (`ratios.cpu_bounds`), with their CPU."""
    bounds = report["ratios"]["cpu_bounds"]
    rebuild = report["rebuild"]
    line = (
        f"at best          {_num(bounds['this_process_cpu_over_baseline'], '.2f'):>8} x   in "
        f"one interpreter, every wait hidden (CPU of this process {rebuild['cpu_seconds']:.1f} s "
        "/ baseline)"
    )
    spread = bounds["machine_cpu_per_cpu_over_baseline"]
    if spread is not None:
        line += (
            f"; {spread:.2f} x spread evenly over all {report['machine']['cpu_count']} CPUs "
            f"(CPU of every process on the machine {rebuild['machine_busy_cpu_seconds']:.1f} s)"
        )
    return line
