"""`GeneDatabase`, the Dagster resource through which every asset reaches the gene database."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import dagster as dg
import sqlalchemy as sa
from pydantic import PrivateAttr

from kg_pipeline import run_process
from kg_pipeline.db.crash_point import crash_point
from kg_pipeline.db.dead_runs import process_tags, reap_dead_runs
from kg_pipeline.db.run_lock import acquire_run_lock
from kg_pipeline.db.runs import record_run, summarise_run
from kg_pipeline.db.schema import current_revision, head_revision, require_schema_at_head
from kg_pipeline.db.server import DatabaseUnavailable, embedded_database_url, redact
from kg_pipeline.manifest import MANIFEST_NAME, DataOrigin

_ENGINES: dict[str, sa.Engine] = {}

# The run lock of each run executing in this process, with how many resource starts share it.
_RUN_LOCKS: dict[str, tuple[sa.Connection, int]] = {}

RUN_LOCK_TAG = "kg/gene_db_lock"
"""A job tag: `exclusive` runs alone on the gene database (the rebuild, which drops it)."""


def engine_for(url: str) -> sa.Engine:
    """One pooled engine per URL per process; a lost server raises `DatabaseUnavailable`."""
    if url not in _ENGINES:
        engine = sa.create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)
        sa.event.listen(engine, "handle_error", partial(_server_unavailable, redact(url)))
        _ENGINES[url] = engine
    return _ENGINES[url]


def _server_unavailable(url: str, context: sa.engine.ExceptionContext) -> BaseException | None:
    """A connection the server dropped, or one it did not accept, as one line naming the
    database and what to do, instead of the driver's lines and the SQL (a stopped or restarted
    server, a network cut). Every other error passes through unchanged."""
    if context.is_pre_ping:
        return None  # the pool replaces a connection that died while idle, transparently
    error = context.original_exception
    refused = context.connection is None and isinstance(
        error, context.dialect.loaded_dbapi.OperationalError
    )
    if not (context.is_disconnect or refused):
        return None
    reason = (str(error).strip().splitlines() or [type(error).__name__])[0]
    what = "lost the connection to" if context.is_disconnect else "cannot connect to"
    return DatabaseUnavailable(
        f"{what} the gene database {url} ({reason}): check that its PostgreSQL server runs "
        "(`kg-pipeline status` starts the embedded one), then run again; unfinished writes "
        "were rolled back"
    )


def dispose_engine(url: str) -> None:
    """Close the pooled connections of `url` (before its database is dropped)."""
    engine = _ENGINES.pop(url, None)
    if engine is not None:
        engine.dispose()


def data_origin(source_mode: str, mirror_dir: Path | None) -> DataOrigin:
    """What a run's data is: live, or the snapshot's files by origin."""
    if source_mode == "mirror" and mirror_dir is not None:
        return DataOrigin.of_snapshot(mirror_dir)
    return DataOrigin(source_mode)


def data_origin_tags(source_mode: str, mirror_dir: Path | None) -> dict[str, str]:
    """Where a run's data came from: the source mode, what the data is (one line, and in mirror
    mode the snapshot's files by origin) and the snapshot's MANIFEST sha256."""
    origin = data_origin(source_mode, mirror_dir)
    tags = {"kg/source_mode": source_mode, "kg/data_origin": origin.describe()}
    tags |= {f"kg/snapshot_files_{kind}": str(n) for kind, n in sorted(origin.files.items())}
    manifest = mirror_dir / MANIFEST_NAME if mirror_dir else None
    if source_mode == "mirror" and manifest is not None and manifest.is_file():
        tags["kg/snapshot_manifest_sha256"] = hashlib.sha256(manifest.read_bytes()).hexdigest()
    return tags


class GeneDatabase(dg.ConfigurableResource):
    """The gene database, on a configured server (`url`) or the embedded one under `data_dir`.

    `source_mode` and `mirror_dir` say where the run's data comes from; every run is tagged
    with them when it ends. When a run's resources start, it is tagged with its process, runs
    whose process is dead are cleaned up (`reap_dead_runs`), and the run takes the gene
    database's run lock (`acquire_run_lock`: alone for a job tagged `kg/gene_db_lock:
    exclusive`, the rebuild), waiting at most `wait_timeout_s`; the lock is released when the
    run ends or its process dies. While the run holds it, the process's garbage collector runs
    less often (`kg_pipeline.run_process`).
    """

    url: str | None = None
    data_dir: str | None = None
    database_name: str = "kidney_genetics"
    source_mode: str = "mirror"
    mirror_dir: str | None = None
    wait_timeout_s: float = 600.0
    _engine: sa.Engine | None = PrivateAttr(default=None)

    @property
    def engine(self) -> sa.Engine:
        if self._engine is None:
            if self.url is None and self.data_dir is None:
                raise ValueError("GeneDatabase needs a url or the embedded server's data_dir")
            url = self.url or embedded_database_url(Path(self.data_dir or ""), self.database_name)
            self._engine = engine_for(url)
        return self._engine

    @contextmanager
    def begin(self) -> Iterator[sa.Connection]:
        """A connection inside one transaction: committed on success, rolled back on error."""
        with self.engine.begin() as conn:
            yield conn

    def require_schema_at_head(self) -> None:
        require_schema_at_head(self.engine)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        run, instance = context.run, context.instance
        if run is None or instance is None:
            return
        # Nested in other resources, this resource starts once per holder: the first start
        # of a run does the work, the others share its lock.
        held = _RUN_LOCKS.get(run.run_id)
        if held is not None:
            _RUN_LOCKS[run.run_id] = (held[0], held[1] + 1)
            return
        instance.add_run_tags(run.run_id, process_tags())
        reap_dead_runs(instance, context.log.warning, this_run=run.run_id)
        lock = acquire_run_lock(
            self.engine.url,
            exclusive=run.tags.get(RUN_LOCK_TAG) == "exclusive",
            run_id=run.run_id,
            job_name=run.job_name,
            timeout_s=self.wait_timeout_s,
            say=context.log.info,
        )
        _RUN_LOCKS[run.run_id] = (lock, 1)
        run_process.run_started()

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        """Tag the run with its data origin, write its `pipeline_runs` row, release the run
        lock.

        Here, for runs launched from the CLI, the UI and schedules alike. At the end rather than
        the start: the rebuild job's first step drops the schema, which would take a row
        written earlier with it.
        """
        held = _RUN_LOCKS.pop(context.run.run_id, None) if context.run else None
        if held is not None and held[1] > 1:
            # Another holder of this run's resource still has to stop: the last one records.
            _RUN_LOCKS[context.run.run_id] = (held[0], held[1] - 1)
            return
        try:
            self._record_run(context)
        finally:
            if held is not None:
                held[0].close()
                run_process.run_ended()

    def _record_run(self, context: dg.InitResourceContext) -> None:
        run = context.run
        if run is None or context.instance is None:
            return
        origin = data_origin_tags(
            self.source_mode, Path(self.mirror_dir) if self.mirror_dir else None
        )
        context.instance.add_run_tags(run.run_id, origin)
        summary = summarise_run(context.instance, run.run_id)
        summary.stats.update(origin)
        try:
            with self.engine.begin() as conn:
                if current_revision(conn) != head_revision():
                    return  # no schema to write into (a run that failed before migrating)
                record_run(
                    conn,
                    run.run_id,
                    run.job_name,
                    "failed" if summary.errors else "completed",
                    summary.started,
                    summary.stats,
                    summary.errors,
                )
                crash_point("pipeline_runs:before_commit")
        except (sa.exc.SQLAlchemyError, DatabaseUnavailable) as exc:
            context.log.warning(f"could not record the run in pipeline_runs: {exc}")
