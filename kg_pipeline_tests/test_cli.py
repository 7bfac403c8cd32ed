"""The `kg-pipeline` command in a subprocess, as a user runs it."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa


def run_cli(*args: str, env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kg_pipeline.cli", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def cli_env(gene_db_url: str, dagster_db_url: str, data_dir: Path) -> dict[str, str]:
    """The environment of a command run against the test's databases and data directory."""
    return {
        "KG_DATABASE_URL": gene_db_url,
        "KG_DAGSTER_PG_URL": dagster_db_url,
        "KG_DATA_DIR": str(data_dir),
        "DAGSTER_HOME": str(data_dir / "dagster_home"),
    }


def test_rebuild_then_status(
    gene_db_url: str, dagster_db_url: str, gene_engine: sa.Engine, tmp_path: Path
) -> None:
    env = cli_env(gene_db_url, dagster_db_url, tmp_path)
    first = run_cli("rebuild", env=env)
    assert first.returncode == 0, first.stderr
    # No snapshot yet: rebuild generates the default one, and says so.
    assert f"no snapshot at {tmp_path / 'snapshot'}" in first.stdout
    assert (tmp_path / "snapshot" / "MANIFEST").is_file()
    assert "schema revision: 004_data_releases (head)" in first.stdout
    genes = next(line for line in first.stdout.splitlines() if line.startswith("genes: "))
    assert 4_300 <= int(genes.split()[1].replace(",", "")) <= 5_300
    # The summary names every evidence and annotation source, tiers and staged symbols.
    for name in ("PubTator", "ClinGen", "gnomad", "string_ppi", "comprehensive_support"):
        assert f"  {name} " in first.stdout, name
    assert "staged symbols awaiting review: " in first.stdout
    assert "last run: rebuild completed" in first.stdout
    # The rebuild made a draft data release.
    drafted = r"^data releases: 1 \(latest published none, latest draft \d{4}\.\d{2}; "
    assert re.search(drafted, first.stdout, re.M), first.stdout
    # It says what the data is, before and after: a synthetic snapshot, not for curation.
    origin = re.compile(
        r"synthetic offline snapshot: (\d+) of ([\d,]+) files real \(.*\d+ synthetic\) — not "
        r"for curation; `--mode live` loads the real sources"
    )
    assert re.search(r"^rebuild: data: " + origin.pattern, first.stdout, re.M), first.stdout
    assert re.search(r"data of the last run: " + origin.pattern, first.stdout)
    assert re.search(r"raw inputs by origin: (\d+ [a-z-]+, )*\d+ synthetic", first.stdout)

    with gene_engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO genes (hgnc_id, approved_symbol) VALUES ('X:1', 'X1')"))
        count = conn.execute(sa.text("SELECT count(*) FROM genes")).scalar_one()
    status = run_cli("status", env=env)
    assert status.returncode == 0, status.stderr
    assert any(line.split() == ["genes", f"{count:,}"] for line in status.stdout.splitlines())

    # Once the database holds data from a real source, a rebuild from the synthetic snapshot
    # refuses to replace it, and touches nothing.
    with gene_engine.begin() as conn:
        conn.execute(
            sa.text(
                "UPDATE cache_entries SET data = jsonb_set(data, '{details,origin}', '\"live\"') "
                "WHERE cache_key = 'raw:clingen:latest'"
            )
        )
    refused = run_cli("rebuild", env=env)
    assert refused.returncode == 1
    assert refused.stderr.strip().splitlines() == [
        "kg-pipeline rebuild: error: the gene database holds data from the real sources (1 of 14: "
        "clingen); a rebuild from this synthetic offline snapshot would replace it: use "
        "`--mode live`, or `--force` to replace it anyway"
    ]
    with gene_engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM genes")).scalar_one() == count

    # --force rebuilds from scratch (the row inserted above is gone) and reuses the snapshot.
    # The schema alone is enough to see both: the whole graph ran above.
    second = run_cli("rebuild", "--force", "--select", "database_schema", env=env)
    assert second.returncode == 0, second.stderr
    assert "no snapshot" not in second.stdout
    with gene_engine.connect() as conn:
        assert (
            conn.execute(sa.text("SELECT count(*) FROM genes WHERE hgnc_id = 'X:1'")).scalar() == 0
        )
        runs = conn.execute(sa.text("SELECT status FROM pipeline_runs")).scalars().all()
    assert runs == ["completed"]


