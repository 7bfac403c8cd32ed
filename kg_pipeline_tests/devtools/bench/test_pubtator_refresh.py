"""`kg-pipeline bench --pubtator-refresh` on the default snapshot against the test server.

Checks what the report says and that it agrees with itself; never how fast anything was.
"""

import json
import math
from pathlib import Path

from kg_pipeline.devtools.bench import BenchOptions, bench_pubtator_refresh
from kg_pipeline.devtools.snapshot import MANIFEST_NAME
from kg_pipeline.settings import Settings
from kg_pipeline.sources.pubtator.fetch import PAGES_IN_FLIGHT
from kg_pipeline_tests.devtools.bench.catalog import database_exists


def test_pubtator_refresh_report(pg_admin_url: str, tmp_path: Path, default_snapshot: Path) -> None:
    manifest = (default_snapshot / MANIFEST_NAME).read_bytes()
    printed: list[str] = []
    result = bench_pubtator_refresh(
        BenchOptions(
            snapshot=default_snapshot, workdir=tmp_path / "bench", server_url=pg_admin_url
        ),
        Settings.explicit(data_dir=tmp_path),
        say=printed.append,
    )
    report = result.report

    assert result.success, result.failure
    assert json.loads(result.report_path.read_text()) == report
    assert result.report_path == tmp_path / "bench" / "bench-pubtator-refresh.json"
    search = report["search"]
    assert search["added"] == round(search["articles_before"] / 100)
    full, incremental = report["full_walk"], report["incremental_refresh"]
    check = report["check_full_walk"]
    assert full["requests"] == full["raw"]["pages_fetched"] == search["pages_before"]
    assert full["seconds_at_real_rate_floor"] == round((search["pages_before"] - 1) / 3, 1)
    # At PubTator's own rate: the pages with new articles, then the run of known ones.
    assert incremental["requests_per_second"] == 3.0
    new_pages = math.ceil(search["added"] / 10)
    # ... and the pages already in flight when the walk stopped, asked for and dropped.
    assert incremental["raw"]["pages_fetched"] == new_pages + 10
    assert 0 <= incremental["requests"] - (new_pages + 10) < PAGES_IN_FLIGHT
    assert incremental["raw"]["walk"] == "incremental"
    assert incremental["evidence"]["updated"] + incremental["evidence"]["inserted"] > 0
    assert set(incremental["steps_seconds"]) >= {"raw_pubtator", "pubtator_evidence", "genes"}
    assert check["requests"] == search["pages_after"]
    assert check["evidence"]["updated"] == check["evidence"]["removed"] == 0
    assert report["same_evidence_as_full_walk"] is True
    (target,) = report["targets"]
    assert target["name"] == "pubtator_incremental_refresh_under_120s"
    assert target["value"] == incremental["seconds"]
    assert target["applies_to_this_run"] is None  # a supplied snapshot without --scale
    assert any(line.startswith("incremental ") for line in printed)
    assert printed[-1] == f"bench: report written to {result.report_path}"
    # The snapshot it was given is untouched, and the scratch databases are gone.
    assert (default_snapshot / MANIFEST_NAME).read_bytes() == manifest
    params = report["parameters"]
    assert not database_exists(pg_admin_url, params["gene_database"])
    assert not database_exists(pg_admin_url, params["dagster_database"])
    assert not Path(params["run_dir"]).exists()
