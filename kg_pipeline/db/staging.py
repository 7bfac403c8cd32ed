"""The one staging mechanism of every load: frames go to a temporary table, then set-based SQL.

A loader copies its whole frame into a temporary table (dropped at commit at the latest) and
swaps or merges it into the real table with one statement, inside the loader's transaction, so a
failure anywhere leaves the previous rows. No loader issues a query per gene.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY


@dataclass(frozen=True)
class SwapCounts:
    """What one source's swap did to its rows."""

    rows: int
    inserted: int
    updated: int
    unchanged: int
    removed: int

    @classmethod
    def of_upsert(cls, rows: int, inserted_flags: Sequence[bool], removed: int) -> SwapCounts:
        """The counts of an upsert of `rows` staged rows that returned one `xmax = 0` flag per
        row it wrote (True: inserted, False: updated) after deleting `removed` rows."""
        inserted = sum(1 for flag in inserted_flags if flag)
        return cls(
            rows=rows,
            inserted=inserted,
            updated=len(inserted_flags) - inserted,
            unchanged=rows - len(inserted_flags),
            removed=removed,
        )


def stage_rows(
    conn: sa.Connection, name: str, columns: list[sa.Column], rows: Iterable[Mapping[str, Any]]
) -> sa.Table:
    """Create temporary table `name` with `columns` and insert `rows` into it."""
    table = sa.Table(
        name, sa.MetaData(), *columns, prefixes=["TEMPORARY"], postgresql_on_commit="DROP"
    )
    table.create(conn)
    batch = list(rows)
    if batch:
        conn.execute(table.insert(), batch)
    return table


def stage_hgnc_genes(conn: sa.Connection, genes: pd.DataFrame) -> sa.Table:
    """Temporary table `hgnc_stage` (hgnc_id, symbol, aliases, previous_symbols) of the given
    HGNC rows (columns hgnc_id, symbol, alias_symbol, prev_symbol)."""
    return stage_rows(
        conn,
        "hgnc_stage",
        [
            sa.Column("hgnc_id", sa.Text, primary_key=True),
            sa.Column("symbol", sa.Text),
            sa.Column("aliases", ARRAY(sa.Text)),
            sa.Column("previous_symbols", ARRAY(sa.Text)),
        ],
        (
            {
                "hgnc_id": row.hgnc_id,
                "symbol": row.symbol,
                "aliases": list(row.alias_symbol or []),
                "previous_symbols": list(row.prev_symbol or []),
            }
            for row in genes.drop_duplicates("hgnc_id").itertuples(index=False)
        ),
    )
