"""The run process's tuning: the collector's thresholds are raised while a run holds the gene
database and restored when the last run in the process ends."""

import gc
from collections.abc import Iterator

import dagster as dg
import pytest

from kg_pipeline import run_process
from kg_pipeline.db.database import GeneDatabase

ORIGINAL = (700, 10, 10)


@pytest.fixture(autouse=True)
def _default_thresholds() -> Iterator[None]:
    saved = gc.get_threshold()
    gc.set_threshold(*ORIGINAL)
    yield
    gc.set_threshold(*saved)


def test_nested_runs_raise_the_thresholds_once_and_the_last_one_restores_them() -> None:
    run_process.run_started()
    assert gc.get_threshold() == run_process.RUN_GC_THRESHOLDS
    run_process.run_started()
    run_process.run_ended()
    assert gc.get_threshold() == run_process.RUN_GC_THRESHOLDS
    run_process.run_ended()
    assert gc.get_threshold() == ORIGINAL
    run_process.run_ended()  # one end too many changes nothing
    assert gc.get_threshold() == ORIGINAL


def test_a_run_holding_the_gene_database_runs_with_the_raised_thresholds(
    gene_db_url: str,
) -> None:
    seen: list[tuple[int, int, int]] = []

    @dg.asset(required_resource_keys={"gene_db"})
    def thresholds_inside() -> None:
        seen.append(gc.get_threshold())

    result = dg.materialize(
        [thresholds_inside], resources={"gene_db": GeneDatabase(url=gene_db_url)}
    )
    assert result.success
    assert seen == [run_process.RUN_GC_THRESHOLDS]
    assert gc.get_threshold() == ORIGINAL
