"""`kg-pipeline ui`: the Dagster webserver and daemon as two child processes.

Each child gets its own session (process group) with SIGINT/SIGTERM reset to their defaults: a
process started in the background by a non-interactive shell inherits SIGINT as ignored, and
Dagster copies that handler onto SIGTERM, so otherwise neither signal would stop it. We stop
both children by process group on Ctrl-C, SIGTERM or when either of them exits, and return only
when every process of both groups (their code servers and run workers too) has exited.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.error import URLError
from urllib.request import urlopen

from kg_pipeline.project_files import WORKSPACE


def _reset_signals() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _spawn(args: list[str], cwd: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(args, cwd=cwd, start_new_session=True, preexec_fn=_reset_signals)


def _stop(processes: list[subprocess.Popen[bytes]], timeout_s: float = 10.0) -> None:
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    for process in processes:
        try:
            process.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    # The rest of each group (code servers, run workers) got the same SIGTERM but may still be
    # shutting down after its leader exited: return only once they are gone too.
    groups = [process.pid for process in processes]
    while any(map(_group_running, groups)) and time.monotonic() < deadline:
        time.sleep(0.1)
    for group in filter(_group_running, groups):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)


def _group_running(pgid: int) -> bool:
    """Whether a process of the group is alive; zombies awaiting their reaper do not count."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    proc = Path("/proc")
    if not proc.is_dir():
        return True
    for stat in proc.glob("[0-9]*/stat"):
        try:
            # Fields after the parenthesised command name: state, ppid, pgrp, ...
            state, _, pgrp = stat.read_text().rsplit(")", 1)[1].split()[:3]
        except (OSError, IndexError, ValueError):
            continue
        if int(pgrp) == pgid and state != "Z":
            return True
    return False


def wait_until_serving(url: str, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with urlopen(f"{url}/server_info", timeout=2) as response:
                if response.status == 200:
                    return True
        except (URLError, OSError):
            pass
        time.sleep(0.25)
    return False


def run_ui(host: str, port: int, workspace: Path = WORKSPACE) -> int:
    """Serve the UI until interrupted; return the exit code (call `prepare_environment` first)."""
    bin_dir = Path(sys.executable).parent
    # Code servers put their working directory first on sys.path: DAGSTER_HOME holds no Python
    # package, so whichever directory the command runs from, the installed kg_pipeline is loaded.
    cwd = Path(os.environ["DAGSTER_HOME"])
    webserver = _spawn(
        [str(bin_dir / "dagster-webserver"), "-w", str(workspace), "-h", host, "-p", str(port)],
        cwd,
    )
    daemon = _spawn([str(bin_dir / "dagster-daemon"), "run", "-w", str(workspace)], cwd)
    processes = [webserver, daemon]
    url = f"http://{host}:{port}"

    stopping = False

    def request_stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        if wait_until_serving(url, timeout_s=60):
            print(f"Dagster UI: {url}  (Ctrl-C stops the webserver and the daemon)", flush=True)
        while not stopping and all(p.poll() is None for p in processes):
            time.sleep(0.2)
    finally:
        _stop(processes)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    crashed = [p for p in processes if p.returncode not in (0, -signal.SIGTERM, None)]
    return 1 if crashed and not stopping else 0
