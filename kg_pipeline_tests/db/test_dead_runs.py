"""Runs whose process is dead are marked failed and their pool slots freed; live ones and
runs of other hosts are left alone; slots still held by ended runs are freed."""

import os
import shutil
import subprocess
from pathlib import Path

import dagster as dg
from dagster._core.test_utils import create_run_for_test

from kg_pipeline.db.dead_runs import (
    HOST_TAG,
    PID_START_TAG,
    PID_TAG,
    process_alive,
    process_tags,
    reap_dead_runs,
)
from kg_pipeline.project_files import INSTANCE_CONFIG


def _instance(home: Path, dagster_db_url: str, monkeypatch) -> dg.DagsterInstance:
    home.mkdir()
    shutil.copyfile(INSTANCE_CONFIG, home / "dagster.yaml")
    monkeypatch.setenv("KG_DAGSTER_PG_URL", dagster_db_url)
    return dg.DagsterInstance.from_config(str(home))


def _started_run(instance: dg.DagsterInstance, tags: dict[str, str]) -> str:
    run = create_run_for_test(
        instance, job_name="clingen_refresh", tags=tags, status=dg.DagsterRunStatus.STARTED
    )
    return run.run_id


def test_a_dead_run_is_failed_and_its_slot_freed(
    dagster_db_url: str, tmp_path: Path, monkeypatch
) -> None:
    instance = _instance(tmp_path / "home", dagster_db_url, monkeypatch)
    try:
        gone = subprocess.Popen(["sleep", "60"])
        gone.kill()
        gone.wait()
        assert not process_alive(gone.pid) and process_alive(os.getpid())
        host = process_tags()[HOST_TAG]
        dead = _started_run(instance, {PID_TAG: str(gone.pid), HOST_TAG: host})
        alive = _started_run(instance, process_tags())
        elsewhere = _started_run(instance, {PID_TAG: str(gone.pid), HOST_TAG: "other-host"})
        storage = instance.event_log_storage
        storage.set_concurrency_slots("gene_db_writer", 1)
        assert storage.claim_concurrency_slot("gene_db_writer", dead, "clingen_evidence").is_claimed
        said: list[str] = []
        reaped = reap_dead_runs(instance, said.append)
        assert [run.run_id for run in reaped] == [dead]
        assert said == [reaped[0].describe()]
        assert f"run {dead} (clingen_refresh, " in said[0]
        assert said[0].endswith(f"process {gone.pid}) is dead: marked failed, its pool slots freed")
        assert instance.get_run_by_id(dead).status == dg.DagsterRunStatus.FAILURE
        assert instance.get_run_by_id(alive).status == dg.DagsterRunStatus.STARTED
        assert instance.get_run_by_id(elsewhere).status == dg.DagsterRunStatus.STARTED
        info = storage.get_concurrency_info("gene_db_writer")
        assert info.claimed_slots == [] and info.pending_steps == []
        # The slot is free for the next run at once.
        assert storage.claim_concurrency_slot("gene_db_writer", alive, "genes").is_claimed
        # A run that ended without freeing its slot (canceled from the UI, say) loses it.
        instance.report_run_canceled(instance.get_run_by_id(alive))
        (freed,) = reap_dead_runs(instance, said.append)
        assert freed.run_id == alive and said[-1].endswith("already ended): pool slots freed")
        assert storage.get_concurrency_info("gene_db_writer").claimed_slots == []
        assert reap_dead_runs(instance, said.append) == []
    finally:
        instance.dispose()


def test_a_dead_runs_pid_now_used_by_another_process_does_not_keep_its_slot(
    dagster_db_url: str, tmp_path: Path, monkeypatch
) -> None:
    # The kernel hands out pids again (pid_max is often 32,768): a run killed long ago may name
    # the pid of a process alive now. Its start time tells them apart.
    instance = _instance(tmp_path / "home", dagster_db_url, monkeypatch)
    try:
        mine = process_tags()
        assert mine[PID_START_TAG].isdigit()
        assert process_alive(os.getpid(), mine[PID_START_TAG])
        earlier = str(int(mine[PID_START_TAG]) - 1)
        assert not process_alive(os.getpid(), earlier)
        reused = _started_run(instance, {**mine, PID_START_TAG: earlier})
        alive = _started_run(instance, mine)
        storage = instance.event_log_storage
        storage.set_concurrency_slots("clingen_api", 1)
        assert storage.claim_concurrency_slot("clingen_api", reused, "raw_clingen").is_claimed
        reaped = reap_dead_runs(instance, lambda _: None)
        assert [run.run_id for run in reaped] == [reused]
        assert instance.get_run_by_id(reused).status == dg.DagsterRunStatus.FAILURE
        assert instance.get_run_by_id(alive).status == dg.DagsterRunStatus.STARTED
        assert storage.claim_concurrency_slot("clingen_api", alive, "raw_clingen").is_claimed
    finally:
        instance.dispose()
