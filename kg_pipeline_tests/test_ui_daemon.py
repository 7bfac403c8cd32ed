"""The UI's daemon and a CLI run on one instance (issue 13, item 2): they never deadlock.

`kg-pipeline ui` runs `dagster-daemon run` beside the webserver: the daemon dequeues the runs the
UI and the schedules submit, launches each in a worker process, and its run monitoring watches
them. A run started from a terminal meanwhile (`dagster job execute`) shares the instance, the
gene database's run lock and the `gene_db_writer` pool with them. Here the real daemon runs on
a PostgreSQL-backed instance configured by the packaged `dagster.yaml`; one ClinGen refresh goes
through its run queue (`dagster job launch`) while another runs from the command line, and the
test holds the writers' slot until both runs wait for it, so they must contend for it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import dagster as dg
import pytest
import sqlalchemy as sa
from dagster._core.test_utils import create_run_for_test
from dagster._daemon.controller import get_daemon_statuses

from kg_pipeline.db.dead_runs import process_tags
from kg_pipeline.project_files import INSTANCE_CONFIG, WORKSPACE
from kg_pipeline_tests.defs.crash_support import definitions, write_mirrors

POOL = "gene_db_writer"
BIN = Path(sys.executable).parent
DEADLINE_S = 90.0
"""The bound on each wait; the whole test takes about 50 s on two busy cores."""


@contextlib.contextmanager
def running(
    args: list[str], env: dict[str, str], cwd: Path, log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """`args` in a session of its own while the block runs; then SIGTERM to its whole process
    group (the daemon's code server and run workers too), SIGKILL if it outlives 15 s."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            args, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        yield process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wait_for(what: str, condition: Callable[[], bool], *logs: Path) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not condition():
        if time.monotonic() > deadline:
            tails = "".join(f"\n--- {log.name}:\n{log.read_text()[-3000:]}" for log in logs)
            raise AssertionError(f"not within {DEADLINE_S:.0f} s: {what}{tails}")
        time.sleep(0.25)


def test_a_daemon_launched_run_and_a_cli_run_contend_for_the_writers_slot_and_both_finish(
    gene_db_url: str,
    dagster_db_url: str,
    default_snapshot: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data_dir, home = tmp_path / "data", tmp_path / "dagster_home"
    home.mkdir()
    shutil.copyfile(INSTANCE_CONFIG, home / "dagster.yaml")
    monkeypatch.setenv("KG_DAGSTER_PG_URL", dagster_db_url)
    mirror, _ = write_mirrors(default_snapshot, tmp_path / "mirror")  # HGNC cut to ClinGen's genes
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "KG_DATABASE_URL": gene_db_url,
        "KG_DAGSTER_PG_URL": dagster_db_url,
        "KG_DATA_DIR": str(data_dir),
        "KG_MIRROR_DIR": str(mirror),
        "KG_SOURCE_MODE": "mirror",
    }
    logs = {name: tmp_path / f"{name}.log" for name in ("daemon", "launch", "cli")}
    instance = dg.DagsterInstance.from_config(str(home))
    storage = instance.event_log_storage
    try:
        with running(
            [str(BIN / "dagster-daemon"), "run", "-w", str(WORKSPACE)], env, home, logs["daemon"]
        ):
            # The schema and HGNC, which a refresh needs and never makes itself.
            setup = definitions(gene_db_url, data_dir, mirror).resolve_job_def("rebuild")
            selection = [dg.AssetKey(n) for n in ("database_schema", "raw_hgnc", "hgnc_reference")]
            assert setup.execute_in_process(instance=instance, asset_selection=selection).success

            # A live run (this test) holds the writers' only slot until both refreshes wait.
            holder = create_run_for_test(
                instance, job_name="holder", tags=process_tags(), status=dg.DagsterRunStatus.STARTED
            )
            storage.set_concurrency_slots(POOL, 1)
            assert storage.claim_concurrency_slot(POOL, holder.run_id, "holder").is_claimed

            def waiting() -> set[str]:
                pending = storage.get_concurrency_info(POOL).pending_steps
                return {step.run_id for step in pending} - {holder.run_id}

            job = ["-j", "clingen_refresh"]
            launch = [str(BIN / "dagster"), "job", "launch", "-w", str(WORKSPACE), *job]
            execute = [str(BIN / "dagster"), "job", "execute", "-m", "kg_pipeline.definitions"]
            with (
                running(launch, env, home, logs["launch"]) as launched,
                running([*execute, *job], env, home, logs["cli"]) as cli,
            ):
                wait_for(
                    "both refreshes wait for the writers' slot",
                    lambda: len(waiting()) == 2,
                    *logs.values(),
                )
                run_ids = waiting()
                storage.free_concurrency_slots_for_run(holder.run_id)
                instance.report_run_canceled(instance.get_run_by_id(holder.run_id))

                def finished() -> bool:
                    return all(instance.get_run_by_id(r).is_finished for r in run_ids)

                wait_for("both refreshes finish", finished, *logs.values())
                daemons = get_daemon_statuses(instance, ["QUEUED_RUN_COORDINATOR", "MONITORING"])
                assert launched.wait(DEADLINE_S) == 0, logs["launch"].read_text()
                assert cli.wait(DEADLINE_S) == 0, logs["cli"].read_text()[-3000:]

        runs = [instance.get_run_by_id(r) for r in sorted(run_ids)]
        assert [run.status for run in runs] == [dg.DagsterRunStatus.SUCCESS] * 2, [
            log.read_text()[-2000:] for log in logs.values()
        ]
        # One was queued by the launch and started by the daemon; the other ran in the command.
        queued = {
            run.run_id: [
                bool(instance.get_records_for_run(run.run_id, of_type=kind).records)
                for kind in (dg.DagsterEventType.RUN_ENQUEUED, dg.DagsterEventType.RUN_STARTING)
            ]
            for run in runs
        }
        assert sorted(queued.values()) == [[False, False], [True, True]], queued
        assert all(status.healthy for status in daemons.values()), daemons
        # Nothing is left claimed or waiting.
        assert storage.get_concurrency_run_ids() == set()
        info = storage.get_concurrency_info(POOL)
        assert info.claimed_slots == [] and info.pending_steps == []
    finally:
        instance.dispose()
    engine = sa.create_engine(gene_db_url)
    with engine.connect() as conn:
        per_gene = conn.execute(
            sa.text(
                "SELECT count(*), count(DISTINCT gene_id) FROM gene_evidence "
                "WHERE source_name = 'ClinGen'"
            )
        ).one()
    engine.dispose()
    assert per_gene[0] == per_gene[1] > 0  # loaded, once per gene
