"""Live mode against the local emulator: the real session, retry, timeout, rate-limit and
integrity code, with faults injected at the server, never by patching the client."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import logging
import re
import stat
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from kg_pipeline.devtools.emulator import UpstreamEmulator
from kg_pipeline.http.live import LiveFetcher, make_session
from kg_pipeline.http.quota import DailyDownloadBudget
from kg_pipeline.http.transport import MEMORY_BYTES, NotModified, UpstreamError
from kg_pipeline_tests.devtools.emulator.snapshots import (
    GENCC_EXPORT,
    GENCC_NEW,
    GNOMAD_TSV,
    GTEX_GZ,
    PANELS,
    PUBTATOR_SEARCH,
    STRING_GZ,
    Snapshot,
)
from kg_pipeline_tests.http.conftest import live_fetcher

MakeLive = Callable[..., LiveFetcher]


@pytest.fixture
def make_live(emulator: UpstreamEmulator) -> Iterator[MakeLive]:
    """Live fetchers aimed at the emulator, with backoffs and timeouts sized for tests."""
    made: list[LiveFetcher] = []

    def make(**overrides: Any) -> LiveFetcher:
        fields: dict[str, Any] = {
            "backoff_base_s": 0.05,
            "backoff_cap_s": 0.2,
            "max_retries": 3,
            "connect_timeout_s": 2.0,
            "read_timeout_s": 2.0,
        }
        fetcher = live_fetcher(emulator.url, **{**fields, **overrides})
        made.append(fetcher)
        return fetcher

    yield make
    for fetcher in made:
        fetcher.close()


@pytest.fixture
def retry_log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.WARNING, logger="kg_pipeline.http")
    return caplog


def statuses(emulator: UpstreamEmulator, upstream: str) -> list[int | None]:
    return [r.status for r in emulator.requests_for(upstream)]


def waits(log: pytest.LogCaptureFixture) -> list[float]:
    return [float(w) for w in re.findall(r"retrying in ([0-9.]+) s", log.text)]


def get_json(fetcher: LiveFetcher, upstream: str, path: str, **request: Any) -> Any:
    """One JSON page, downloaded as a raw asset downloads it."""
    with tempfile.TemporaryDirectory() as scratch:
        fetched = fetcher.download(upstream, path, Path(scratch) / "page", **request)
        return json.loads(fetched.path.read_bytes())


def assert_nothing_left(dest: Path) -> None:
    """A failed download leaves neither the file nor a partial temporary next to it."""
    assert not dest.exists()
    assert not dest.parent.exists() or list(dest.parent.iterdir()) == []


# -- normal service --------------------------------------------------------------------------


def test_download_streams_the_file_with_its_hash(
    make_live: MakeLive, snapshot: Snapshot, emulator: UpstreamEmulator, tmp_path: Path
) -> None:
    dest = tmp_path / "out" / "constraint.tsv"
    fetched = make_live().download("gnomad", GNOMAD_TSV, dest)

    expected = snapshot.bytes("gnomad", GNOMAD_TSV)
    assert dest.read_bytes() == expected
    assert fetched.sha256 == hashlib.sha256(expected).hexdigest()
    assert fetched.size == len(expected)
    assert fetched.path == dest
    assert fetched.relpath == GNOMAD_TSV
    assert fetched.location == f"{emulator.url}/gnomad/{GNOMAD_TSV}"
    assert set(fetched.headers) == {"Last-Modified", "ETag"}


def test_gz_file_is_kept_byte_for_byte(
    make_live: MakeLive, snapshot: Snapshot, tmp_path: Path
) -> None:
    fetched = make_live().download("string", STRING_GZ, tmp_path / "links.txt.gz")
    assert fetched.path.read_bytes() == snapshot.bytes("string", STRING_GZ)
    # What it inflates to was counted as it arrived, for the store's size limit.
    assert fetched.inflated_size == len(gzip.decompress(snapshot.bytes("string", STRING_GZ)))


def test_a_query_in_the_path_is_sent_and_names_the_file(
    make_live: MakeLive, snapshot: Snapshot, emulator: UpstreamEmulator, tmp_path: Path
) -> None:
    fetched = make_live().download("gencc", GENCC_NEW, tmp_path / "export")

    assert fetched.path.read_bytes() == snapshot.bytes("gencc", GENCC_NEW)
    assert fetched.relpath == GENCC_NEW
    assert fetched.location == f"{emulator.url}/gencc/{GENCC_NEW}"
    (request,) = emulator.requests_for("gencc")
    assert (request.path, request.query) == (GENCC_EXPORT, {"format": "new"})


def test_a_query_in_the_path_and_params_both_reach_the_upstream(
    make_live: MakeLive, emulator: UpstreamEmulator, tmp_path: Path
) -> None:
    with pytest.raises(UpstreamError) as caught:
        make_live().download("gencc", "missing?format=new", tmp_path / "x", page=2)

    assert f"{emulator.url}/gencc/missing?format=new&page=2 failed" in str(caught.value)
    (request,) = emulator.requests_for("gencc")
    assert request.query == {"format": "new", "page": "2"}


def test_pages_are_fetched_one_request_each(
    make_live: MakeLive, emulator: UpstreamEmulator
) -> None:
    fetcher = make_live()
    pages = [get_json(fetcher, "panelapp_uk", PANELS, page=n) for n in (1, 2)]

    assert [item["id"] for page in pages for item in page["results"]] == [1, 2, 3]
    assert pages[1]["next"] is None
    seen = emulator.requests_for("panelapp_uk")
    assert [(r.path, r.query) for r in seen] == [
        (PANELS, {"page": "1"}),
        (PANELS, {"page": "2"}),
    ]


def test_each_request_carries_what_the_session_and_environment_give(
    emulator: UpstreamEmulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The headers a request is sent with are the session's, the host's netrc credentials, the
    session's cookies as they are when it is sent, and its validators."""
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login reader password s3cret\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    session = make_session()
    session.cookies.set("session", "abc")
    with live_fetcher(emulator.url, session=session) as fetcher:
        fetcher.download("gnomad", GNOMAD_TSV, tmp_path / "1")
        session.cookies.set("session", "def")
        fetcher.download("gnomad", GNOMAD_TSV, tmp_path / "2", params={"n": "2"})
        with pytest.raises(NotModified):
            fetcher.download(
                "gnomad", GNOMAD_TSV, tmp_path / "3", validators={"If-None-Match": "*"}
            )

    first, second, third = (r.headers for r in emulator.requests_for("gnomad"))
    credentials = "Basic " + base64.b64encode(b"reader:s3cret").decode()
    assert first["Authorization"] == second["Authorization"] == credentials
    assert first["User-Agent"].startswith("kg-pipeline/")
    assert first["Cookie"] == "session=abc"
    assert second["Cookie"] == third["Cookie"] == "session=def"
    assert "If-None-Match" not in second and third["If-None-Match"] == "*"


