"""A local HTTP emulator of every upstream, serving a snapshot directory with injectable faults.

Tests and benchmarks point live-mode code at it (`KG_UPSTREAM_URL=<emulator.url>`), so the real
retry, timeout and rate-limit code runs without the network and without patched clients.
"""

from __future__ import annotations

from kg_pipeline.devtools.emulator.faults import FAULT_DEFAULTS, JUNK_LINE
from kg_pipeline.devtools.emulator.server import RequestRecord, UpstreamEmulator, serve

__all__ = ["FAULT_DEFAULTS", "JUNK_LINE", "RequestRecord", "UpstreamEmulator", "serve"]
