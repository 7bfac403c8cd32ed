"""The process environment Dagster itself needs: DAGSTER_HOME with our instance config, and the
database URLs for the processes the UI starts.

Both `kg-pipeline rebuild` and `kg-pipeline ui` call `prepare_environment` first. The instance
config reads Dagster's storage from KG_DAGSTER_PG_URL; the webserver, the daemon and the run
workers they spawn build the code location from their own environment, so KG_DATABASE_URL is
exported for them. A run's resources never come from here: `rebuild` binds them from its
Settings object (`build_definitions`).

`pool_waits` and `end_run` are what `rebuild` watches its run with: which pool slot it waits
for and who holds it, and how it gives a run up (timeout, SIGINT, SIGTERM).

`PooledPostgresStorage` is the storage the packaged `dagster.yaml` names: dagster-postgres's, with
open connections kept between calls.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dagster as dg
from dagster._serdes import ConfigurableClassData
from dagster_postgres import DagsterPostgresStorage
from dagster_postgres.utils import get_token_provider_from_config, pg_url_from_config

from kg_pipeline.db.dead_runs import run_started_at
from kg_pipeline.db.server import DatabaseUrls, database_urls
from kg_pipeline.project_files import INSTANCE_CONFIG
from kg_pipeline.settings import Settings


def prepare_environment(settings: Settings) -> DatabaseUrls:
    urls = database_urls(settings)
    os.environ["KG_DATABASE_URL"] = urls.gene
    os.environ["KG_DAGSTER_PG_URL"] = urls.dagster
    own_home = os.environ.get("DAGSTER_HOME")
    home = Path(own_home or settings.data_dir / "dagster_home")
    home.mkdir(parents=True, exist_ok=True)
    target = home / "dagster.yaml"
    # A DAGSTER_HOME of the user's own keeps its dagster.yaml; ours tracks the packaged one.
    if not target.exists() or (
        not own_home and target.read_bytes() != INSTANCE_CONFIG.read_bytes()
    ):
        shutil.copyfile(INSTANCE_CONFIG, target)
    os.environ["DAGSTER_HOME"] = str(home.resolve())
    return urls


STORAGE_POOL_RECYCLE_S = 3600
"""A held storage connection older than this is replaced (servers and proxies drop idle ones)."""
STORAGE_MAX_OVERFLOW = 10
"""Connections a storage opens beyond its held one while calls overlap (threads of the daemon,
the `rebuild` watcher); they are closed when returned."""


class PooledPostgresStorage(DagsterPostgresStorage):
    """dagster-postgres's run, event log and schedule storage, each keeping one connection open
    between calls, as Dagster's webserver has its storage do.

    dagster-postgres opens a new connection for every storage call. A full rebuild makes about
    1,350 of them (an event write, a pool-slot claim, a data-version lookup), 3.5 ms each on a
    local server: seconds of connection set-up in every rebuild, and as many new backends for
    the server. Held, a run makes a few dozen. The config is dagster-postgres's (`postgres_url`
    or `postgres_db`)."""

    @classmethod
    def from_config_value(  # type: ignore[override]
        cls, inst_data: ConfigurableClassData | None, config_value: Any
    ) -> PooledPostgresStorage:
        storage = cls(
            inst_data=inst_data,
            postgres_url=pg_url_from_config(config_value),
            should_autocreate_tables=config_value.get("should_autocreate_tables", True),
            token_provider=get_token_provider_from_config(config_value),
        )
        for part in (storage.run_storage, storage.event_log_storage, storage.schedule_storage):
            # Dagster's own way to hold a storage connection; a statement timeout of 0 sets none.
            part.optimize_for_webserver(  # type: ignore[attr-defined]
                statement_timeout=0,
                pool_recycle=STORAGE_POOL_RECYCLE_S,
                max_overflow=STORAGE_MAX_OVERFLOW,
            )
        return storage


def get_instance() -> dg.DagsterInstance:
    """The PostgreSQL-backed instance (call `prepare_environment` first)."""
    return dg.DagsterInstance.get()


@dataclass(frozen=True)
class PoolWait:
    """A step of a run waiting for a slot of `pool`, and the runs holding its slots."""

    pool: str
    step_key: str
    holders: tuple[str, ...]

    def describe(self) -> str:
        held = ", ".join(self.holders) or "no run (the slot is being handed over)"
        return f"pool {self.pool} (for {self.step_key}), held by {held}"


def describe_run(instance: dg.DagsterInstance, run_id: str) -> str:
    """`run <id> (<job>, since <start>)`, how waiting runs name the run in their way."""
    run = instance.get_run_by_id(run_id)
    started = run_started_at(instance, run_id)
    since = f", since {started:%Y-%m-%d %H:%M:%S} UTC" if started else ""
    return f"run {run_id} ({run.job_name if run else 'unknown job'}{since})"


def pool_waits(instance: dg.DagsterInstance, run_id: str) -> list[PoolWait]:
    """The steps of `run_id` waiting for a pool slot now, with who holds the slots."""
    storage = instance.event_log_storage
    infos = storage.get_concurrency_infos(sorted(storage.get_concurrency_keys()))
    waits = []
    for pool, info in sorted(infos.items()):
        claimed = {(slot.run_id, slot.step_key) for slot in info.claimed_slots}
        for pending in info.pending_steps:
            if pending.run_id == run_id and (run_id, pending.step_key) not in claimed:
                holders = tuple(
                    describe_run(instance, slot.run_id)
                    for slot in info.claimed_slots
                    if slot.run_id != run_id
                )
                waits.append(PoolWait(pool, pending.step_key, holders))
    return waits


def end_run(instance: dg.DagsterInstance, run_id: str, message: str) -> None:
    """Mark a run of this process that is being abandoned as canceled, and free its slots."""
    run = instance.get_run_by_id(run_id)
    if run is not None and not run.is_finished:
        instance.report_run_canceled(run, message=message)
    instance.event_log_storage.free_concurrency_slots_for_run(run_id)
