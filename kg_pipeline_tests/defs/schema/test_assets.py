"""The `database_schema` asset and its checks, materialised against a real PostgreSQL."""

import dagster as dg
import sqlalchemy as sa

from kg_pipeline.db.database import GeneDatabase
from kg_pipeline.defs.schema import checks
from kg_pipeline.defs.schema.assets import database_schema

SCHEMA_CHECKS = [
    checks.schema_at_head,
    checks.key_columns_bigint,
    checks.models_in_sync,
    checks.annotation_sources_seeded,
]


def _materialize(url: str, drop_first: bool = False) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [database_schema, *SCHEMA_CHECKS],
        resources={"gene_db": GeneDatabase(url=url)},
        run_config={"ops": {"database_schema": {"config": {"drop_first": drop_first}}}},
    )


def _metadata(result: dg.ExecuteInProcessResult) -> dict:
    (materialization,) = result.asset_materializations_for_node("database_schema")
    return {key: value.value for key, value in materialization.metadata.items()}


def test_materialises_idempotently_and_rebuild_drops_data(
    gene_db_url: str, gene_engine: sa.Engine
) -> None:
    first = _materialize(gene_db_url)
    assert first.success
    meta = _metadata(first)
    assert meta["revision_before"] == "none"
    assert meta["revision_after"] == "004_data_releases"
    assert "gene_scores" in meta["materialized_views"]
    evaluations = first.get_asset_check_evaluations()
    assert {e.check_name for e in evaluations} == {
        "schema_at_head",
        "key_columns_bigint",
        "models_in_sync",
        "annotation_sources_seeded",
    }
    assert all(e.passed for e in evaluations)

    with gene_engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO genes (hgnc_id, approved_symbol) VALUES ('HGNC:9', 'X')"))

    second = _materialize(gene_db_url)
    assert second.success
    assert _metadata(second)["revision_before"] == "004_data_releases"
    with gene_engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM genes")).scalar_one() == 1

    rebuilt = _materialize(gene_db_url, drop_first=True)
    assert rebuilt.success
    assert _metadata(rebuilt)["dropped_first"] is True
    with gene_engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM genes")).scalar_one() == 0
        # The drop took the earlier runs' rows with it; this run recorded itself at the end.
        runs = conn.execute(
            sa.text("SELECT dagster_run_id, status, stats FROM pipeline_runs")
        ).all()
    assert [(r.dagster_run_id, r.status) for r in runs] == [(rebuilt.run_id, "completed")]
    assert runs[0].stats["materialized"] == ["database_schema"]


def test_checks_fail_on_a_drifted_schema(gene_db_url: str, gene_engine: sa.Engine) -> None:
    assert _materialize(gene_db_url).success
    with gene_engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE annotation_sources SET is_active = false WHERE source_name = 'gtex'")
        )
        conn.execute(sa.text("ALTER TABLE genes ADD COLUMN stray integer"))
    result = dg.materialize(
        SCHEMA_CHECKS[1:],
        resources={"gene_db": GeneDatabase(url=gene_db_url)},
        selection=dg.AssetSelection.checks(*SCHEMA_CHECKS[1:]),
        raise_on_error=False,
    )
    by_name = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert not by_name["models_in_sync"].passed
    assert not by_name["annotation_sources_seeded"].passed
    assert by_name["annotation_sources_seeded"].metadata["missing"].value == ["gtex"]
    assert by_name["key_columns_bigint"].passed
