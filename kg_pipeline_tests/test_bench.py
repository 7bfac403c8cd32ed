"""`kg-pipeline bench` on a tiny snapshot against the test server.

Checks what the report says and that it agrees with itself and with the database; never how
fast anything was (the bench measures, tests do not time).
"""

import gzip
import hashlib
import json
from pathlib import Path
from typing import Literal

import pytest
import sqlalchemy as sa

from kg_pipeline.db.server import GENE_DB_DRIVER, with_driver
from kg_pipeline.definitions import defs
from kg_pipeline.devtools.bench import (
    BenchOptions,
    ScratchDatabases,
    Target,
    bench,
    copy_baseline,
    drop_bench_databases,
)

# The smallest annotation files the generator makes quickly; gene coverage stays full.
TINY_SCALE = 0.002


def database_exists(admin_url: str, name: str) -> bool:
    engine = sa.create_engine(admin_url)
    try:
        with engine.connect() as conn:
            return bool(
                conn.execute(
                    sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
                ).scalar()
            )
    finally:
        engine.dispose()


def test_bench_report_is_complete_and_consistent(pg_admin_url: str, tmp_path: Path) -> None:
    printed: list[str] = []
    result = bench(
        BenchOptions(
            scale=TINY_SCALE, workdir=tmp_path / "bench", server_url=pg_admin_url, keep=True
        ),
        say=printed.append,
    )
    report = result.report
    params = report["parameters"]
    gene_db, dagster_db = params["gene_database"], params["dagster_database"]
    try:
        assert result.success, result.failure
        assert result.report_path == tmp_path / "bench" / "bench-report.json"
        assert json.loads(result.report_path.read_text()) == report
        assert params["scale"] == TINY_SCALE and params["mode"] == "mirror"
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
        assert report["ratios"]["rebuild_over_baseline"] == pytest.approx(
            rebuild["seconds"] / baseline["seconds"], rel=1e-2
        )

        memory = report["memory"]
        assert memory["peak_rss_bytes"] >= memory["peak_self_rss_bytes"] > 0
        assert memory["samples"] > 0 and memory["rusage_self_maxrss_bytes"] > 0

        targets = {t["name"]: t for t in report["targets"]}
        assert set(targets) == {
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

        # Progress while it ran, the summary table and where the report went.
        assert any(line.startswith("bench: generating a snapshot") for line in printed)
        assert any(" genes done in " in line for line in printed)
        assert any(line.startswith("targets (SPEC.md") for line in printed)
        assert printed[-2] == f"bench: report written to {result.report_path}"
    finally:
        drop_bench_databases(pg_admin_url, gene_db, dagster_db)
    assert not database_exists(pg_admin_url, gene_db)
    assert not database_exists(pg_admin_url, dagster_db)


def test_scratch_databases_are_dropped_unless_kept(pg_admin_url: str) -> None:
    with ScratchDatabases(pg_admin_url, "test_scratch") as databases:
        assert database_exists(pg_admin_url, databases.gene_name)
        assert database_exists(pg_admin_url, databases.dagster_name)
        assert databases.dagster_url.startswith("postgresql+psycopg2://")
    assert not database_exists(pg_admin_url, databases.gene_name)
    assert not database_exists(pg_admin_url, databases.dagster_name)


def test_baseline_copies_every_line_unparsed(gene_db_url: str, tmp_path: Path) -> None:
    # Bytes a parser would trip on: tabs, quotes, backslashes, a Latin-1 byte, a gzip stream.
    store = tmp_path / "raw"
    (store / "plain").mkdir(parents=True)
    (store / "plain" / "a").write_bytes(b'x\ty\n"quoted, ",\\N\n\n\\backslash\\\n')
    (store / "plain" / "latin1").write_bytes(b"caf\xe9\n")
    (store / "zipped").mkdir()
    (store / "zipped" / "b").write_bytes(gzip.compress(b"".join(b"%d\n" % i for i in range(1000))))
    (store / ".incoming").mkdir()
    (store / ".incoming" / "partial").write_bytes(b"ignored\n")

    figures = copy_baseline(gene_db_url, store, say=lambda _line: None)

    assert figures.files == 3
    assert figures.lines == 4 + 1 + 1000
    assert figures.latin1_files == 1
    assert figures.bytes_loaded > figures.bytes_on_disk  # the gzip file was decompressed
    assert {s.source: s.lines for s in figures.sources} == {"plain": 5, "zipped": 1000}


@pytest.mark.parametrize(
    ("value", "threshold", "unit", "succeeded", "met"),
    [
        (59.9, 60.0, "s", True, True),
        (60.0, 60.0, "s", True, False),  # "under 60 s"
        (3.0, 3.0, "x", True, True),  # "within 3x"
        (3.01, 3.0, "x", True, False),
        (10.0, 60.0, "s", False, False),  # a failed rebuild meets no time target
        (None, 3.0, "x", True, None),
    ],
)
def test_targets_compare_as_the_spec_words_them(
    value: float | None,
    threshold: float,
    unit: Literal["s", "x", "bytes"],
    succeeded: bool,
    met: bool | None,
) -> None:
    target = Target("t", "t", value, threshold, unit, True, "", run_succeeded=succeeded)
    assert target.met is met
    assert target.to_json()["met"] is met
