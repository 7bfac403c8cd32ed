"""The shared contract: request-to-snapshot mapping, the error type, gzip checking, Retry-After
parsing and the mode switch."""

from __future__ import annotations

import gzip
import pickle
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from kg_pipeline.http.live import parse_retry_after
from kg_pipeline.http.mirror import MirrorFetcher
from kg_pipeline.http.transport import (
    Fetcher,
    GzipCheck,
    UpstreamError,
    mirror_relpath,
    snapshot_path,
)
from kg_pipeline.settings import Settings
from kg_pipeline.sources.registry import UPSTREAMS
from kg_pipeline_tests.http.conftest import live_fetcher


@pytest.mark.parametrize(
    ("path", "page", "expected"),
    [
        ("api/v1/panels/", 2, "api/v1/panels/page-2"),
        ("api/v1/panels/149/", None, "api/v1/panels/149"),
        ("hp.obo", None, "hp.obo"),
        ("/search/", 1, "search/page-1"),
        ("kb/gene-validity/download", None, "kb/gene-validity/download"),
        ("download/x-tsv?format=new", None, "download/x-tsv?format=new"),
        ("/search/?b=2&a=1", 3, "search/page-3?b=2&a=1"),
        ("x?q=a%20b&q2=", None, "x?q=a+b&q2="),
        ("x?", None, "x"),
    ],
)
def test_mirror_relpath(path: str, page: int | None, expected: str) -> None:
    assert mirror_relpath(path, page) == expected


def test_snapshot_path_stays_inside_the_upstream_folder(tmp_path: Path) -> None:
    assert snapshot_path(tmp_path, "hpo", "a/b.txt") == tmp_path / "hpo" / "a" / "b.txt"
    for upstream, relpath in [
        ("hpo", "../gnomad/x.tsv"),
        ("hpo", "/etc/passwd"),
        ("..", "etc/passwd"),
        ("hpo/x", "y"),
        ("hpo", ""),
    ]:
        with pytest.raises(ValueError):
            snapshot_path(tmp_path, upstream, relpath)


def test_upstream_error_is_one_line_and_survives_pickling() -> None:
    error = UpstreamError(
        "gnomad",
        "http://h/gnomad/x.tsv",
        "HTTP 503\nService Unavailable",
        attempts=6,
        status=503,
    )
    text = str(error)
    assert "\n" not in text
    assert text.startswith("gnomad: GET http://h/gnomad/x.tsv failed after 6 attempts: HTTP 503")
    assert "KG_SOURCE_MODE=mirror" in text
    copy = pickle.loads(pickle.dumps(error))
    assert (str(copy), copy.status, copy.attempts) == (text, 503, 6)


def test_gzip_check_accepts_complete_streams_only() -> None:
    data = gzip.compress("".join(f"{i}\t{i * i}\n" for i in range(20_000)).encode(), mtime=0)
    middle = len(data) // 2

    def problem(chunks: list[bytes]) -> str | None:
        check = GzipCheck()
        for chunk in chunks:
            check.feed(chunk)
        return check.problem()

    # Byte by byte across the header, then the rest: chunk boundaries must not matter.
    assert problem([data[i : i + 1] for i in range(20)] + [data[20:]]) is None
    assert problem([data + gzip.compress(b"second member\n")]) is None
    assert problem([data, b"\x00" * 512]) is None
    assert problem([data[:-10]]) == "gzip stream ends before its end marker"
    assert "broken gzip" in (problem([data[:middle] + b"\xff" * 50 + data[middle + 50 :]]) or "")
    assert problem([data + b"trailing junk"]) is not None
    assert problem([b"plain text, not gzip"]) is not None
    assert problem([]) == "no gzip data"


def test_gzip_check_handles_output_larger_than_its_cap() -> None:
    # 64 MiB of zeros compresses to ~64 KiB: the check inflates it in capped steps and must still
    # consume all the input to reach the end marker.
    bomb = gzip.compress(b"\x00" * (64 << 20), mtime=0)
    check = GzipCheck()
    check.feed(bomb)
    assert check.problem() is None
    assert check.inflated == 64 << 20


def test_gzip_check_counts_what_every_member_inflates_to() -> None:
    first, second = b"a\tb\n" * 10_000, b"second member\n"
    data = gzip.compress(first, mtime=0) + gzip.compress(second, mtime=0) + b"\x00" * 64
    check = GzipCheck()
    for start in range(0, len(data), 1000):
        check.feed(data[start : start + 1000])
    assert check.problem() is None
    assert check.inflated == len(first) + len(second)


def test_parse_retry_after() -> None:
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after(" 0.5 ") == 0.5
    assert parse_retry_after(format_datetime(now + timedelta(seconds=5), usegmt=True), now=now) == 5
    assert parse_retry_after(format_datetime(now - timedelta(hours=1), usegmt=True), now=now) == 0
    assert parse_retry_after("-4") == 0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_both_fetchers_satisfy_the_protocol(tmp_path: Path) -> None:
    live = live_fetcher("http://127.0.0.1:9")
    mirror = MirrorFetcher(tmp_path)
    try:
        assert live.mode == "live" and mirror.mode == "mirror"
        assert isinstance(live, Fetcher) and isinstance(mirror, Fetcher)
    finally:
        live.close()
        mirror.close()


def test_rates_come_from_the_registry_unless_a_setting_replaces_them() -> None:
    pubtator, gnomad = UPSTREAMS["pubtator"], UPSTREAMS["gnomad"]
    normal = Settings()
    assert normal.rate("pubtator", pubtator.requests_per_second) == 3.0
    assert normal.rate("gnomad", gnomad.requests_per_second) == 5.0
    keyed = Settings(requests_per_second={"pubtator": 10.0})
    assert keyed.rate("pubtator", pubtator.requests_per_second) == 10.0
    emulator = Settings(http_requests_per_second=500.0)
    assert emulator.rate("pubtator", pubtator.requests_per_second) == 500.0
    assert emulator.rate("gnomad", gnomad.requests_per_second) == 500.0


def test_base_urls_are_overridden_per_upstream_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KG_BASE_URLS__GNOMAD", "http://mirror.test/gnomad/")
    monkeypatch.setenv("KG_UPSTREAM_URL", "http://emulator.test")
    settings = Settings()
    assert settings.base_url("gnomad", UPSTREAMS["gnomad"].base_url) == "http://mirror.test/gnomad"
    assert settings.base_url("hpo", UPSTREAMS["hpo"].base_url) == "http://emulator.test/hpo"
