"""`bench()`, the entry point of `kg-pipeline bench`: runs the steps in order (the snapshot, the
scratch databases, the timed rebuild, the database figures, the bare baseline), writes the JSON
report, prints the summary, and removes the run directory unless `--keep`.
"""

from __future__ import annotations

import json
import shutil

from kg_pipeline.db.server import redact
from kg_pipeline.devtools.bench.baseline import copy_baseline
from kg_pipeline.devtools.bench.database_figures import measure_database
from kg_pipeline.devtools.bench.options import (
    BenchOptions,
    BenchResult,
    BenchRun,
    Say,
    print_line,
)
from kg_pipeline.devtools.bench.rebuild import run_rebuild
from kg_pipeline.devtools.bench.report import assemble_report
from kg_pipeline.devtools.bench.scratch import ScratchDatabases, server_admin_url
from kg_pipeline.devtools.bench.snapshot_input import prepare_snapshot
from kg_pipeline.devtools.bench.summary import summary_lines
from kg_pipeline.settings import Settings


def bench(options: BenchOptions, settings: Settings, say: Say | None = None) -> BenchResult:
    """Run the benchmark, write the JSON report, print the summary; see the package docstring.

    `settings` are the user's: they say which server to use and where the work directory is;
    the rebuild itself runs with settings of its own (`run_rebuild`).

    Returns the result even when the rebuild failed (the report records it); raises
    `BenchError` only when there is nothing to report.
    """
    say = say or print_line
    started = BenchRun.start(options, settings.data_dir, "bench-report.json")
    token, run_dir, report_path = started.token, started.run_dir, started.report_path
    load_start = started.load_start

    try:
        snapshot = prepare_snapshot(options, run_dir, say)
        admin_url, embedded = server_admin_url(options, settings)
        with ScratchDatabases(admin_url, token, keep=options.keep) as databases:
            say(
                f"bench: databases {databases.gene_name} and {databases.dagster_name} on "
                f"{'the embedded PostgreSQL' if embedded else redact(admin_url)}"
            )
            run = run_rebuild(options.mode, snapshot, databases, run_dir, say)
            say("bench: measuring the database")
            database = measure_database(databases)
            say("bench: bare baseline: COPY the same raw files into PostgreSQL, unparsed")
            baseline = copy_baseline(databases.gene_url, run_dir / "raw", say)
    finally:
        if not options.keep:
            shutil.rmtree(run_dir, ignore_errors=True)

    report = assemble_report(
        options=options,
        snapshot=snapshot,
        run=run,
        database=database,
        baseline=baseline,
        databases=databases,
        admin_url=admin_url,
        embedded=embedded,
        run_dir=run_dir,
        load_start=load_start,
    )
    report_path.parent.mkdir(parents=True, exist_ok=True)
    report_path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    for line in summary_lines(report):
        say(line)
    say(f"bench: report written to {report_path}")
    if options.keep:
        say(
            f"bench: kept {run_dir} and databases {databases.gene_name}, "
            f"{databases.dagster_name}; drop them yourself when done"
        )
    return BenchResult(report, report_path, run.success, run.failure)
