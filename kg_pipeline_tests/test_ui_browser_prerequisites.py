"""The browser test without a Chromium executable under `CI=true` (as `.ci/run` sets): it fails,
naming what to install, instead of skipping, so CI never drops it quietly. (Without `CI` it
skips with the same words, as a run of the suite on a machine without Chromium shows.)

pytest runs `test_ui_browser.py` in a subprocess whose PATH holds no Chromium; the test stops
at its first fixture, before any server, database or snapshot is made.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
REASON = "no Chromium executable (/usr/bin/chromium): apt-get install chromium chromium-driver"


def test_under_ci_the_browser_test_without_chromium_fails(tmp_path: Path) -> None:
    env = {**os.environ, "CI": "true", "PATH": str(tmp_path), "PYTHONPATH": str(REPO_ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-rsE", "-p", "no:cacheprovider",
         str(REPO_ROOT / "kg_pipeline_tests" / "test_ui_browser.py")],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip

    assert result.returncode == 1, result.stdout[-3000:]
    assert "1 error" in result.stdout and "skipped" not in result.stdout
    assert f"{REASON}, as .ci/run does; CI=true, so the browser test must not skip" in (
        result.stdout
    )
