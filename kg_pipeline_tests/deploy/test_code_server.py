"""The multi-process deployment of deploy/workspace.grpc.yaml: the code location as its own gRPC
server (`dagster code-server start`), `dagster-webserver` and `dagster-daemon run` as three
separate processes on a PostgreSQL-backed instance, driven through the webserver's GraphQL API
as an operator's tools drive it."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest
import requests
import sqlalchemy as sa
from dagster_graphql import DagsterGraphQLClient, ReloadRepositoryLocationStatus

from kg_pipeline.db.database import dispose_engine
from kg_pipeline.project_files import INSTANCE_CONFIG
from kg_pipeline.ui import wait_until_serving
from kg_pipeline_tests.conftest import create_database, drop_database
from kg_pipeline_tests.defs.test_evidence import DEFAULT_SNAPSHOT_GENES, load

REPO_ROOT = Path(__file__).resolve().parents[2]
WORKSPACE = REPO_ROOT / "deploy" / "workspace.grpc.yaml"
LOCATION = "kg_pipeline"
BIN = Path(sys.executable).parent
LOCAL = ("-h", "127.0.0.1", "-p")
"""Host and port options (port last) of both servers: local only."""
RUN_TIMEOUT_S = 90
FINISHED = {dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED}
PREREQUISITES = ["database_schema", "raw_hgnc", "hgnc_reference"]
LOCATION_STATUS = """
query {
  workspaceOrError {
    ... on Workspace {
      locationEntries { name loadStatus locationOrLoadError { __typename } }
    }
  }
}
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _default_signals() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


class Process:
    """One deployment process in a session of its own, its output in `log`."""

    def __init__(self, args: list[str], env: dict[str, str], cwd: Path, log: Path) -> None:
        self.log = log
        with log.open("ab") as out:
            self.popen = subprocess.Popen(
                args,
                env=env,
                cwd=cwd,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                # A test started from a background shell inherits SIGINT as ignored, and Dagster
                # copies that onto SIGTERM: reset both so SIGTERM stops the process.
                preexec_fn=_default_signals,
            )

    def alive(self) -> bool:
        return self.popen.poll() is None

    def stop(self) -> None:
        """SIGTERM the whole group (its run workers too), SIGKILL what is left after 10 s."""
        for sig, wait_s in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
            try:
                os.killpg(self.popen.pid, sig)
            except ProcessLookupError:
                break
            try:
                self.popen.wait(wait_s)
                break
            except subprocess.TimeoutExpired:
                continue

    def tail(self) -> str:
        return f"--- {self.log.name} ---\n" + "\n".join(
            self.log.read_text(errors="replace").splitlines()[-40:]
        )


@pytest.fixture
def gene_db_at_head(pg_admin_url: str, default_snapshot: Path, tmp_path: Path) -> Iterator[str]:
    """A gene database at schema head with the HGNC reference loaded (raw store under
    tmp_path/raw): what a ClinGen refresh needs to find before it can load."""
    name = f"kg_test_{uuid.uuid4().hex[:12]}"
    url = create_database(pg_admin_url, name)
    assert load(url, tmp_path / "raw", default_snapshot, PREREQUISITES).success
    dispose_engine(url)
    yield url
    drop_database(pg_admin_url, name)


def logs(processes: list[Process]) -> str:
    return "\n".join(process.tail() for process in processes)


