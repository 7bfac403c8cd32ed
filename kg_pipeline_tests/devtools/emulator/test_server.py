"""The emulator as any HTTP client sees it: files at the upstream URL paths, faults on request,
and a request log. Spoken to with the standard library's raw `http.client`, so these tests check
the wire, not our fetcher."""

from __future__ import annotations

import gzip
import hashlib
import http.client
import json
import socket
import threading
from pathlib import Path

import pytest

from kg_pipeline.devtools.emulator import JUNK_LINE, UpstreamEmulator
from kg_pipeline_tests.devtools.emulator.snapshots import (
    GENCC_EXPORT,
    GENCC_NEW,
    GNOMAD_TSV,
    PANELS,
    STRING_GZ,
    Snapshot,
)


class Answer:
    def __init__(self, response: http.client.HTTPResponse, body: bytes) -> None:
        self.status = response.status
        self.headers = response.headers
        self.body = body


def get(
    emulator: UpstreamEmulator,
    target: str,
    *,
    method: str = "GET",
    timeout: float = 5.0,
    headers: dict[str, str] | None = None,
):
    port = int(emulator.url.rsplit(":", 1)[1])
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, target, headers=headers or {})
        response = connection.getresponse()
        return Answer(response, response.read())
    finally:
        connection.close()


def test_serves_snapshot_files_at_upstream_paths(
    emulator: UpstreamEmulator, snapshot: Snapshot
) -> None:
    answer = get(emulator, f"/gnomad/{GNOMAD_TSV}")
    expected = snapshot.bytes("gnomad", GNOMAD_TSV)
    assert answer.status == 200
    assert answer.body == expected
    assert answer.headers["Content-Length"] == str(len(expected))
    assert answer.headers["Content-Type"].startswith("text/plain")
    assert answer.headers["Last-Modified"] and answer.headers["ETag"]

    gz = get(emulator, f"/string/{STRING_GZ}")
    assert gz.headers["Content-Type"] == "application/gzip"
    assert gz.body == snapshot.bytes("string", STRING_GZ)


def test_page_query_selects_the_page_file(emulator: UpstreamEmulator) -> None:
    answer = get(emulator, f"/panelapp_uk/{PANELS}?page=2&format=json")
    assert answer.headers["Content-Type"] == "application/json"
    assert json.loads(answer.body)["results"] == [{"id": 3}]


def test_a_query_selects_the_file_named_with_it(
    emulator: UpstreamEmulator, snapshot: Snapshot
) -> None:
    assert get(emulator, f"/gencc/{GENCC_NEW}").body == snapshot.bytes("gencc", GENCC_NEW)
    assert get(emulator, f"/gencc/{GENCC_EXPORT}").body == snapshot.bytes("gencc", GENCC_EXPORT)
    # A query no file is named with is ignored, like PubTator's search text.
    other = get(emulator, f"/gencc/{GENCC_EXPORT}?format=xlsx")
    assert other.body == snapshot.bytes("gencc", GENCC_EXPORT)
    # A fault on the path hits every file under it; one on the query file only that file.
    emulator.inject("gencc", "server_error", path=GENCC_NEW)
    assert get(emulator, f"/gencc/{GENCC_EXPORT}").status == 200
    assert get(emulator, f"/gencc/{GENCC_NEW}").status == 503
    emulator.inject("gencc", "server_error", path=GENCC_EXPORT)
    assert get(emulator, f"/gencc/{GENCC_NEW}").status == 503


def test_unknown_paths_and_escapes_are_404(emulator: UpstreamEmulator) -> None:
    for target in (
        "/gnomad/missing.tsv",
        "/panelapp_uk/api/v1/panels/?page=9",
        "/gnomad/../hpo/hp.obo",
        "/gnomad/%2e%2e/%2e%2e/etc/passwd",
        "/",
    ):
        assert get(emulator, target).status == 404, target
    assert get(emulator, f"/panelapp_uk/{PANELS}?page=two").status == 400


def test_head_sends_headers_only(emulator: UpstreamEmulator, snapshot: Snapshot) -> None:
    answer = get(emulator, "/hpo/hp.obo", method="HEAD")
    assert answer.status == 200
    assert answer.headers["Content-Length"] == str(len(snapshot.bytes("hpo", "hp.obo")))
    assert answer.body == b""


