"""The gene database when its PostgreSQL server stops in the middle of a run."""

import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import dagster as dg
import pytest
import sqlalchemy as sa

from kg_pipeline.db.runs import summarise_run
from kg_pipeline.db.server import (
    embedded_database_url,
    redact,
    start_embedded_server,
    stop_embedded_server,
)
from kg_pipeline.definitions import build_definitions
from kg_pipeline.settings import Settings
from kg_pipeline_tests.conftest import pipeline_definitions, pipeline_test_resources
from kg_pipeline_tests.db.checksums import checksums
from kg_pipeline_tests.defs.test_jobs import KIDNEY_ROW

CLINGEN_FILE = Path("clingen/kb/gene-validity/download")
HGNC_FILE = Path("hgnc/hgnc_complete_set.txt")
LOADS = ["clingen_evidence", "genes", "gene_scores", "gene_curations"]
# What the ClinGen load, the gene import and scoring write.
WRITTEN = [
    "genes",
    "gene_evidence",
    "gene_normalization_staging",
    "gene_normalization_log",
    "gene_scores",
    "gene_curations",
]


@pytest.fixture
def private_server() -> Iterator[Path]:
    """An embedded PostgreSQL of this test's own (its data directory), as it is stopped on
    purpose: never the server other tests share. Not under pytest's tmp_path, whose root other
    pytest sessions make private again, locking out the server's system user (as root)."""
    data_dir = Path(tempfile.mkdtemp(prefix="kg-test-faults-"))
    start_embedded_server(data_dir)
    yield data_dir
    stop_embedded_server(data_dir)
    shutil.rmtree(data_dir, ignore_errors=True)


def clingen_mirror(snapshot: Path, mirror: Path) -> Path:
    """The snapshot's ClinGen file and, as the HGNC reference, only the genes it names: HGNC's
    45,000 rows would take seconds to parse in every run."""
    mirror.mkdir()
    shutil.copy(snapshot / "MANIFEST", mirror)
    shutil.copytree(snapshot / "clingen", mirror / "clingen")
    text = (snapshot / CLINGEN_FILE).read_text()
    named = set(re.findall(r'^"([^"]+)","HGNC:', text, re.M)) | {"PKD1"}  # PKD1: added below
    (mirror / HGNC_FILE).parent.mkdir()
    with (snapshot / HGNC_FILE).open() as rows, (mirror / HGNC_FILE).open("w") as out:
        out.write(next(rows))
        out.writelines(row for row in rows if row.split("\t", 2)[1] in named)
    return mirror


def _wait_for_lock_wait(engine: sa.Engine, timeout_s: float = 120) -> str:
    """The query of the first backend waiting for a lock, once there is one."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            query = conn.execute(
                sa.text(
                    "SELECT query FROM pg_stat_activity "
                    "WHERE wait_event_type = 'Lock' AND datname = current_database()"
                )
            ).scalar()
        if query:
            return query
        time.sleep(0.05)
    raise AssertionError("the load never reached its write")


def test_a_server_stopped_mid_load_fails_the_run_in_one_line_and_the_next_run_loads(
    private_server: Path, tmp_path: Path, default_snapshot: Path
) -> None:
    url = embedded_database_url(private_server, "kidney_genetics")
    mirror = clingen_mirror(default_snapshot, tmp_path / "snapshot")
    assets, _ = pipeline_definitions()
    resources = pipeline_test_resources(url, tmp_path / "raw", mirror_dir=mirror)
    first = ["database_schema", "raw_hgnc", "hgnc_reference", "raw_clingen", *LOADS]
    assert dg.materialize([assets[name] for name in first], resources=resources).success

    # A new ClinGen curation, stored as the latest raw version; its load is what gets cut off.
    with (mirror / CLINGEN_FILE).open("a") as out:
        out.write(KIDNEY_ROW + "\n")
    assert dg.materialize([assets["raw_clingen"]], resources=resources).success
    engine = sa.create_engine(url, pool_pre_ping=True)
    before = checksums(engine, WRITTEN)

    refresh = build_definitions(
        Settings.explicit(database_url=url, data_dir=tmp_path, mirror_dir=mirror)
    ).resolve_job_def("clingen_refresh")
    selection = [dg.AssetKey(name) for name in LOADS]
    instance = dg.DagsterInstance.ephemeral()
    with ThreadPoolExecutor(1) as pool, engine.connect() as blocker:
        # The load's transaction stops at its log insert, after its genes, evidence and staging
        # writes: the server goes away while the load is in progress, at the same point each time.
        blocker.execute(sa.text("LOCK TABLE gene_normalization_log IN SHARE MODE"))
        run = pool.submit(
            refresh.execute_in_process,
            instance=instance,
            asset_selection=selection,
            raise_on_error=False,
        )
        assert "gene_normalization_log" in _wait_for_lock_wait(engine)
        stop_embedded_server(private_server)
        failed = run.result(timeout=120)
        blocker.invalidate()
    # The run fails in the load alone, with one line naming the database and what to do; the
    # same line is what pipeline_runs, the UI's run summary and `kg-pipeline rebuild` show.
    assert not failed.success
    failures = [event for event in failed.all_events if event.is_step_failure]
    assert [event.step_key for event in failures] == ["clingen_evidence"]
    (line,) = summarise_run(instance, failed.run_id).errors
    assert line.startswith(
        f"clingen_evidence: lost the connection to the gene database {redact(url)} ("
    )
    assert line.endswith(
        "): check that its PostgreSQL server runs (`kg-pipeline status` starts the embedded one), "
        "then run again; unfinished writes were rolled back"
    )
    assert "\n" not in line and "Traceback" not in line

    # Restarted, the database holds what it held before the run: the load's genes, evidence and
    # staging writes were rolled back.
    start_embedded_server(private_server)
    engine.dispose()
    assert checksums(engine, WRITTEN) == before

    # The next run loads the new curation, on the pooled connections of the lost server's engine.
    again = refresh.execute_in_process(instance=instance, asset_selection=selection)
    assert again.success
    after = checksums(engine, WRITTEN)
    assert after["gene_evidence"] != before["gene_evidence"]
    with engine.connect() as conn:
        classifications = conn.execute(
            sa.text(
                "SELECT e.evidence_data->'classifications' FROM gene_evidence e "
                "JOIN genes g ON g.id = e.gene_id "
                "WHERE g.approved_symbol = 'PKD1' AND e.source_name = 'ClinGen'"
            )
        ).scalar()
        runs = conn.execute(sa.text("SELECT status FROM pipeline_runs ORDER BY id")).scalars()
        assert list(runs) == ["completed", "completed", "completed"]
    assert "Definitive" in classifications
    engine.dispose()