def wait_until_loaded(web_url: str, processes: list[Process]) -> None:
    """Wait until the webserver has the code location loaded, by its own doing: asking it to
    reload would make the code server start a fresh copy of the code, costing seconds."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        data = requests.post(f"{web_url}/graphql", json={"query": LOCATION_STATUS}, timeout=10)
        (entry,) = data.json()["data"]["workspaceOrError"]["locationEntries"]
        loaded = entry["locationOrLoadError"] or {}
        if entry["loadStatus"] == "LOADED" and loaded.get("__typename") == "RepositoryLocation":
            return
        time.sleep(0.5)
    raise AssertionError(f"code location not loaded:\n{logs(processes)}")


def refresh_clingen(client: DagsterGraphQLClient, processes: list[Process]) -> None:
    """Launch clingen_refresh through GraphQL and see it succeed."""
    run_id = client.submit_job_execution(
        "clingen_refresh", repository_location_name=LOCATION, repository_name="__repository__"
    )
    deadline = time.monotonic() + RUN_TIMEOUT_S
    while time.monotonic() < deadline:
        status = client.get_run_status(run_id)
        if status in FINISHED:
            assert status == dg.DagsterRunStatus.SUCCESS, logs(processes)
            return
        time.sleep(0.5)
    raise AssertionError(f"run did not end:\n{logs(processes)}")


def table_names(url: str) -> set[str]:
    engine = sa.create_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_webserver_daemon_and_code_server_run_apart_and_the_code_server_restarts_alone(
    gene_db_at_head: str, dagster_db_url: str, default_snapshot: Path, tmp_path: Path
) -> None:
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copyfile(INSTANCE_CONFIG, home / "dagster.yaml")
    grpc_port, web_port = free_port(), free_port()
    # None of our settings leak in from the test's own environment: each process gets exactly
    # what a deployment gives it.
    base = {k: v for k, v in os.environ.items() if not k.startswith(("KG_", "DAGSTER_"))}
    # The webserver and the daemon know Dagster's storage and where the code server listens;
    # only the code location (and the runs it starts) knows the gene database.
    dagster_env = {
        **base,
        "DAGSTER_HOME": str(home),
        "KG_DAGSTER_PG_URL": dagster_db_url,
        "KG_CODE_SERVER_HOST": "127.0.0.1",
        "KG_CODE_SERVER_PORT": str(grpc_port),
    }
    code_env = {
        **base,
        "DAGSTER_HOME": str(home),
        "KG_DAGSTER_PG_URL": dagster_db_url,
        "KG_DATABASE_URL": gene_db_at_head,
        "KG_DATA_DIR": str(tmp_path),
        "KG_SOURCE_MODE": "mirror",
        "KG_MIRROR_DIR": str(default_snapshot),
        # Only ClinGen's genes get loaded here, far fewer than a full site's.
        "KG_GENE_COUNT_MIN": "1",
    }
    code_server_args = [
        str(BIN / "dagster"),
        *("code-server", "start", *LOCAL, str(grpc_port)),
        *("-m", "kg_pipeline.definitions", "--location-name", LOCATION),
    ]

    def start_code_server() -> Process:
        return Process(code_server_args, code_env, home, tmp_path / "code_server.log")

    processes = [
        start_code_server(),
        Process(
            [str(BIN / "dagster-webserver"), "-w", str(WORKSPACE), *LOCAL, str(web_port)],
            dagster_env,
            home,
            tmp_path / "webserver.log",
        ),
        Process(
            [str(BIN / "dagster-daemon"), "run", "-w", str(WORKSPACE)],
            dagster_env,
            home,
            tmp_path / "daemon.log",
        ),
    ]
    code_server, webserver, daemon = processes
    try:
        web_url = f"http://127.0.0.1:{web_port}"
        assert wait_until_serving(web_url, timeout_s=60), webserver.tail()
        wait_until_loaded(web_url, processes)
        client = DagsterGraphQLClient("127.0.0.1", port_number=web_port)

        # The daemon dequeues the run, the code server runs it, against the gene database.
        refresh_clingen(client, processes)
        engine = sa.create_engine(gene_db_at_head)
        with engine.connect() as conn:
            clingen_genes = conn.execute(
                sa.text("SELECT count(*) FROM gene_evidence WHERE source_name = 'ClinGen'")
            ).scalar_one()
        engine.dispose()
        assert clingen_genes == DEFAULT_SNAPSHOT_GENES["ClinGen"]
        # Two databases, each holding only its own tables.
        assert "runs" in table_names(dagster_db_url)
        assert "genes" not in table_names(dagster_db_url)
        assert "runs" not in table_names(gene_db_at_head)

        # Only the code server goes down: the webserver sees its location unreachable...
        code_server.stop()
        unreachable = client.reload_repository_location(LOCATION)
        assert unreachable.status == ReloadRepositoryLocationStatus.FAILURE
        assert "Could not reach user code server" in unreachable.message
        # ... and reloads it by itself once a new code server listens on the same port.
        processes[0] = start_code_server()
        wait_until_loaded(web_url, processes)
        assert webserver.alive() and daemon.alive()
        # Runs launch through the new code server.
        refresh_clingen(client, processes)
        assert webserver.alive() and daemon.alive()
    finally:
        for process in processes:
            process.stop()