def test_request_log_records_each_request(emulator: UpstreamEmulator) -> None:
    get(emulator, "/hpo/hp.obo")
    get(emulator, f"/panelapp_uk/{PANELS}?page=1", headers={"Cookie": "a=b"})
    get(emulator, "/hpo/nothing")

    records = emulator.requests
    assert [(r.upstream, r.path, r.query, r.status) for r in records] == [
        ("hpo", "hp.obo", {}, 200),
        ("panelapp_uk", PANELS, {"page": "1"}, 200),
        ("hpo", "nothing", {}, 404),
    ]
    assert "Cookie" not in records[0].headers and records[1].headers["Cookie"] == "a=b"
    assert records[0].time <= records[1].time <= records[2].time
    assert [r.path for r in emulator.requests_for("hpo")] == ["hp.obo", "nothing"]


def test_faults_apply_to_the_next_matching_requests_only(emulator: UpstreamEmulator) -> None:
    emulator.inject("hpo", "server_error", times=2, status=500, path="hp.obo")
    assert get(emulator, "/gnomad/missing").status == 404  # other upstream: untouched
    assert get(emulator, "/hpo/other.obo").status == 404  # other path: untouched
    assert [get(emulator, "/hpo/hp.obo").status for _ in range(3)] == [500, 500, 200]


def test_forever_faults_last_until_cleared(emulator: UpstreamEmulator) -> None:
    emulator.inject("hpo", "server_error", times=-1)
    assert [get(emulator, "/hpo/hp.obo").status for _ in range(3)] == [503, 503, 503]
    emulator.clear_faults()
    assert get(emulator, "/hpo/hp.obo").status == 200


def test_fault_on_one_page_leaves_the_others(emulator: UpstreamEmulator) -> None:
    emulator.inject("panelapp_uk", "server_error", times=-1, path=f"{PANELS}page-2")
    assert get(emulator, f"/panelapp_uk/{PANELS}?page=1").status == 200
    assert get(emulator, f"/panelapp_uk/{PANELS}?page=2").status == 503


def test_forbidden_refuses_like_a_cdn(emulator: UpstreamEmulator) -> None:
    emulator.inject("descartes", "forbidden", times=-1)
    assert get(emulator, "/descartes/tissue_tpm/kidney.csv").status == 403
    assert get(emulator, "/descartes/tissue_tpm/kidney.csv", method="HEAD").status == 403
    assert emulator.bytes_sent("descartes") == len(b"Forbidden\n")


def test_rate_limit_sends_retry_after(emulator: UpstreamEmulator) -> None:
    emulator.inject("gnomad", "rate_limit", retry_after=7)
    answer = get(emulator, f"/gnomad/{GNOMAD_TSV}")
    assert (answer.status, answer.headers["Retry-After"]) == (429, "7")


