"""Per-table row counts and checksums, to tell whether a table's content changed."""

from collections.abc import Iterable, Sequence

import sqlalchemy as sa


def table_checksum(
    conn: sa.Connection, table: str, columns: Sequence[str] | None = None
) -> tuple[int, str]:
    """Rows and an md5 of every row's text (of `columns` only, if given), in a stable order."""
    row = f"({', '.join(columns)})::text" if columns else "t::text"
    count, digest = conn.execute(
        sa.text(
            f"SELECT count(*), md5(coalesce(string_agg({row}, '|' ORDER BY {row}), '')) "
            f"FROM {table} t"
        )
    ).one()
    return count, digest


def checksums(engine: sa.Engine, tables: Iterable[str]) -> dict[str, tuple[int, str]]:
    with engine.connect() as conn:
        return {table: table_checksum(conn, table) for table in tables}


def column_checksums(
    conn: sa.Connection, table: str, columns: Sequence[str], key: str | None
) -> dict[str, str]:
    """Each column's md5 over all rows, paired with the row's `key` (if the table has one) so
    that moving a value to another row shows; one scan of the table."""

    def pair(column: str) -> str:
        return f"({key}, {column})::text" if key else f"({column})::text"

    aggregates = ", ".join(
        f"md5(coalesce(string_agg({pair(c)}, '|' ORDER BY {pair(c)}), ''))" for c in columns
    )
    digests = conn.execute(sa.text(f"SELECT {aggregates} FROM {table}")).one()
    return dict(zip(columns, digests, strict=True))
