"""`kg-pipeline bench`: the speed and memory figures of the `rebuild` job."""

from kg_pipeline.devtools.bench.orchestrate import (
    BenchError,
    BenchOptions,
    BenchResult,
    ScratchDatabases,
    Target,
    bench,
    copy_baseline,
    drop_bench_databases,
    summary_lines,
)

__all__ = [
    "BenchError",
    "BenchOptions",
    "BenchResult",
    "ScratchDatabases",
    "Target",
    "bench",
    "copy_baseline",
    "drop_bench_databases",
    "summary_lines",
]
