"""The packaged Dagster instance: its PostgreSQL storage holds connections open across a run."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest
import sqlalchemy as sa
from sqlalchemy import event

from kg_pipeline.instance import PooledPostgresStorage
from kg_pipeline.project_files import INSTANCE_CONFIG

STEPS = 12


@contextlib.contextmanager
def counted_connections() -> Iterator[list[int]]:
    """Counts the database connections every engine in this process opens in the block."""
    opened = [0]

    def count(*_: object) -> None:
        opened[0] += 1

    event.listen(sa.pool.Pool, "connect", count)
    try:
        yield opened
    finally:
        event.remove(sa.pool.Pool, "connect", count)


def _assets() -> list[dg.AssetsDefinition]:
    def make(index: int) -> dg.AssetsDefinition:
        @dg.asset(name=f"step_{index}", deps=[f"step_{index - 1}"] if index else [])
        def step() -> dg.MaterializeResult:
            return dg.MaterializeResult(metadata={"index": index})

        return step

    return [make(index) for index in range(STEPS)]


@pytest.fixture
def packaged_instance(
    dagster_db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[dg.DagsterInstance]:
    monkeypatch.setenv("KG_DAGSTER_PG_URL", dagster_db_url)
    shutil.copyfile(INSTANCE_CONFIG, tmp_path / "dagster.yaml")
    with dg.DagsterInstance.from_config(str(tmp_path)) as instance:
        yield instance


def test_a_run_on_the_packaged_instance_reuses_its_storage_connections(
    packaged_instance: dg.DagsterInstance,
) -> None:
    assert packaged_instance.get_ref().storage_data.class_name == PooledPostgresStorage.__name__
    with counted_connections() as opened:
        result = dg.materialize(_assets(), instance=packaged_instance)
    assert result.success
    # Opening one per storage call (dagster-postgres's own storage) made 179 here, about 15 a
    # step. Held, a step opens at most one: a materialisation's event write looks up a table on
    # a second connection while it holds the first.
    assert 0 < opened[0] <= STEPS + 4, f"{opened[0]} connections for {STEPS} steps"
    # What was stored is read back through the held connections.
    materialized = packaged_instance.get_latest_materialization_event(dg.AssetKey("step_11"))
    assert materialized is not None
    assert materialized.asset_materialization.metadata["index"].value == STEPS - 1
