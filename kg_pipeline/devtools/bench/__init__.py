"""`kg-pipeline bench`: the speed and memory figures of the `rebuild` job, measured, never asserted.

The benchmark end to end: the snapshot it reads (generated at the requested scale, or one the
user names), the scratch databases it runs against (a gene database and a Dagster storage
database of its own, created and dropped on the chosen server so the user's data is never
touched), running whatever the `rebuild` job contains in-process (mirror mode, or live mode
against the local emulator), sampling memory while it runs, reading per-step seconds and rows
back from Dagster's event log, the bare COPY baseline, the JSON report and the terminal summary.
The targets it reports against are the ones in SPEC.md, "What 'fast' means".

One module per concern, in the order a bench runs: `options` (what it is asked, what it
returns), `snapshot_input` (the snapshot it reads), `scratch` (the databases of its own),
`rebuild` (the timed run, with `memory` sampling, `progress` lines and the `event_log` read
back), `database_figures` (the database afterwards), `baseline` (the bare COPY), `report` (the
JSON and the SPEC targets), `summary` (the terminal table) and `orchestrate` (`bench()`, which
runs them in that order). `pubtator_refresh` (`--pubtator-refresh`) measures the incremental
PubTator refresh instead, with the same snapshot, scratch databases and Dagster instance.
"""

from kg_pipeline.devtools.bench.baseline import copy_baseline
from kg_pipeline.devtools.bench.options import BenchError, BenchOptions, BenchResult
from kg_pipeline.devtools.bench.orchestrate import bench
from kg_pipeline.devtools.bench.pubtator_refresh import bench_pubtator_refresh
from kg_pipeline.devtools.bench.report import Target
from kg_pipeline.devtools.bench.scratch import ScratchDatabases, drop_bench_databases
from kg_pipeline.devtools.bench.summary import summary_lines

__all__ = [
    "BenchError",
    "BenchOptions",
    "BenchResult",
    "ScratchDatabases",
    "Target",
    "bench",
    "bench_pubtator_refresh",
    "copy_baseline",
    "drop_bench_databases",
    "summary_lines",
]
