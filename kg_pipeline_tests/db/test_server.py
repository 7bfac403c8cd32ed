"""The embedded PostgreSQL: starts from a pip package, is reused, serves both databases, and
starts again after an unclean shutdown."""

import contextlib
import os
import shutil
import signal
import tempfile
import time
from pathlib import Path

import psutil
import sqlalchemy as sa

from kg_pipeline.db.schema import current_revision, head_revision, upgrade_to_head
from kg_pipeline.db.server import database_urls, start_embedded_server, stop_embedded_server
from kg_pipeline.settings import Settings
from kg_pipeline_tests.test_cli import run_cli


def test_embedded_server_serves_the_gene_and_dagster_databases(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, database_url=None, dagster_pg_url=None)
    urls = database_urls(settings)
    assert urls.embedded
    assert urls.gene.startswith("postgresql+psycopg://")
    assert urls.dagster.startswith("postgresql+psycopg2://")
    for url, name in ((urls.gene, "kidney_genetics"), (urls.dagster, "dagster")):
        engine = sa.create_engine(url)
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT current_database()")).scalar_one() == name
        engine.dispose()
    assert (tmp_path / "postgres" / "PG_VERSION").is_file()

    # A second start (a later command) reuses the running server and its databases.
    start_embedded_server.cache_clear()
    try:
        again = database_urls(settings)
        assert again == urls
    finally:
        stop_embedded_server(tmp_path)
    assert not (tmp_path / "postgres" / "postmaster.pid").exists()


def _kill_postmaster(pgdata: Path) -> None:
    """SIGKILL the server's postmaster, as the OOM killer or a power cut would stop it: no
    shutdown checkpoint, `postmaster.pid` and the shared memory left behind."""
    pid = int((pgdata / "postmaster.pid").read_text().split()[0])
    os.kill(pid, signal.SIGKILL)
    # The signal is delivered asynchronously: wait until the postmaster is dead (a zombie or
    # gone), as it is by the time anyone restarts a killed server.
    with contextlib.suppress(psutil.NoSuchProcess):
        while psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
            time.sleep(0.01)


def test_the_embedded_server_recovers_after_its_postmaster_is_killed() -> None:
    # Not under pytest's tmp_path: see `pg_admin_url` in conftest.
    data_dir = Path(tempfile.mkdtemp(prefix="kg-test-kill-"))
    pgdata = data_dir / "postgres"
    settings = Settings(data_dir=data_dir, database_url=None, dagster_pg_url=None)
    try:
        urls = database_urls(settings)
        engine = sa.create_engine(urls.gene)
        upgrade_to_head(engine)
        insert = sa.text(
            "INSERT INTO genes (hgnc_id, approved_symbol) "
            "SELECT 'T:' || n || :tag, 'T' || n || :tag FROM generate_series(1, :n) n"
        )
        with engine.begin() as conn:
            conn.execute(insert, {"n": 1000, "tag": "c"})
        # A transaction still open when the server dies: recovery must not keep its rows.
        open_transaction = engine.connect()
        open_transaction.execute(insert, {"n": 500, "tag": "u"})

        _kill_postmaster(pgdata)
        open_transaction.invalidate()
        engine.dispose()
        # The next command starts the server again over its stale postmaster.pid.
        status = run_cli("status", env={"KG_DATA_DIR": str(data_dir), "KG_DATABASE_URL": ""})
        assert status.returncode == 0, status.stderr
        assert f"schema revision: {head_revision()} (head)" in status.stdout
        assert ["genes", "1,000"] in [line.split() for line in status.stdout.splitlines()]

        # So does a new start in a process that had started it before (pgserver's handle of the
        # killed server is stale).
        _kill_postmaster(pgdata)
        start_embedded_server.cache_clear()
        assert database_urls(settings) == urls
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM genes")).scalar_one() == 1000
            assert current_revision(conn) == head_revision()
        engine.dispose()
        log = (pgdata / "log").read_text()
        assert log.count("database system was not properly shut down") == 2
    finally:
        stop_embedded_server(data_dir)
        shutil.rmtree(data_dir, ignore_errors=True)
    assert not (pgdata / "postmaster.pid").exists()