def test_a_proxy_from_the_environment_is_used(
    snapshot: Snapshot, emulator: UpstreamEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("no_proxy", "NO_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("http_proxy", emulator.url)
    # The upstream's host does not exist: only the proxy (the emulator) can answer.
    with live_fetcher("http://upstream.invalid") as fetcher:
        fetched = fetcher.download("gnomad", GNOMAD_TSV, tmp_path / "x")
    assert fetched.path.read_bytes() == snapshot.bytes("gnomad", GNOMAD_TSV)
    assert len(emulator.requests_for("gnomad")) == 1


# -- faults that retrying fixes ----------------------------------------------------------------


def test_429_waits_for_retry_after_then_succeeds(
    make_live: MakeLive, emulator: UpstreamEmulator, tmp_path: Path, retry_log: Any
) -> None:
    emulator.inject("gnomad", "rate_limit", retry_after=1)
    make_live().download("gnomad", GNOMAD_TSV, tmp_path / "x.tsv")

    first, second = emulator.requests_for("gnomad")
    assert (first.status, second.status) == (429, 200)
    # Backoff alone would come back after 0.05 s (0.2 s with the rate limit).
    assert second.time - first.time >= 1.0
    assert waits(retry_log) == [1.0]
    assert "attempt 1/4 failed: HTTP 429" in retry_log.text


@pytest.mark.parametrize("status", [500, 503])
def test_server_errors_are_retried_then_succeed(
    make_live: MakeLive, emulator: UpstreamEmulator, tmp_path: Path, status: int
) -> None:
    emulator.inject("gnomad", "server_error", times=2, status=status)
    fetched = make_live().download("gnomad", GNOMAD_TSV, tmp_path / "x.tsv")

    assert statuses(emulator, "gnomad") == [status, status, 200]
    assert fetched.size > 0


def test_dropped_connection_is_retried(
    make_live: MakeLive, emulator: UpstreamEmulator, tmp_path: Path
) -> None:
    emulator.inject("gnomad", "down")
    make_live().download("gnomad", GNOMAD_TSV, tmp_path / "x.tsv")
    assert statuses(emulator, "gnomad") == [None, 200]


def test_slow_response_times_out_and_is_retried(
    make_live: MakeLive, emulator: UpstreamEmulator, tmp_path: Path, retry_log: Any
) -> None:
    emulator.inject("hpo", "slow", delay=2.0)
    fetched = make_live(read_timeout_s=0.3).download("hpo", "hp.obo", tmp_path / "hp.obo")

    assert fetched.path.read_bytes().startswith(b"format-version")
    assert "attempt 1/4 failed: no response within the 0.3 s read timeout" in retry_log.text


def test_truncated_body_is_retried(
    make_live: MakeLive,
    snapshot: Snapshot,
    emulator: UpstreamEmulator,
    tmp_path: Path,
    retry_log: Any,
) -> None:
    emulator.inject("gnomad", "truncate")
    fetched = make_live().download("gnomad", GNOMAD_TSV, tmp_path / "x.tsv")

    assert fetched.path.read_bytes() == snapshot.bytes("gnomad", GNOMAD_TSV)
    assert len(emulator.requests_for("gnomad")) == 2
    assert "truncated body" in retry_log.text


def test_a_small_body_is_kept_in_hand_and_a_large_one_only_on_disk(
    make_live: MakeLive, snapshot: Snapshot, tmp_path: Path
) -> None:
    small = make_live().download("gnomad", GNOMAD_TSV, tmp_path / "out" / "small.tsv")
    assert small.content == small.path.read_bytes() == snapshot.bytes("gnomad", GNOMAD_TSV)

    large = bytes(range(256)) * (3 * MEMORY_BYTES // 256)
    (snapshot.root / "gnomad" / "large.bin").write_bytes(large)
    fetched = make_live().download("gnomad", "large.bin", tmp_path / "out" / "large.bin")
    assert fetched.content is None
    assert fetched.path.read_bytes() == large
    # Both read-only, as the raw store keeps them, and nothing else left beside them.
    assert {stat.S_IMODE(f.path.stat().st_mode) for f in (small, fetched)} == {0o444}
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["large.bin", "small.tsv"]
    assert (fetched.size, fetched.sha256) == (len(large), hashlib.sha256(large).hexdigest())


def test_a_retried_large_body_starts_its_file_over(
    make_live: MakeLive, snapshot: Snapshot, emulator: UpstreamEmulator, tmp_path: Path
) -> None:
    """The first attempt is cut after more than the bytes held in memory: the retry's bytes
    replace what the temporary file had, and a failure for good leaves nothing behind."""
    large = bytes(range(256)) * (3 * MEMORY_BYTES // 256)
    (snapshot.root / "gnomad" / "large.bin").write_bytes(large)
    emulator.inject("gnomad", "truncate", fraction=0.6)
    fetched = make_live().download("gnomad", "large.bin", tmp_path / "large.bin")
    assert fetched.path.read_bytes() == large
    assert fetched.sha256 == hashlib.sha256(large).hexdigest()

    emulator.inject("gnomad", "truncate", times=-1, fraction=0.6)
    dest = tmp_path / "again" / "large.bin"
    with pytest.raises(UpstreamError, match="truncated body"):
        make_live(max_retries=1).download("gnomad", "large.bin", dest)
    assert_nothing_left(dest)


# -- conditional requests and download budgets ------------------------------------------------


def test_validators_of_an_unchanged_file_get_not_modified_and_no_bytes(
    make_live: MakeLive, emulator: UpstreamEmulator, tmp_path: Path
) -> None:
    fetcher = make_live()
    first = fetcher.download("gnomad", GNOMAD_TSV, tmp_path / "first.tsv")
    sent = emulator.bytes_sent()
    dest = tmp_path / "out" / "again.tsv"
    for validators in (
        {"If-None-Match": first.headers["ETag"]},
        {"If-Modified-Since": first.headers["Last-Modified"]},
    ):
        with pytest.raises(NotModified):
            fetcher.download("gnomad", GNOMAD_TSV, dest, validators=validators)
    assert statuses(emulator, "gnomad") == [200, 304, 304]
    assert emulator.bytes_sent() == sent
    assert_nothing_left(dest)


def test_validators_of_a_changed_file_get_the_new_file(
    make_live: MakeLive, snapshot: Snapshot, tmp_path: Path
) -> None:
    fetcher = make_live()
    first = fetcher.download("gnomad", GNOMAD_TSV, tmp_path / "first.tsv")
    path = snapshot.file("gnomad", GNOMAD_TSV)
    path.write_bytes(path.read_bytes() + b"GENE99\tENST99\t0.5\t1.5\t0.1\n")
    again = fetcher.download(
        "gnomad",
        GNOMAD_TSV,
        tmp_path / "again.tsv",
        validators={"If-None-Match": first.headers["ETag"]},
    )
    assert again.path.read_bytes() == path.read_bytes()
    assert again.headers["ETag"] != first.headers["ETag"]


def test_the_daily_budget_stops_downloads_with_one_line(
    make_live: MakeLive, emulator: UpstreamEmulator, tmp_path: Path
) -> None:
    fetcher = make_live(daily_downloads={"gnomad": 2}, ledger_dir=tmp_path / "ledger")
    fetcher.download("gnomad", GNOMAD_TSV, tmp_path / "1.tsv")
    fetcher.download("gnomad", GNOMAD_TSV, tmp_path / "2.tsv")
    with pytest.raises(UpstreamError) as caught:
        fetcher.download("gnomad", GNOMAD_TSV, tmp_path / "out" / "3.tsv")

    message = str(caught.value)
    assert "\n" not in message
    assert "today's 2 downloads of gnomad are spent" in message
    assert "KG_DAILY_DOWNLOADS__GNOMAD" in message and "previous data stays" in message
    # The refused download never reached the upstream; other upstreams have no budget.
    assert statuses(emulator, "gnomad") == [200, 200]
    fetcher.download("hpo", "hp.obo", tmp_path / "hp.obo")
    assert_nothing_left(tmp_path / "out" / "3.tsv")


def test_a_304_is_given_back_and_a_truncated_retry_counts(
    make_live: MakeLive, emulator: UpstreamEmulator, tmp_path: Path
) -> None:
    ledger = tmp_path / "ledger"
    budget = DailyDownloadBudget(ledger, "gnomad", 10)
    fetcher = make_live(daily_downloads={"gnomad": 10}, ledger_dir=ledger)

    first = fetcher.download("gnomad", GNOMAD_TSV, tmp_path / "1.tsv")
    assert budget.used_today() == 1
    with pytest.raises(NotModified):
        fetcher.download(
            "gnomad",
            GNOMAD_TSV,
            tmp_path / "2.tsv",
            validators={"If-None-Match": first.headers["ETag"]},
        )
    assert budget.used_today() == 1

    emulator.inject("gnomad", "truncate")
    fetcher.download("gnomad", GNOMAD_TSV, tmp_path / "3.tsv")
    assert statuses(emulator, "gnomad")[-2:] == [200, 200]
    assert budget.used_today() == 3


def test_the_budget_is_shared_by_fetchers_and_survives_them(
    make_live: MakeLive, tmp_path: Path
) -> None:
    ledger = tmp_path / "ledger"
    for name in ("a", "b"):
        make_live(daily_downloads={"gnomad": 2}, ledger_dir=ledger).download(
            "gnomad", GNOMAD_TSV, tmp_path / name
        )
    with pytest.raises(UpstreamError, match="spent"):
        make_live(daily_downloads={"gnomad": 2}, ledger_dir=ledger).download(
            "gnomad", GNOMAD_TSV, tmp_path / "c"
        )


# -- faults that stay: one clear error ------------------------------------------------------


def test_persistent_503_fails_with_a_one_line_error(
    make_live: MakeLive, emulator: UpstreamEmulator, tmp_path: Path, retry_log: Any
) -> None:
    emulator.inject("gnomad", "server_error", times=-1, status=503)
    dest = tmp_path / "out" / "x.tsv"
    with pytest.raises(UpstreamError) as caught:
        make_live(max_retries=4).download("gnomad", GNOMAD_TSV, dest)

    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(
        f"gnomad: GET {emulator.url}/gnomad/{GNOMAD_TSV} failed after 5 attempts: "
        "HTTP 503 Service Unavailable; "
    )
    assert "KG_SOURCE_MODE=mirror" in message
    assert caught.value.status == 503
    assert statuses(emulator, "gnomad") == [503] * 5
    # Exponential from 0.05 s, capped at 0.2 s; one log line per retry.
    assert waits(retry_log) == [0.05, 0.1, 0.2, 0.2]
    assert_nothing_left(dest)


def test_persistent_slowness_fails_naming_the_timeout(
    make_live: MakeLive, emulator: UpstreamEmulator, tmp_path: Path
) -> None:
    emulator.inject("hpo", "slow", times=-1, delay=5.0)
    fetcher = make_live(read_timeout_s=0.3, max_retries=1)
    with pytest.raises(UpstreamError, match=r"after 2 attempts: no response within the 0.3 s"):
        fetcher.download("hpo", "hp.obo", tmp_path / "hp.obo")


def test_persistent_truncation_fails_mentioning_truncated(
    make_live: MakeLive, emulator: UpstreamEmulator, tmp_path: Path
) -> None:
    emulator.inject("gnomad", "truncate", times=-1)
    dest = tmp_path / "out" / "x.tsv"
    with pytest.raises(UpstreamError, match="after 4 attempts: truncated body") as caught:
        make_live().download("gnomad", GNOMAD_TSV, dest)
    assert "retry later" in str(caught.value)
    assert len(emulator.requests_for("gnomad")) == 4
    assert_nothing_left(dest)


def test_gz_cut_short_without_content_length_is_caught_by_the_gzip_check(
    make_live: MakeLive, emulator: UpstreamEmulator, tmp_path: Path
) -> None:
    # A close-delimited body: nothing but the gzip stream itself shows it is incomplete.
    emulator.inject("string", "truncate", times=-1, content_length=False)
    dest = tmp_path / "out" / "links.txt.gz"
    with pytest.raises(UpstreamError, match="truncated or corrupt gzip"):
        make_live(max_retries=1).download("string", STRING_GZ, dest)
    assert len(emulator.requests_for("string")) == 2
    assert_nothing_left(dest)


def test_corrupt_gzip_file_is_detected(
    make_live: MakeLive, emulator: UpstreamEmulator, tmp_path: Path
) -> None:
    with pytest.raises(UpstreamError, match="gzip stream ends before its end marker"):
        make_live(max_retries=1).download("gtex", GTEX_GZ, tmp_path / "gtex.gct.gz")
    # Served complete, with a truthful Content-Length: only the gzip check could object.
    assert statuses(emulator, "gtex") == [200, 200]


def test_connection_closed_every_time_fails(
    make_live: MakeLive, emulator: UpstreamEmulator, tmp_path: Path
) -> None:
    emulator.inject("gnomad", "down", times=-1)
    with pytest.raises(UpstreamError, match="after 3 attempts: connection failed") as caught:
        make_live(max_retries=2).download("gnomad", GNOMAD_TSV, tmp_path / "x.tsv")
    assert "Remote end closed connection" in str(caught.value)
    assert statuses(emulator, "gnomad") == [None] * 3


def test_empty_body_is_an_error(
    make_live: MakeLive, emulator: UpstreamEmulator, tmp_path: Path
) -> None:
    emulator.inject("gnomad", "empty")
    dest = tmp_path / "out" / "x.tsv"
    with pytest.raises(UpstreamError, match=r"failed: empty response \(HTTP 200 with no body\)"):
        make_live().download("gnomad", GNOMAD_TSV, dest)
    assert_nothing_left(dest)


def test_404_fails_at_once(
    make_live: MakeLive, emulator: UpstreamEmulator, tmp_path: Path, retry_log: Any
) -> None:
    with pytest.raises(UpstreamError) as caught:
        make_live().download("hpo", "no-such-file.obo", tmp_path / "x.obo")

    assert caught.value.status == 404
    assert "failed: HTTP 404 Not Found" in str(caught.value)
    assert "KG_BASE_URLS__HPO" in str(caught.value)
    assert statuses(emulator, "hpo") == [404]
    assert waits(retry_log) == []


def test_retry_after_beyond_the_limit_fails_at_once(
    make_live: MakeLive, emulator: UpstreamEmulator, tmp_path: Path
) -> None:
    emulator.inject("gnomad", "rate_limit", retry_after=86_400)
    with pytest.raises(UpstreamError, match="Retry-After 86400 s"):
        make_live().download("gnomad", GNOMAD_TSV, tmp_path / "x.tsv")
    assert statuses(emulator, "gnomad") == [429]


# -- politeness and secrets -------------------------------------------------------------------


def test_pubtator_rate_limit_spaces_requests_across_fetchers_and_threads(
    make_live: MakeLive, emulator: UpstreamEmulator
) -> None:
    fetchers = [make_live(requests_per_second=20.0) for _ in range(2)]

    def walk(fetcher: LiveFetcher) -> None:
        for page in (1, 2, 3):
            get_json(fetcher, "pubtator", PUBTATOR_SEARCH, page=page)

    threads = [threading.Thread(target=walk, args=(f,)) for f in fetchers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    arrivals = [r.time for r in emulator.requests_for("pubtator")]
    assert len(arrivals) == 6
    # Starts are 1/20 s apart at the client, so six requests span at least 0.25 s at the server
    # whatever the load (a busy machine only delays them further); one arrival may jitter by a
    # few ms. Unlimited, they arrive about 1 ms apart.
    assert arrivals[-1] - arrivals[0] >= 5 * 0.05 - 0.01, arrivals


def test_ncbi_api_key_goes_to_pubtator_only_and_is_never_shown(
    make_live: MakeLive, emulator: UpstreamEmulator, tmp_path: Path, retry_log: Any
) -> None:
    fetcher = make_live(api_key="sekrit-key-123", max_retries=1)
    get_json(fetcher, "pubtator", PUBTATOR_SEARCH, params={"text": "kidney"}, page=1)
    fetcher.download("hpo", "hp.obo", tmp_path / "hp.obo")

    (pubtator,) = emulator.requests_for("pubtator")
    assert pubtator.query == {"text": "kidney", "page": "1", "api_key": "sekrit-key-123"}
    assert "api_key" not in emulator.requests_for("hpo")[0].query

    emulator.inject("pubtator", "server_error", times=-1)
    with pytest.raises(UpstreamError) as caught:
        get_json(fetcher, "pubtator", PUBTATOR_SEARCH, page=2)
    assert "page=2" in str(caught.value)
    assert "sekrit" not in str(caught.value)
    assert "attempt 1/2" in retry_log.text and "sekrit" not in retry_log.text


def test_a_page_is_the_snapshot_file(
    make_live: MakeLive, snapshot: Snapshot, emulator: UpstreamEmulator
) -> None:
    page = get_json(make_live(), "pubtator", PUBTATOR_SEARCH, page=3)
    assert page == json.loads(snapshot.bytes("pubtator", "search/page-3"))
