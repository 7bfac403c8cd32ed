"""Migrations that would destroy data refuse to, unless told to.

A migration step lists what it would destroy, each as a count in SQL (the rows of a table it
drops, the values of a column it drops, the duplicates it deletes). When any count is non-zero
the step raises `DataLossRefused`, one line naming each table or column and its count; Alembic
runs every step of one command in one transaction, so nothing of the command stays applied.
Empty tables and columns lose nothing and never block. `alembic -x allow_data_loss=true
downgrade <revision>` goes ahead and logs what it drops.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from alembic import context, op
from alembic.util import CommandError

log = logging.getLogger(__name__)

ALLOW_DATA_LOSS = "allow_data_loss"


class DataLossRefused(CommandError):
    """A migration step would destroy data and was not allowed to (the alembic command prints
    it as one line)."""


@dataclass(frozen=True)
class Loss:
    """What a migration step would destroy: `count_sql` counts it."""

    what: str
    unit: str
    count_sql: str

    def describe(self, count: int) -> str:
        return f"{self.what}: {count:,} {self.unit}{'' if count == 1 else 's'}"


def rows(table: str, where: str | None = None) -> Loss:
    """The rows of `table` (those matching `where`), for a step that drops the table."""
    condition = f" WHERE {where}" if where else ""
    return Loss(table, "row", f"SELECT count(*) FROM {table}{condition}")


def values(table: str, column: str, where: str | None = None) -> Loss:
    """The values of `table.column` that hold something (`where`: what counts as something;
    default not null), for a step that drops the column."""
    return Loss(
        f"{table}.{column}",
        "value",
        f"SELECT count(*) FROM {table} WHERE {where or column + ' IS NOT NULL'}",
    )


def duplicates(table: str, key: Sequence[str]) -> Loss:
    """The rows of `table` that a step keeping only the newest row per `key` would delete."""
    same = " AND ".join(f"a.{column} = b.{column}" for column in key)
    return Loss(
        table,
        f"duplicate row per ({', '.join(key)})",
        f"SELECT count(*) FROM {table} a WHERE EXISTS "
        f"(SELECT 1 FROM {table} b WHERE {same} AND a.id < b.id)",
    )


def data_loss_allowed() -> bool:
    """Whether the command was run with `-x allow_data_loss=true`."""
    value = context.get_x_argument(as_dictionary=True).get(ALLOW_DATA_LOSS, "")
    return value.strip().lower() in {"true", "1", "yes"}


def refuse_data_loss(step: str, losses: Sequence[Loss]) -> None:
    """Raise `DataLossRefused` if `step` (e.g. "downgrading 003 to 002") would destroy any of
    `losses`, unless the command allows data loss."""
    conn = op.get_bind()
    counted = [(loss, conn.execute(sa.text(loss.count_sql)).scalar_one()) for loss in losses]
    lost = ", ".join(loss.describe(count) for loss, count in counted if count)
    if not lost:
        return
    if data_loss_allowed():
        log.warning("%s drops %s (-x %s=true)", step, lost, ALLOW_DATA_LOSS)
        return
    raise DataLossRefused(
        f"{step} would lose {lost}: keep a copy of it (pg_dump), or rerun the command with "
        f"`alembic -x {ALLOW_DATA_LOSS}=true ...` to drop it"
    )