def test_errors_are_one_line_unless_verbose(tmp_path: Path) -> None:
    env = {
        "KG_DATABASE_URL": "postgresql://postgres@127.0.0.1:1/nowhere",
        "KG_DATA_DIR": str(tmp_path),
    }
    quiet = run_cli("status", env=env)
    assert quiet.returncode == 1
    lines = quiet.stderr.strip().splitlines()
    assert len(lines) == 1, quiet.stderr
    assert lines[0].startswith("kg-pipeline status: error: cannot reach PostgreSQL")
    same = run_cli(
        "status",
        env={
            **env,
            "KG_DATABASE_URL": "postgresql://u@h/db",
            "KG_DAGSTER_PG_URL": "postgresql://u@h/db",
        },
    )
    assert same.returncode == 1
    assert "KG_DAGSTER_PG_URL names the gene database itself" in same.stderr
    verbose = run_cli("--verbose", "status", env=env)
    assert verbose.returncode == 1
    assert "Traceback" in verbose.stderr


def test_rebuild_says_who_holds_its_pool_slot_gives_up_and_stops_on_sigterm(
    gene_db_url: str,
    dagster_db_url: str,
    tmp_path: Path,
    default_snapshot: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import shutil
    import signal

    import dagster as dg
    from dagster._core.test_utils import create_run_for_test

    from kg_pipeline.db.dead_runs import process_tags
    from kg_pipeline.project_files import INSTANCE_CONFIG

    env = {
        **cli_env(gene_db_url, dagster_db_url, tmp_path),
        "KG_MIRROR_DIR": str(default_snapshot),
        "KG_WAIT_TIMEOUT_S": "2",
    }
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copyfile(INSTANCE_CONFIG, home / "dagster.yaml")
    monkeypatch.setenv("KG_DAGSTER_PG_URL", dagster_db_url)
    instance = dg.DagsterInstance.from_config(str(home))
    try:
        # A live run (this process) holds the database writers' slot.
        holder = create_run_for_test(
            instance,
            job_name="clingen_refresh",
            tags=process_tags(),
            status=dg.DagsterRunStatus.STARTED,
        )
        storage = instance.event_log_storage
        storage.set_concurrency_slots("gene_db_writer", 1)
        assert storage.claim_concurrency_slot(
            "gene_db_writer", holder.run_id, "clingen_evidence"
        ).is_claimed
        waiting = re.compile(
            rf"^rebuild: waiting for pool gene_db_writer \(for database_schema\), held by run "
            rf"{holder.run_id} \(clingen_refresh, since [-\d: ]+ UTC\); giving up after 2 s "
            r"\(KG_WAIT_TIMEOUT_S\)$",
            re.M,
        )

        # SIGTERM while it waits: one line, exit 143, its run canceled and its claims gone.
        process = subprocess.Popen(
            [sys.executable, "-m", "kg_pipeline.cli", "rebuild", "--select", "database_schema"],
            env={**os.environ, **env, "KG_WAIT_TIMEOUT_S": "600"},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for line in process.stdout:
            if line.startswith("rebuild: waiting for pool"):
                break
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=60)
        assert process.returncode == 143, stderr
        (stopped,) = stderr.strip().splitlines()
        match = re.fullmatch(
            r"kg-pipeline rebuild: error: stopped by SIGTERM: run (\S+) canceled, its pool slots "
            r"freed; what it had not committed was rolled back",
            stopped,
        )
        assert match, stopped
        assert instance.get_run_by_id(match[1]).status == dg.DagsterRunStatus.CANCELED
        assert storage.get_concurrency_run_ids() == {holder.run_id}

        # Left alone, it gives up after KG_WAIT_TIMEOUT_S, naming the holder, in one line.
        gave_up = run_cli("rebuild", "--select", "database_schema", env=env)
        assert gave_up.returncode == 1, gave_up.stderr
        assert waiting.search(gave_up.stdout), gave_up.stdout
        (line,) = gave_up.stderr.strip().splitlines()
        assert line.startswith(
            "kg-pipeline rebuild: error: gave up after 2 s waiting for pool gene_db_writer (for "
            f"database_schema), held by run {holder.run_id} (clingen_refresh, since "
        ), line
        assert storage.get_concurrency_run_ids() == {holder.run_id}

        # Once the holder's process is gone, the next rebuild frees the slot itself and runs.
        instance.add_run_tags(holder.run_id, {"kg/pid": "999999999"})
        done = run_cli("rebuild", "--select", "database_schema", env=env)
        assert done.returncode == 0, done.stderr
        assert f"rebuild: run {holder.run_id} (clingen_refresh, " in done.stdout
        assert "is dead: marked failed, its pool slots freed" in done.stdout
        assert instance.get_run_by_id(holder.run_id).status == dg.DagsterRunStatus.FAILURE
    finally:
        instance.dispose()
