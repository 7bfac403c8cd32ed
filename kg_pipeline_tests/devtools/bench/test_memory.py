"""The bench's memory sampler: this process plus its children, sampled on a thread."""

from __future__ import annotations

import subprocess
import sys
import time

from kg_pipeline.devtools.bench.memory import MemorySampler


def test_samples_count_a_child_process_and_name_it() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        with MemorySampler(interval_s=0.01) as sampler:
            deadline = time.monotonic() + 10
            while len(sampler.samples) < 5 and time.monotonic() < deadline:
                time.sleep(0.01)
        assert len(sampler.samples) >= 5
        assert any(seen.endswith(f"[{child.pid}]") for seen in sampler.children_seen)
        # The child's RSS is added to this process's own.
        _, peak = sampler.peak()
        assert peak > sampler.peak_self_rss > 0
    finally:
        child.kill()
        child.wait()


def test_a_step_between_two_samples_gets_the_next_one() -> None:
    sampler = MemorySampler(interval_s=0.05)
    sampler.samples = [(10.0, 100), (10.05, 300), (10.10, 200)]
    assert sampler.peak_between(10.01, 10.02) == 300
    assert sampler.peak_between(20.0, 21.0) is None
    assert sampler.peak() == (10.05, 300)