def test_truncate_announces_the_full_length_but_sends_part(
    emulator: UpstreamEmulator, snapshot: Snapshot
) -> None:
    full = snapshot.bytes("gnomad", GNOMAD_TSV)
    emulator.inject("gnomad", "truncate", fraction=0.25)
    with pytest.raises(http.client.IncompleteRead) as caught:
        get(emulator, f"/gnomad/{GNOMAD_TSV}")
    assert caught.value.partial == full[: len(full) // 4]
    assert caught.value.expected == len(full) - len(full) // 4


def test_truncate_without_content_length_just_stops(
    emulator: UpstreamEmulator, snapshot: Snapshot
) -> None:
    full = snapshot.bytes("string", STRING_GZ)
    emulator.inject("string", "truncate", content_length=False)
    answer = get(emulator, f"/string/{STRING_GZ}")
    assert "Content-Length" not in answer.headers
    assert answer.body == full[: len(full) // 2]


def test_malformed_text_gets_junk_rows(emulator: UpstreamEmulator, snapshot: Snapshot) -> None:
    good = snapshot.bytes("gnomad", GNOMAD_TSV).splitlines()
    emulator.inject("gnomad", "malformed")
    answer = get(emulator, f"/gnomad/{GNOMAD_TSV}")
    bad = answer.body.splitlines()

    assert answer.headers["Content-Length"] == str(len(answer.body))
    assert len(bad) == len(good) and bad[0] == good[0]
    assert [i for i, line in enumerate(bad) if line == JUNK_LINE] == [10, 20]
    assert all(bad[i] == good[i] for i in range(len(good)) if i not in (10, 20))


def test_malformed_gz_is_still_valid_gzip_with_junk_inside(
    emulator: UpstreamEmulator, snapshot: Snapshot
) -> None:
    emulator.inject("string", "malformed", every=1000)
    lines = gzip.decompress(get(emulator, f"/string/{STRING_GZ}").body).splitlines()
    good = gzip.decompress(snapshot.bytes("string", STRING_GZ)).splitlines()
    assert len(lines) == len(good)
    assert lines.count(JUNK_LINE) == 4


def test_malformed_json_is_cut_off(emulator: UpstreamEmulator) -> None:
    emulator.inject("panelapp_uk", "malformed")
    body = get(emulator, f"/panelapp_uk/{PANELS}?page=1").body
    with pytest.raises(json.JSONDecodeError):
        json.loads(body)
    assert body.startswith(b'{"count": 3')


def test_empty_is_a_200_without_body(emulator: UpstreamEmulator) -> None:
    emulator.inject("hpo", "empty")
    answer = get(emulator, "/hpo/hp.obo")
    assert (answer.status, answer.headers["Content-Length"], answer.body) == (200, "0", b"")


def test_down_closes_without_answering(emulator: UpstreamEmulator) -> None:
    emulator.inject("hpo", "down")
    with pytest.raises(http.client.RemoteDisconnected):
        get(emulator, "/hpo/hp.obo")
    assert [r.status for r in emulator.requests_for("hpo")] == [None]
    assert get(emulator, "/hpo/hp.obo").status == 200


def test_slow_delays_the_answer(emulator: UpstreamEmulator) -> None:
    emulator.inject("hpo", "slow", delay=1.0)
    with pytest.raises(TimeoutError):
        get(emulator, "/hpo/hp.obo", timeout=0.2)
    assert get(emulator, "/hpo/hp.obo").status == 200


def test_bad_injections_are_refused(emulator: UpstreamEmulator) -> None:
    with pytest.raises(ValueError, match="unknown fault"):
        emulator.inject("hpo", "explode")
    with pytest.raises(ValueError, match="takes options retry_after"):
        emulator.inject("hpo", "rate_limit", retry_afer=3)
    with pytest.raises(ValueError, match="5xx"):
        emulator.inject("hpo", "server_error", status=404)
    with pytest.raises(ValueError, match="times"):
        emulator.inject("hpo", "down", times=0)


def test_stop_is_clean_even_with_a_request_waiting(
    snapshot: Snapshot, capsys: pytest.CaptureFixture[str]
) -> None:
    emulator = UpstreamEmulator(snapshot.root).start()
    emulator.inject("hpo", "slow", delay=60)
    outcome: list[BaseException | int] = []

    def waiting_client() -> None:
        try:
            outcome.append(get(emulator, "/hpo/hp.obo", timeout=30).status)
        except (OSError, http.client.HTTPException) as exc:
            outcome.append(exc)

    client = threading.Thread(target=waiting_client)
    client.start()
    while not emulator.requests and client.is_alive():
        threading.Event().wait(0.01)  # until the slow request has arrived
    emulator.inject("gnomad", "down")
    with pytest.raises(http.client.RemoteDisconnected):
        get(emulator, f"/gnomad/{GNOMAD_TSV}")
    emulator.stop()
    client.join(timeout=10)

    assert not client.is_alive()
    assert isinstance(outcome[0], http.client.RemoteDisconnected)
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", int(emulator.url.rsplit(":", 1)[1])), timeout=2)
    assert capsys.readouterr().err == ""


def test_url_is_known_before_start(snapshot: Snapshot) -> None:
    emulator = UpstreamEmulator(Path(snapshot.root))
    try:
        assert emulator.url.startswith("http://127.0.0.1:")
        assert not emulator.url.endswith(":0")
    finally:
        emulator.stop()


# -- validators and conditional requests -----------------------------------------------------


def test_etag_is_the_files_sha256(emulator: UpstreamEmulator, snapshot: Snapshot) -> None:
    answer = get(emulator, f"/gnomad/{GNOMAD_TSV}")
    digest = hashlib.sha256(snapshot.bytes("gnomad", GNOMAD_TSV)).hexdigest()
    assert answer.headers["ETag"] == f'"{digest}"'


def test_validators_that_hold_get_304_without_a_body(emulator: UpstreamEmulator) -> None:
    first = get(emulator, f"/gnomad/{GNOMAD_TSV}")
    sent = emulator.bytes_sent()
    assert sent == len(first.body) > 0

    by_etag = get(
        emulator, f"/gnomad/{GNOMAD_TSV}", headers={"If-None-Match": first.headers["ETag"]}
    )
    by_date = get(
        emulator,
        f"/gnomad/{GNOMAD_TSV}",
        headers={"If-Modified-Since": first.headers["Last-Modified"]},
    )
    assert (by_etag.status, by_etag.body) == (304, b"")
    assert (by_date.status, by_date.body) == (304, b"")
    assert by_etag.headers["ETag"] == first.headers["ETag"]
    assert emulator.bytes_sent() == sent
    assert emulator.bytes_sent("gnomad") == sent and emulator.bytes_sent("hpo") == 0


def test_validators_that_no_longer_hold_get_the_file(
    emulator: UpstreamEmulator, snapshot: Snapshot
) -> None:
    expected = snapshot.bytes("gnomad", GNOMAD_TSV)
    other_tag = get(emulator, f"/gnomad/{GNOMAD_TSV}", headers={"If-None-Match": '"abc"'})
    long_ago = get(
        emulator,
        f"/gnomad/{GNOMAD_TSV}",
        headers={"If-Modified-Since": "Sat, 01 Jan 2000 00:00:00 GMT"},
    )
    # If-None-Match decides when both are sent, even if the date alone would say "unchanged".
    both = get(
        emulator,
        f"/gnomad/{GNOMAD_TSV}",
        headers={"If-None-Match": '"abc"', "If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"},
    )
    assert [a.status for a in (other_tag, long_ago, both)] == [200, 200, 200]
    assert other_tag.body == long_ago.body == both.body == expected
    assert emulator.bytes_sent() == 3 * len(expected)


def test_a_file_changed_in_the_snapshot_gets_a_new_etag(
    emulator: UpstreamEmulator, snapshot: Snapshot
) -> None:
    before = get(emulator, f"/gnomad/{GNOMAD_TSV}")
    path = snapshot.file("gnomad", GNOMAD_TSV)
    path.write_bytes(path.read_bytes() + b"GENE99\tENST99\t0.5\t1.5\t0.1\n")
    after = get(
        emulator, f"/gnomad/{GNOMAD_TSV}", headers={"If-None-Match": before.headers["ETag"]}
    )
    assert after.status == 200 and after.body == path.read_bytes()
    assert after.headers["ETag"] != before.headers["ETag"]


def test_a_body_fault_ignores_validators(emulator: UpstreamEmulator) -> None:
    tag = get(emulator, f"/gnomad/{GNOMAD_TSV}").headers["ETag"]
    emulator.inject("gnomad", "malformed", every=2)
    answer = get(emulator, f"/gnomad/{GNOMAD_TSV}", headers={"If-None-Match": tag})
    assert answer.status == 200 and JUNK_LINE in answer.body


def test_no_request_reads_outside_the_snapshot(
    emulator: UpstreamEmulator, snapshot: Snapshot
) -> None:
    # A file beside the snapshot, and one inside it to show the same request shape serves.
    secret = b"outside the snapshot\n"
    (snapshot.root.parent / "secret.txt").write_bytes(secret)
    (snapshot.root / "gnomad" / "inside.txt").write_bytes(b"inside\n")
    assert get(emulator, "/gnomad/inside.txt").body == b"inside\n"
    escapes = [
        "/gnomad/../../secret.txt",
        "/gnomad/%2e%2e/%2e%2e/secret.txt",
        "/gnomad/%2E%2E%2F%2E%2E%2Fsecret.txt",
        "/gnomad/..%2f..%2fsecret.txt",
        "/%2e%2e/secret.txt",
        "/../secret.txt",
        "/gnomad/%2e%2e/%2e%2e/secret.txt?page=1",
        "/gnomad/x?format=/../../../secret.txt",
        f"/gnomad/{snapshot.root.parent / 'secret.txt'}",
        f"/gnomad/{'%2f'.join(str(snapshot.root.parent / 'secret.txt').split('/'))}",
        f"/{snapshot.root.parent}/secret.txt",
    ]
    # A raw socket, so nothing normalises `..` on the way (http.client sends it as it is too).
    port = int(emulator.url.rsplit(":", 1)[1])
    for target in escapes:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
            conn.sendall(f"GET {target} HTTP/1.0\r\nHost: x\r\n\r\n".encode())
            answer = b""
            while chunk := conn.recv(65536):
                answer += chunk
        assert answer.startswith(b"HTTP/1.1 404"), (target, answer[:80])
        assert secret not in answer, target
