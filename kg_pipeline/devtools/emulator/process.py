"""The emulator in a process of its own, for the benchmarks.

An emulator on a thread of the benchmarked process spends that process's interpreter lock on
serving hundreds of megabytes and thousands of search pages: the rebuild would be timed with the
upstreams' work added to its own. The real upstreams are other machines, so the bench serves
the snapshot from a child process and asks it over a pipe for what it recorded.
"""

from __future__ import annotations

import contextlib
import multiprocessing
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from kg_pipeline.devtools.emulator.server import RequestRecord, UpstreamEmulator

_START_TIMEOUT_S = 60


def _serve(snapshot_dir: str, conn: Connection) -> None:
    """The child: serve `snapshot_dir` and answer the parent's questions until told to stop."""
    with UpstreamEmulator(Path(snapshot_dir)) as emulator:
        conn.send(emulator.url)
        while True:
            question, argument = conn.recv()
            if question == "stop":
                break
            if question == "requests":
                conn.send(emulator.requests)
            elif question == "bytes_sent":
                conn.send(emulator.bytes_sent(argument))
    conn.close()


class EmulatorProcess:
    """`UpstreamEmulator`'s serving and its request log, in a child process (spawned: the
    parent holds threads and database connections a fork would copy). Faults are not offered:
    the benchmarks inject none."""

    def __init__(self, snapshot_dir: Path) -> None:
        self.snapshot_dir = Path(snapshot_dir)
        self._conn: Connection | None = None
        self._process: multiprocessing.process.BaseProcess | None = None
        self.url = ""

    def __enter__(self) -> EmulatorProcess:
        context = multiprocessing.get_context("spawn")
        parent, child = context.Pipe()
        self._process = context.Process(
            target=_serve, args=(str(self.snapshot_dir), child), name="upstream-emulator"
        )
        self._process.start()
        child.close()
        self._conn = parent
        try:
            if not parent.poll(_START_TIMEOUT_S):
                raise RuntimeError(f"the emulator process did not start in {_START_TIMEOUT_S} s")
            self.url = parent.recv()
        except EOFError:
            self._process.join(5)
            self.__exit__()
            raise RuntimeError(
                f"the emulator process exited before serving {self.snapshot_dir} "
                "(its error is printed above)"
            ) from None
        except RuntimeError:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._conn is not None:
            with contextlib.suppress(OSError):  # the child is gone already
                self._conn.send(("stop", None))
            self._conn.close()
            self._conn = None
        if self._process is not None:
            self._process.join(10)
            if self._process.is_alive():
                self._process.kill()
                self._process.join()
            self._process = None

    def _ask(self, question: str, argument: Any = None) -> Any:
        if self._conn is None:
            raise RuntimeError("the emulator process is not running")
        self._conn.send((question, argument))
        return self._conn.recv()

    @property
    def requests(self) -> list[RequestRecord]:
        """Every request so far, in arrival order."""
        return self._ask("requests")

    def requests_for(self, upstream: str) -> list[RequestRecord]:
        return [r for r in self.requests if r.upstream == upstream]

    def bytes_sent(self, upstream: str | None = None) -> int:
        """Body bytes sent so far, to every upstream's clients or to `upstream`'s."""
        return self._ask("bytes_sent", upstream)
