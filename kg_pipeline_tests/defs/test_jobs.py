"""The jobs as the UI and the schedules run them: rebuild, then a per-source refresh."""

import hashlib
import shutil
from pathlib import Path

import dagster as dg
import pytest
import sqlalchemy as sa

from kg_pipeline.definitions import build_definitions
from kg_pipeline.settings import Settings

KIDNEY_ROW = (
    '"PKD1","HGNC:9008","polycystic kidney disease 1","MONDO:0008263","AD","SOP8",'
    '"Definitive","https://search.clinicalgenome.org/kb/gene-validity/CGGV:new",'
    '"2026-11-01T16:00:00.000Z","Kidney Cystic and Ciliopathy Disorders Gene Curation Expert Panel"'
)


@pytest.fixture
def configured(tmp_path: Path, default_snapshot: Path) -> Path:
    """A snapshot copy this test may change."""
    mirror = tmp_path / "snapshot"
    shutil.copytree(default_snapshot, mirror)
    return mirror


@pytest.fixture
def definitions(gene_db_url: str, tmp_path: Path, configured: Path) -> dg.Definitions:
    """The code location with its resources bound to the test database and the snapshot copy."""
    return build_definitions(
        Settings.explicit(
            database_url=gene_db_url, data_dir=tmp_path, mirror_dir=configured, source_mode="mirror"
        )
    )


def materialized(result: dg.ExecuteInProcessResult) -> set[str]:
    return {e.asset_key.to_user_string() for e in result.all_events if e.is_step_materialization}


def updated_at(engine: sa.Engine, source: str):
    with engine.connect() as conn:
        return conn.execute(
            sa.text("SELECT max(updated_at) FROM gene_evidence WHERE source_name = :s"),
            {"s": source},
        ).scalar()


def test_a_refresh_reloads_only_its_source_and_only_when_it_changed(
    configured: Path, definitions: dg.Definitions, gene_engine: sa.Engine
) -> None:
    instance = dg.DagsterInstance.ephemeral()
    rebuild = definitions.resolve_job_def("rebuild").execute_in_process(instance=instance)
    assert rebuild.success
    assert len(materialized(rebuild)) == 36
    # The run says where its data came from, in Dagster and in pipeline_runs.
    manifest_sha = hashlib.sha256((configured / "MANIFEST").read_bytes()).hexdigest()
    tags = instance.get_run_by_id(rebuild.run_id).tags
    assert tags["kg/source_mode"] == "mirror"
    assert tags["kg/snapshot_manifest_sha256"] == manifest_sha
    with gene_engine.connect() as conn:
        stats = conn.execute(sa.text("SELECT stats FROM pipeline_runs")).scalar_one()
    assert stats["kg/snapshot_manifest_sha256"] == manifest_sha
    assert len(stats["materialized"]) == 36
    pubtator_before = updated_at(gene_engine, "PubTator")

    refresh = definitions.resolve_job_def("clingen_refresh")
    unchanged = refresh.execute_in_process(instance=instance)
    assert unchanged.success
    assert materialized(unchanged) == set()  # same bytes: observed, loads skipped

    csv = configured / "clingen" / "kb" / "gene-validity" / "download"
    csv.write_text(csv.read_text() + KIDNEY_ROW + "\n")
    changed = refresh.execute_in_process(instance=instance)
    assert changed.success
    assert materialized(changed) == {
        "raw_clingen",
        "clingen_evidence",
        "genes",
        "gene_scores",
        "gene_curations",
    }
    assert updated_at(gene_engine, "PubTator") == pubtator_before
    with gene_engine.connect() as conn:
        pkd1 = conn.execute(
            sa.text(
                "SELECT e.evidence_data FROM gene_evidence e JOIN genes g ON g.id = e.gene_id "
                "WHERE g.approved_symbol = 'PKD1' AND e.source_name = 'ClinGen'"
            )
        ).scalar()
        runs = conn.execute(sa.text("SELECT job_name, status FROM pipeline_runs")).all()
    assert pkd1 is not None and "Definitive" in pkd1["classifications"]
    assert sorted(runs) == [
        ("clingen_refresh", "completed"),
        ("clingen_refresh", "completed"),
        ("rebuild", "completed"),
    ]
