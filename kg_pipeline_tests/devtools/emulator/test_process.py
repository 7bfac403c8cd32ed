"""The emulator in a child process, as the benchmarks run it: it serves the snapshot over HTTP
and answers for its request log and byte count across the process boundary."""

from __future__ import annotations

import os

import requests

from kg_pipeline.devtools.emulator.process import EmulatorProcess
from kg_pipeline_tests.devtools.emulator.snapshots import GNOMAD_TSV, Snapshot


def test_serves_from_its_own_process_and_reports_what_it_was_asked(snapshot: Snapshot) -> None:
    with EmulatorProcess(snapshot.root) as emulator:
        process = emulator._process
        assert process is not None and process.pid != os.getpid()
        answer = requests.get(f"{emulator.url}/gnomad/{GNOMAD_TSV}", timeout=10)
        missing = requests.get(f"{emulator.url}/hpo/nothing", timeout=10)
        records = emulator.requests
        sent, to_gnomad = emulator.bytes_sent(), emulator.bytes_sent("gnomad")

    assert answer.status_code == 200 and answer.content == snapshot.bytes("gnomad", GNOMAD_TSV)
    assert missing.status_code == 404
    assert [(r.upstream, r.path, r.status) for r in records] == [
        ("gnomad", GNOMAD_TSV, 200),
        ("hpo", "nothing", 404),
    ]
    assert to_gnomad == len(answer.content) and sent > to_gnomad  # the 404 has a body too
    # Leaving the block stops the child and frees its port.
    assert not process.is_alive()
