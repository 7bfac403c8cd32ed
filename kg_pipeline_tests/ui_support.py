"""Helpers for the browser test: the `kg-pipeline ui` process and the UI's GraphQL endpoint.

`UiProcess` starts the command as a user would and stops it with Ctrl-C (SIGINT), reporting any
webserver, daemon, code server or run worker left behind. `DagsterGraphQL` launches runs, reads
their outcome and the state of schedules and daemons through the same `/graphql` endpoint the
UI's pages use.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.error import URLError
from urllib.request import Request, urlopen

import psutil

# Looked up on PATH only, so a test can hide them all: Debian's package installs
# /usr/bin/chromium; the other names cover other distributions.
CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome")
# As root Chromium needs --no-sandbox; the rest stop it from calling Google's services, which
# this machine's closed network refuses (slowly) at every start.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

TERMINAL_RUN_STATUSES = frozenset({"SUCCESS", "FAILURE", "CANCELED"})


def find_chromium() -> Path | None:
    """The first Chromium executable found, or None."""
    for candidate in CHROMIUM_CANDIDATES:
        found = shutil.which(candidate)
        if found:
            return Path(found)
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def tail(path: Path, lines: int = 40) -> str:
    if not path.exists():
        return f"({path} does not exist)"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


@dataclass
class UiProcess:
    """`kg-pipeline ui` in a subprocess, with its output in `log_path`."""

    process: subprocess.Popen[bytes]
    url: str
    log_path: Path
    _descendants: list[psutil.Process] = field(default_factory=list)
    _groups: set[int] = field(default_factory=set)

    @classmethod
    def start(cls, env: dict[str, str], log_path: Path, timeout_s: float = 90) -> UiProcess:
        port = free_port()
        command = [
            str(Path(sys.executable).parent / "kg-pipeline"),
            "ui",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ]
        with log_path.open("wb") as log:
            # A session of its own, so a Ctrl-C at the terminal running pytest reaches it only
            # through the SIGINT that stop() sends.
            process = subprocess.Popen(
                command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        ui = cls(process=process, url=f"http://127.0.0.1:{port}", log_path=log_path)
        ui._wait_until_serving(timeout_s)
        return ui

    def _wait_until_serving(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(
                    f"kg-pipeline ui exited with {self.process.returncode} before serving:\n"
                    f"{tail(self.log_path)}"
                )
            try:
                with urlopen(f"{self.url}/server_info", timeout=2) as response:
                    if response.status == 200:
                        return
            except (URLError, OSError):
                pass
            time.sleep(0.25)
        self.kill()
        raise AssertionError(
            f"kg-pipeline ui did not serve {self.url} within {timeout_s:.0f} s:\n"
            f"{tail(self.log_path)}"
        )

    def remember_descendants(self) -> None:
        """Note every process the command has started so far, and their process groups."""
        self._descendants = psutil.Process(self.process.pid).children(recursive=True)
        self._groups = {self.process.pid}  # the command's own session (start_new_session)
        for child in self._descendants:
            with contextlib.suppress(ProcessLookupError):
                self._groups.add(os.getpgid(child.pid))

    def stop(self, timeout_s: float = 10) -> tuple[int | None, float]:
        """Ctrl-C the command; return its exit code (None if it did not exit) and the wait."""
        if self.process.poll() is None:
            self.remember_descendants()
        started = time.monotonic()
        self.process.send_signal(signal.SIGINT)
        try:
            code: int | None = self.process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            code = None
        return code, time.monotonic() - started

    def survivors(self) -> list[str]:
        """Processes of the command still alive: those noted, and any in the noted groups.

        `kg-pipeline ui` starts the webserver and the daemon each in a process group of its own;
        their code servers and run workers join those groups.
        """
        alive: dict[int, str] = {}
        for proc in psutil.process_iter(["pid", "cmdline", "status"]):
            try:
                noted = any(proc.pid == d.pid and d.is_running() for d in self._descendants)
                grouped = os.getpgid(proc.pid) in self._groups
            except (psutil.Error, ProcessLookupError):
                continue
            if (noted or grouped) and proc.info["status"] != psutil.STATUS_ZOMBIE:
                alive[proc.pid] = " ".join(proc.info["cmdline"] or [])[:160]
        return [f"pid {pid}: {cmdline}" for pid, cmdline in sorted(alive.items())]

    def kill(self) -> None:
        """Last resort after a failed stop: SIGKILL the command and everything it started."""
        if self.process.poll() is None:
            self.remember_descendants()
        for proc in self._descendants:
            with contextlib.suppress(psutil.Error):
                proc.kill()
        for group in self._groups:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGKILL)
        self.process.kill()
        self.process.wait(5)


class DagsterGraphQL:
    """The webserver's GraphQL endpoint, as the UI's pages call it."""

    def __init__(self, url: str) -> None:
        self.endpoint = f"{url}/graphql"

    def query(self, query: str, **variables: Any) -> dict[str, Any]:
        body = json.dumps({"query": query, "variables": variables}).encode()
        request = Request(self.endpoint, body, {"Content-Type": "application/json"})
        with urlopen(request, timeout=30) as response:
            payload = json.load(response)
        if payload.get("errors"):
            raise AssertionError(f"GraphQL errors: {payload['errors']}")
        return payload["data"]

    def code_location_status(self, name: str) -> str:
        """`LOADED`, or the load error of the code location."""
        data = self.query(
            """{ workspaceOrError { ... on Workspace { locationEntries {
                 name loadStatus
                 locationOrLoadError { __typename ... on PythonError { message } } } } } }"""
        )
        for entry in data["workspaceOrError"]["locationEntries"]:
            if entry["name"] == name:
                error = entry["locationOrLoadError"] or {}
                return error.get("message") or entry["loadStatus"]
        return f"no code location {name}"

    def launch_job(self, location: str, job: str) -> str:
        """Launch a job with its own (baked-in) run config; return the run id."""
        data = self.query(
            """mutation Launch($params: ExecutionParams!) {
                 launchRun(executionParams: $params) {
                   __typename
                   ... on LaunchRunSuccess { run { runId } }
                   ... on PythonError { message }
                   ... on RunConfigValidationInvalid { errors { message } }
                   ... on InvalidSubsetError { message }
                   ... on UnauthorizedError { message }
                 } }""",
            params={
                "selector": {
                    "repositoryLocationName": location,
                    "repositoryName": "__repository__",
                    "jobName": job,
                }
            },
        )
        result = data["launchRun"]
        if result["__typename"] != "LaunchRunSuccess":
            raise AssertionError(f"launching {job} failed: {result}")
        return result["run"]["runId"]

    def run_status(self, run_id: str) -> str:
        data = self.query(
            "query Run($id: ID!) { runOrError(runId: $id) { ... on Run { status } } }",
            id=run_id,
        )
        return data["runOrError"]["status"]

    def wait_for_run(self, run_id: str, timeout_s: float) -> str:
        """Poll until the run ends; return its last status (not terminal on timeout)."""
        deadline = time.monotonic() + timeout_s
        status = self.run_status(run_id)
        while status not in TERMINAL_RUN_STATUSES and time.monotonic() < deadline:
            time.sleep(1)
            status = self.run_status(run_id)
        return status

    def run_errors(self, run_id: str) -> list[str]:
        """One line per error event of the run: step, message and the chain of causes."""
        errors: list[str] = []
        cursor: str | None = None
        while True:
            data = self.query(
                """query Events($id: ID!, $cursor: String) { runOrError(runId: $id) {
                     ... on Run { eventConnection(afterCursor: $cursor) { cursor hasMore events {
                       __typename
                       ... on MessageEvent { message stepKey level }
                       ... on ErrorEvent { error { message causes { message } } }
                     } } } } }""",
                id=run_id,
                cursor=cursor,
            )
            connection = data["runOrError"]["eventConnection"]
            for event in connection["events"]:
                # Error events (with or without a Python error, e.g. a worker that died), not
                # the "Dependencies ... failed. Not executing." log lines that follow them.
                if "error" not in event or (event["error"] is None and event["level"] != "ERROR"):
                    continue
                error = event["error"]
                chain = [event["message"]]
                if error:
                    chain += [error["message"], *(cause["message"] for cause in error["causes"])]
                text = " <- ".join(_first_line(message) for message in chain if message.strip())
                errors.append(f"[{event.get('stepKey') or 'run'}] {text}")
            if not connection["hasMore"]:
                return errors
            cursor = connection["cursor"]

    def run_job_and_tags(self, run_id: str) -> tuple[str, dict[str, str]]:
        """The run's job name and its tags."""
        data = self.query(
            """query Run($id: ID!) { runOrError(runId: $id) {
                 ... on Run { jobName tags { key value } } } }""",
            id=run_id,
        )
        run = data["runOrError"]
        return run["jobName"], {tag["key"]: tag["value"] for tag in run["tags"]}

    def run_materializations(self, run_id: str) -> list[str]:
        """The asset names the run materialised, one per materialization event, in order."""
        data = self.query(
            """query Run($id: ID!) { runOrError(runId: $id) {
                 ... on Run { assetMaterializations { assetKey { path } } } } }""",
            id=run_id,
        )
        events = data["runOrError"]["assetMaterializations"]
        return ["/".join(event["assetKey"]["path"]) for event in events]

    def latest_materialization_runs(self) -> dict[str, str | None]:
        """Every asset of the workspace and the run of its latest materialization (or None)."""
        data = self.query(
            """{ assetNodes { assetKey { path } assetMaterializations(limit: 1) { runId } } }"""
        )
        return {
            "/".join(node["assetKey"]["path"]): (
                node["assetMaterializations"][0]["runId"] if node["assetMaterializations"] else None
            )
            for node in data["assetNodes"]
        }

    def latest_materialization(self, asset: str) -> dict[str, Any] | None:
        """The asset's latest materialization: run id, timestamp and boolean metadata."""
        data = self.query(
            """query Asset($key: AssetKeyInput!) { assetOrError(assetKey: $key) {
                 ... on Asset { assetMaterializations(limit: 1) {
                   runId timestamp
                   metadataEntries { label ... on BoolMetadataEntry { boolValue } } } } } }""",
            key={"path": [asset]},
        )
        materializations = data["assetOrError"].get("assetMaterializations") or []
        return materializations[0] if materializations else None

    def schedule_state(self, location: str, schedule: str) -> dict[str, str]:
        """The schedule's instigation state: `id` and `status` (RUNNING or STOPPED)."""
        data = self.query(
            """query Schedule($selector: ScheduleSelector!) {
                 scheduleOrError(scheduleSelector: $selector) {
                   __typename
                   ... on Schedule { scheduleState { id status } }
                   ... on PythonError { message }
                   ... on ScheduleNotFoundError { message } } }""",
            selector={
                "repositoryLocationName": location,
                "repositoryName": "__repository__",
                "scheduleName": schedule,
            },
        )
        result = data["scheduleOrError"]
        if result["__typename"] != "Schedule":
            raise AssertionError(f"schedule {schedule}: {result}")
        return result["scheduleState"]

    def wait_for_schedule_status(
        self, location: str, schedule: str, status: str, timeout_s: float = 30
    ) -> str:
        """Poll until the schedule's status is `status`; return the last one seen.

        A click on the UI's switch shows the new state before the mutation behind it returns.
        """
        deadline = time.monotonic() + timeout_s
        seen = self.schedule_state(location, schedule)["status"]
        while seen != status and time.monotonic() < deadline:
            time.sleep(0.5)
            seen = self.schedule_state(location, schedule)["status"]
        return seen

    def stop_schedule(self, location: str, schedule: str) -> None:
        """Turn the schedule off (the UI switch's mutation)."""
        state_id = self.schedule_state(location, schedule)["id"]
        data = self.query(
            """mutation Stop($id: String!) { stopRunningSchedule(id: $id) {
                 __typename ... on PythonError { message } } }""",
            id=state_id,
        )
        result = data["stopRunningSchedule"]
        if result["__typename"] != "ScheduleStateResult":
            raise AssertionError(f"stopping {schedule} failed: {result}")

    def daemon_healthy(self, daemon_type: str) -> bool:
        """Whether the instance's daemon of this type (e.g. SCHEDULER) heartbeats."""
        data = self.query(
            """query Daemon($type: String!) { instance { daemonHealth {
                 daemonStatus(daemonType: $type) { healthy } } } }""",
            type=daemon_type,
        )
        return bool(data["instance"]["daemonHealth"]["daemonStatus"]["healthy"])


def _first_line(message: str) -> str:
    return message.strip().splitlines()[0]
