"""Fixtures: a tiny snapshot and the emulator serving it (shared with the other test folder)."""

from kg_pipeline_tests.devtools.emulator.snapshots import emulator, snapshot

__all__ = ["emulator", "snapshot"]
