"""The one staging mechanism of every load: frames go to a temporary table, then set-based SQL.

A loader copies its whole frame into a temporary table (dropped at commit at the latest) and
swaps or merges it into the real table with one statement, inside the loader's transaction, so a
failure anywhere leaves the previous rows. No loader issues a query per gene.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
import pandas as pd
import sqlalchemy as sa
from psycopg.types.json import Jsonb
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.types import JSON


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
    """Create temporary table `name` with `columns` and COPY `rows` into it (a JSON column's
    None is JSON null, as SQLAlchemy writes it; its dicts may have int keys, written as
    strings, as `json.dumps` does)."""
    table = sa.Table(
        name, sa.MetaData(), *columns, prefixes=["TEMPORARY"], postgresql_on_commit="DROP"
    )
    table.create(conn)
    names = [column.name for column in table.columns]
    json_columns = {i for i, column in enumerate(table.columns) if isinstance(column.type, JSON)}
    listed = ", ".join(f'"{column}"' for column in names)
    # COPY through the load's own connection, so the rows are part of its transaction. It is
    # several times cheaper than an INSERT per row, in this process and in the server.
    cursor = conn.connection.driver_connection.cursor()
    with cursor, cursor.copy(f'COPY "{name}" ({listed}) FROM STDIN') as copy:
        copy.set_types([_copy_type(column, conn.dialect) for column in table.columns])
        for row in rows:
            values = [row.get(column) for column in names]
            for i in json_columns:
                values[i] = Jsonb(values[i], dumps=_json_bytes)
            copy.write_row(values)
    return table


def _json_bytes(value: Any) -> bytes:
    # orjson: a rebuild stages about 100 MB of annotation and evidence documents, which
    # `json.dumps` takes five times as long to write.
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)


def _copy_type(column: sa.Column, dialect: sa.Dialect) -> str:
    """The PostgreSQL type name COPY's row writer adapts a column's values to: `bigint`,
    `text[]`, `jsonb`, `varchar` (without its length)."""
    return re.sub(r"\(\d+\)", "", column.type.compile(dialect=dialect)).lower()


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
