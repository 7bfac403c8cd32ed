"""`kg-pipeline bench --mode live` on a tiny snapshot, served by the emulator, against the test
server.

Checks what the report says and that it agrees with itself and with the database; never how
fast anything was (the bench measures, tests do not time).
"""

import hashlib
import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from kg_pipeline.db.server import GENE_DB_DRIVER, with_driver
from kg_pipeline.definitions import defs
from kg_pipeline.devtools.bench.baseline import BASELINE_RUNS
from kg_pipeline.devtools.bench.options import BenchOptions
from kg_pipeline.devtools.bench.orchestrate import bench
from kg_pipeline.devtools.bench.scratch import drop_bench_databases
from kg_pipeline.settings import Settings
from kg_pipeline_tests.devtools.bench.catalog import database_exists

# The smallest annotation files the generator makes quickly; gene coverage stays full.
TINY_SCALE = 0.002


def test_bench_report_is_complete_and_consistent(pg_admin_url: str, tmp_path: Path) -> None:
    printed: list[str] = []
    result = bench(
        BenchOptions(
            scale=TINY_SCALE,
            mode="live",
            workdir=tmp_path / "bench",
            server_url=pg_admin_url,
            keep=True,
        ),
        Settings.explicit(data_dir=tmp_path),
        say=printed.append,
    )
    report = result.report
    params = report["parameters"]
    gene_db, dagster_db = params["gene_database"], params["dagster_database"]
    try:
        assert result.success, result.failure
        assert result.report_path == tmp_path / "bench" / "bench-report.json"
        assert json.loads(result.report_path.read_text()) == report
        assert params["scale"] == TINY_SCALE and params["mode"] == "live"
        assert params["snapshot_generated"] is True

        run_dir = Path(params["run_dir"])
        manifest = (run_dir / "snapshot" / "MANIFEST").read_bytes()
        assert report["snapshot"]["manifest_sha256"] == hashlib.sha256(manifest).hexdigest()
        assert report["machine"]["cpu_count"] >= 1
        assert report["machine"]["postgres"]

        # Every asset of the rebuild job, whatever it contains today, appears and was timed.
        job = defs().resolve_job_def("rebuild")
        expected = {key.to_user_string() for key in job.asset_layer.selected_asset_keys}
        assets = {a["asset"]: a for a in report["rebuild"]["assets"]}
        assert set(assets) == expected
        for asset in assets.values():
            assert asset["status"] == "materialized", asset
            assert asset["seconds"] is not None and asset["seconds"] >= 0, asset
        assert assets["genes"]["table"] == "genes" and assets["genes"]["rows"] > 0
        assert all(assets[name]["raw_bytes"] > 0 for name in expected if name.startswith("raw_"))
        rebuild = report["rebuild"]
        assert rebuild["steps_seconds"] <= rebuild["seconds"]
        assert rebuild["cpu_seconds"] > 0

        # The rows each asset reports add up to what its table holds in the database.
        rows_by_table: dict[str, int] = {}
        for asset in assets.values():
            if asset["table"] is not None:
                rows_by_table[asset["table"]] = rows_by_table.get(asset["table"], 0) + asset["rows"]
        assert {"genes", "gene_evidence", "gene_scores"} <= set(rows_by_table)
        tables = {t["name"]: t for t in report["database"]["tables"]}
        engine = sa.create_engine(with_driver(pg_admin_url, GENE_DB_DRIVER, gene_db))
        with engine.connect() as conn:
            for table, rows in rows_by_table.items():
                in_db = conn.execute(sa.text(f'SELECT count(*) FROM "{table}"')).scalar_one()
                assert rows == in_db == tables[table]["rows"] == tables[table]["rows_by_assets"]
            # The baseline's scratch tables are gone: a kept database is as the rebuild left it.
            assert not conn.execute(
                sa.text("SELECT 1 FROM pg_namespace WHERE nspname = 'bench_baseline'")
            ).scalar()
        engine.dispose()
        assert report["database"]["gene_database_bytes"] > 0

        # The baseline loaded every raw file the run stored, and the ratio is rebuild / baseline.
        baseline = report["baseline"]
        stored = [p for p in (run_dir / "raw").glob("*/*") if not p.parent.name.startswith(".")]
        assert baseline["files"] == len(stored) > 0
        assert baseline["bytes_on_disk"] == sum(p.stat().st_size for p in stored)
        assert baseline["seconds"] > 0 and baseline["lines"] > 0
        # Timed BASELINE_RUNS times; the fastest load is the baseline.
        assert len(baseline["runs_seconds"]) == BASELINE_RUNS
        assert baseline["seconds"] == min(baseline["runs_seconds"])
        assert report["ratios"]["rebuild_over_baseline"] == pytest.approx(
            rebuild["seconds"] / baseline["seconds"], rel=1e-2
        )
        # The bounds: this process's CPU, and every process's spread over the CPUs, over the
        # baseline; the machine's CPU holds this process's (the kernel counts both in ticks).
        bounds = report["ratios"]["cpu_bounds"]
        assert bounds["this_process_cpu_over_baseline"] == pytest.approx(
            rebuild["cpu_seconds"] / baseline["seconds"], rel=1e-2
        )
        busy = rebuild["machine_busy_cpu_seconds"]
        assert busy >= 0.9 * rebuild["cpu_seconds"]
        assert bounds["machine_cpu_per_cpu_over_baseline"] == pytest.approx(
            busy / report["machine"]["cpu_count"] / baseline["seconds"], rel=1e-2
        )

        memory = report["memory"]
        assert memory["peak_rss_bytes"] >= memory["peak_self_rss_bytes"] > 0
        assert memory["samples"] > 0 and memory["rusage_self_maxrss_bytes"] > 0

        targets = {t["name"]: t for t in report["targets"]}
        assert set(targets) == {
            "no_change_refresh_downloads_nothing",
            "no_change_refresh_under_15s",
            "default_snapshot_rebuild_under_60s",
            "full_scale_within_3x_baseline",
            "full_scale_rebuild_under_180s",
            "peak_memory_under_1gb",
        }
        assert targets["full_scale_within_3x_baseline"]["value"] == pytest.approx(
            report["ratios"]["rebuild_over_baseline"]
        )
        assert targets["full_scale_within_3x_baseline"]["applies_to_this_run"] is False
        assert targets["peak_memory_under_1gb"]["met"] == (memory["peak_rss_bytes"] < 1e9)

        # The no-change refresh asked about every file again and downloaded nothing.
        refresh = rebuild["no_change_refresh"]
        assert refresh["sources"] == 14 and refresh["failures"] == []
        assert refresh["statuses"] == {"304": refresh["requests"]} and refresh["requests"] > 14
        assert refresh["bytes_downloaded"] == 0
        assert targets["no_change_refresh_downloads_nothing"]["met"] is True
        assert targets["no_change_refresh_under_15s"]["value"] == refresh["seconds"]
        assert any(line.startswith("no-change refresh ") for line in printed)

        # Progress while it ran, the summary table and where the report went.
        assert any(line.startswith("bench: generating a snapshot") for line in printed)
        assert any(" genes done in " in line for line in printed)
        assert any(line.startswith("targets (SPEC.md") for line in printed)
        assert printed[-2] == f"bench: report written to {result.report_path}"
    finally:
        drop_bench_databases(pg_admin_url, gene_db, dagster_db)
    assert not database_exists(pg_admin_url, gene_db)
    assert not database_exists(pg_admin_url, dagster_db)
