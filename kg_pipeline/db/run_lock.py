"""One lock over the gene database per run: a rebuild alone, refreshes side by side.

A rebuild drops the schema, so nothing may run beside it; refreshes may run together (their
steps are serialised by the pools and their writes by per-asset transaction locks). Each run
takes the lock when its resources start, before any step claims a pool slot, so a run holding a
slot always holds the lock already and a run waiting for the lock holds no slot: the two cannot
deadlock. The lock is a PostgreSQL session advisory lock on a connection of its own, named after
the run (`application_name`): the server releases it when that connection closes, so a killed
run holds nothing, and a waiting run can name who holds it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.pool import NullPool

# Arbitrary pair identifying "kg-pipeline run on this gene database" among advisory locks
# (pg_locks shows it as classid, objid); the migration lock uses a one-number key.
LOCK_KEY = (0x6B67, 0x52554E)
APPLICATION_PREFIX = "kg-pipeline run "
POLL_SECONDS = 0.5


class RunLockTimeout(RuntimeError):
    """Another run held the gene database for longer than this run would wait."""


@dataclass(frozen=True)
class LockHolder:
    run_id: str
    job_name: str
    since: datetime
    exclusive: bool

    def describe(self) -> str:
        return f"run {self.run_id} ({self.job_name}, since {self.since:%Y-%m-%d %H:%M:%S %Z})"


def lock_holders(conn: sa.Connection) -> list[LockHolder]:
    """The runs holding the lock now."""
    rows = conn.execute(
        sa.text(
            "SELECT a.application_name, a.backend_start, l.mode = 'ExclusiveLock' "
            "FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.granted AND l.classid = :k1 AND l.objid = :k2 "
            "AND l.objsubid = 2 AND l.database = "
            "(SELECT oid FROM pg_database WHERE datname = current_database()) "
            "ORDER BY a.backend_start"
        ),
        {"k1": LOCK_KEY[0], "k2": LOCK_KEY[1]},
    ).all()
    holders = []
    for name, since, exclusive in rows:
        run_id, _, job = (name or "").removeprefix(APPLICATION_PREFIX).partition(" ")
        holders.append(LockHolder(run_id or "unknown", job or "unknown job", since, exclusive))
    return holders


_TRY_EXCLUSIVE = sa.text("SELECT pg_try_advisory_lock(:k1, :k2)")
_TRY_SHARED = sa.text("SELECT pg_try_advisory_lock_shared(:k1, :k2)")


def acquire_run_lock(
    url: sa.URL | str,
    *,
    exclusive: bool,
    run_id: str,
    job_name: str,
    timeout_s: float,
    say: Callable[[str], None],
) -> sa.Connection:
    """The lock, on a connection the caller keeps open for the run and closes at its end.

    Waits while another run holds it in a conflicting mode, saying so once with who holds it;
    raises `RunLockTimeout` naming the holders after `timeout_s`."""
    engine = sa.create_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    conn = engine.connect()
    try:
        conn.execute(
            sa.text("SELECT set_config('application_name', :name, false)"),
            {"name": f"{APPLICATION_PREFIX}{run_id} {job_name}"[:63]},
        )
        attempt = _TRY_EXCLUSIVE if exclusive else _TRY_SHARED
        params = {"k1": LOCK_KEY[0], "k2": LOCK_KEY[1]}
        deadline = time.monotonic() + timeout_s
        said = False
        while not conn.execute(attempt, params).scalar_one():
            holders = ", ".join(h.describe() for h in lock_holders(conn)) or "another run"
            if time.monotonic() >= deadline:
                raise RunLockTimeout(
                    f"gave up after {timeout_s:.0f} s waiting for the gene database, held by "
                    f"{holders}; run this again once that run has finished (or stop it), or "
                    "raise KG_WAIT_TIMEOUT_S"
                )
            if not said:
                mode = "alone (it drops the schema)" if exclusive else "beside other refreshes"
                say(
                    f"waiting for the gene database, held by {holders}: this run needs it "
                    f"{mode}; giving up after {timeout_s:.0f} s (KG_WAIT_TIMEOUT_S)"
                )
                said = True
            time.sleep(POLL_SECONDS)
    except BaseException:
        conn.close()
        engine.dispose()
        raise
    return conn
