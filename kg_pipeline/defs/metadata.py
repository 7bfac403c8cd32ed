"""The metadata every table-writing asset reports in the same shape."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import dagster as dg


def table_result(
    table: str,
    rows: int,
    metadata: Mapping[str, Any],
    *,
    check_results: Sequence[dg.AssetCheckResult] = (),
) -> dg.MaterializeResult:
    """A materialisation of database table `table` now holding `rows` rows, with `metadata`
    after the row count and table name that the Dagster UI shows in its asset overview."""
    return dg.MaterializeResult(
        metadata={"dagster/row_count": rows, "dagster/table_name": table, **metadata},
        check_results=check_results,
    )
