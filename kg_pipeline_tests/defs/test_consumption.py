"""Crash safety: runs killed with SIGKILL at every kind of step leave each table of the gene
database with its previous or its new content, never a mix, and the next run of the same job,
without any cleanup, finishes the work and reaches exactly the content of an uninterrupted run.

Every step writes in one transaction, so each table is compared as a whole, except the tables a
later step derives (`LAGGING`), which lag between two steps by design and must converge. Each
case starts from the same database (version A of a small mirror loaded by a rebuild,
restored from a template), runs the job against version B in a forked child that kills itself
at the named point (`KG_TEST_CRASH_AT`, `kg_pipeline.db.crash_point`), compares per-table
checksums with those before and after an uninterrupted run, then runs the job again.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
import pytest
import sqlalchemy as sa

from kg_pipeline.db.database import dispose_engine
from kg_pipeline.db.run_lock import acquire_run_lock
from kg_pipeline.db.server import DAGSTER_DB_DRIVER, with_driver
from kg_pipeline.project_files import INSTANCE_CONFIG
from kg_pipeline_tests.conftest import create_database, drop_database
from kg_pipeline_tests.defs.crash_support import (
    EMPTY,
    definitions,
    execute,
    run_killed_at,
    start_child,
    table_checksums,
    write_mirrors,
)

JOBS = ("clingen_refresh", "gnomad_refresh", "rebuild")

POINTS = [
    # ClinGen's refresh: raw fetch and record, the evidence load around its commit, the gene
    # import, scoring, and the pipeline_runs row.
    ("clingen_refresh", "raw_clingen:fetched"),
    ("clingen_refresh", "raw_clingen:before_commit"),
    ("clingen_refresh", "raw_clingen:after_commit"),
    ("clingen_refresh", "clingen_evidence:before_transaction"),
    ("clingen_refresh", "clingen_evidence:inside_transaction"),
    ("clingen_refresh", "clingen_evidence:before_commit"),
    ("clingen_refresh", "clingen_evidence:after_commit"),
    ("clingen_refresh", "genes:inside_transaction"),
    ("clingen_refresh", "genes:after_commit"),
    ("clingen_refresh", "gene_scores:before_commit"),
    ("clingen_refresh", "gene_curations:before_commit"),
    ("clingen_refresh", "pipeline_runs:before_commit"),
    # gnomAD's refresh: an annotation load and the summary.
    ("gnomad_refresh", "raw_gnomad:fetched"),
    ("gnomad_refresh", "gnomad_annotations:inside_transaction"),
    ("gnomad_refresh", "gnomad_annotations:before_commit"),
    ("gnomad_refresh", "gnomad_annotations:after_commit"),
    ("gnomad_refresh", "gene_annotations_summary:before_commit"),
    ("gnomad_refresh", "pipeline_runs:before_commit"),
    # The rebuild: it drops the schema first, so a table may also be empty in between.
    ("rebuild", "clingen_evidence:before_commit"),
    ("rebuild", "gnomad_annotations:before_commit"),
]


# Tables a later step of the job derives from the ones an earlier step wrote: between the two
# steps (two transactions) they lag, as after any step of an uninterrupted run, and foreign-key
# cascades of the earlier step reach them (the log's link to a removed gene, a removed gene's
# curation). They are not compared in between; the next run must bring them up to date. In a
# rebuild, annotation_sources holds the schema's seed rows until the annotation loads run.
LAGGING = {"gene_scores", "gene_curations", "gene_annotations_summary", "gene_normalization_log"}


@dataclass
class CrashEnv:
    admin_url: str
    gene_db: str
    gene_url: str
    data_dir: Path
    home: Path
    mirror_b: Path
    instance: dg.DagsterInstance
    before: dict[str, str]
    before_runs: set[str]
    after: dict[str, dict[str, str]] = field(default_factory=dict)

    def checksums(self) -> dict[str, str]:
        engine = sa.create_engine(self.gene_url)
        with engine.connect() as conn:
            sums = table_checksums(conn)
        engine.dispose()
        return sums

    def run_ids(self) -> set[str]:
        engine = sa.create_engine(self.gene_url)
        with engine.connect() as conn:
            ids = set(conn.execute(sa.text("SELECT dagster_run_id FROM pipeline_runs")).scalars())
        engine.dispose()
        return ids

    def restore(self) -> None:
        """The gene database as it was after version A was loaded."""
        dispose_engine(self.gene_url)
        drop_database(self.admin_url, self.gene_db)
        engine = sa.create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{self.gene_db}" TEMPLATE "{self.gene_db}_a"'))
        engine.dispose()

    def run(self, job: str) -> dg.ExecuteInProcessResult:
        return execute(definitions(self.gene_url, self.data_dir, self.mirror_b), self.instance, job)


@pytest.fixture(scope="module")
def crash_env(
    pg_admin_url: str, default_snapshot: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CrashEnv]:
    root = tmp_path_factory.mktemp("crash")
    mirror_a, mirror_b = write_mirrors(default_snapshot, root / "mirrors")
    name = f"kg_test_crash_{uuid.uuid4().hex[:8]}"
    gene_url = create_database(pg_admin_url, name)
    dagster_url = with_driver(create_database(pg_admin_url, f"{name}_dagster"), DAGSTER_DB_DRIVER)
    home = root / "dagster_home"
    home.mkdir()
    shutil.copyfile(INSTANCE_CONFIG, home / "dagster.yaml")
    saved = os.environ.get("KG_DAGSTER_PG_URL")
    os.environ["KG_DAGSTER_PG_URL"] = dagster_url
    instance = dg.DagsterInstance.from_config(str(home))
    data_dir = root / "data"
    try:
        loaded = execute(definitions(gene_url, data_dir, mirror_a), instance, "rebuild")
        assert loaded.success
        dispose_engine(gene_url)
        admin = sa.create_engine(pg_admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}_a" TEMPLATE "{name}"'))
        admin.dispose()
        env = CrashEnv(pg_admin_url, name, gene_url, data_dir, home, mirror_b, instance, {}, set())
        env.before, env.before_runs = env.checksums(), env.run_ids()
        engine = sa.create_engine(gene_url)
        with engine.connect() as conn:
            genes = conn.execute(sa.text("SELECT count(*) FROM genes")).scalar_one()
        engine.dispose()
        assert genes > 100, "version A loads enough genes for the checks to mean something"
        for job in JOBS:
            env.restore()
            assert env.run(job).success
            env.after[job] = env.checksums()
            changed = {t for t in env.before if env.before[t] != env.after[job][t]}
            # Version B changes what the job loads, so a half-done run could show.
            assert {"gene_evidence", "genes", "gene_scores"} & changed or job == "gnomad_refresh"
            assert "gene_annotations" in changed or job == "clingen_refresh"
        yield env
    finally:
        instance.dispose()
        if saved is None:
            del os.environ["KG_DAGSTER_PG_URL"]
        else:
            os.environ["KG_DAGSTER_PG_URL"] = saved
        dispose_engine(gene_url)
        for database in (name, f"{name}_a", f"{name}_dagster"):
            drop_database(pg_admin_url, database)


@pytest.mark.parametrize(("job", "point"), POINTS)
def test_a_killed_run_leaves_old_or_new_content_and_the_next_run_finishes_it(
    crash_env: CrashEnv, job: str, point: str
) -> None:
    env = crash_env
    env.restore()
    runs_before = {run.run_id for run in env.instance.get_runs()}
    assert run_killed_at(point, env.gene_url, env.data_dir, env.mirror_b, env.home, job) == -9

    middle = env.checksums()
    # A table (a cache entry: a record of its own) is absent or empty only in a rebuild.
    dropped = {None, EMPTY} if job == "rebuild" else set()
    lagging = LAGGING | ({"annotation_sources"} if job == "rebuild" else set())
    units = (set(env.before) | set(env.after[job]) | set(middle)) - lagging
    allowed = {u: {env.before.get(u), env.after[job].get(u), *dropped} for u in units}
    mixed = sorted(u for u in units if middle.get(u) not in allowed[u])
    assert mixed == [], f"killed at {point}: tables neither old nor new: {mixed}"
    # The killed run wrote no pipeline_runs row (nor did it leave one half-written).
    assert env.run_ids() <= env.before_runs

    (killed,) = [run for run in env.instance.get_runs() if run.run_id not in runs_before]
    assert killed.status == dg.DagsterRunStatus.STARTED  # as kill -9 leaves it

    again = env.run(job)
    assert again.success
    assert env.checksums() == env.after[job], f"after a kill at {point}, the next run differs"
    # The next run found the dead one, marked it failed and freed its pool slots.
    assert env.instance.get_run_by_id(killed.run_id).status == dg.DagsterRunStatus.FAILURE
    assert killed.run_id not in env.instance.event_log_storage.get_concurrency_run_ids()


def test_two_refreshes_of_one_source_started_together_serialise(crash_env: CrashEnv) -> None:
    env = crash_env
    env.restore()
    children = [
        start_child(env.gene_url, env.data_dir, env.mirror_b, env.home, "clingen_refresh")
        for _ in range(2)
    ]
    for child in children:
        child.join(timeout=300)
    assert [child.exitcode for child in children] == [0, 0]
    # Exactly the content of one refresh: one evidence row per (gene, source), nothing twice.
    assert env.checksums() == env.after["clingen_refresh"]
    engine = sa.create_engine(env.gene_url)
    with engine.connect() as conn:
        doubled = conn.execute(
            sa.text(
                "SELECT count(*) FROM (SELECT 1 FROM gene_evidence "
                "GROUP BY gene_id, source_name HAVING count(*) > 1) d"
            )
        ).scalar_one()
    engine.dispose()
    assert doubled == 0


def test_a_refresh_during_a_rebuild_is_refused_naming_the_rebuild(crash_env: CrashEnv) -> None:
    env = crash_env
    env.restore()
    said: list[str] = []
    rebuild = acquire_run_lock(
        env.gene_url,
        exclusive=True,
        run_id="r-1",
        job_name="rebuild",
        timeout_s=1,
        say=said.append,
    )
    try:
        refresh = execute(
            definitions(env.gene_url, env.data_dir, env.mirror_b, wait_timeout_s=1),
            env.instance,
            "clingen_refresh",
        )
    finally:
        rebuild.close()
    assert not refresh.success
    errors = [
        str(error.cause.message if error.cause else error.message)
        for event in refresh.all_events
        if (error := getattr(event.event_specific_data, "error", None)) is not None
    ]
    assert any(
        "gave up after 1 s waiting for the gene database, held by run r-1 (rebuild, since " in e
        for e in errors
    ), errors
    assert env.checksums() == env.before  # it touched nothing
