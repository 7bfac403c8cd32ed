"""Memory sampling while the rebuild runs: the RSS of this process and its children, on a
background thread every 50 ms, kept so peaks can be attributed to steps afterwards; and the
background-thread base the sampler shares with the progress reporter.
"""

from __future__ import annotations

import contextlib
import threading
import time
from typing import Any, Self

from kg_pipeline.devtools.bench.options import BenchError

SAMPLE_INTERVAL_S = 0.05
# Finding the children means scanning every process in /proc; reading a known process's RSS is
# one small file. Rescanning once a second keeps the sampler itself off the 2 cores.
CHILDREN_RESCAN_EVERY = 20


class BackgroundThread:
    """A daemon thread running `_run` between `__enter__` and `stop()` (idempotent)."""

    def __init__(self, name: str) -> None:
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join()

    def _run(self) -> None:
        raise NotImplementedError


class MemorySampler(BackgroundThread):
    """Samples the RSS of this process plus all its children on a thread, every 50 ms.

    Keeps every (wall time, bytes) sample so peaks can be attributed to steps afterwards; a
    three-minute run is a few thousand pairs. Use as a context manager; `stop()` is idempotent.
    """

    def __init__(self, interval_s: float = SAMPLE_INTERVAL_S) -> None:
        try:
            import psutil
        except ImportError as exc:
            raise BenchError(
                "kg-pipeline bench needs psutil to sample memory: reinstall the project "
                '(pip install -e ".[test]")'
            ) from exc
        self._psutil = psutil
        self._process = psutil.Process()
        self.interval_s = interval_s
        self.samples: list[tuple[float, int]] = []
        """(wall time, RSS of the process and its children)."""
        self.peak_self_rss = 0
        self.children_seen: set[str] = set()
        """`name[pid]` of every child process sampled, so the report says what "children" was."""
        super().__init__("bench-memory")

    def _run(self) -> None:
        psutil = self._psutil
        children: list[Any] = []
        tick = 0
        while True:
            if tick % CHILDREN_RESCAN_EVERY == 0:
                try:
                    children = self._process.children(recursive=True)
                except psutil.Error:
                    children = []
                # Named once per rescan: reading a name is another file per child per sample.
                for child in children:
                    with contextlib.suppress(psutil.Error):
                        self.children_seen.add(f"{child.name()}[{child.pid}]")
            own = self._process.memory_info().rss
            rss = own
            for child in children:
                with contextlib.suppress(psutil.Error):
                    rss += child.memory_info().rss
            self.peak_self_rss = max(self.peak_self_rss, own)
            self.samples.append((time.time(), rss))
            tick += 1
            if self._stopping.wait(self.interval_s):
                return

    def current(self) -> int:
        return self.samples[-1][1] if self.samples else 0

    def peak(self) -> tuple[float, int]:
        """(wall time, bytes) of the highest sample."""
        return max(self.samples, key=lambda sample: sample[1], default=(0.0, 0))

    def peak_between(self, start: float, end: float) -> int | None:
        # A step shorter than the interval may fall between samples: take the next one too.
        inside = [rss for t, rss in self.samples if start <= t <= end + self.interval_s]
        return max(inside) if inside else None
