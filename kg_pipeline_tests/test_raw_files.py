"""Reading raw files that are not what they should be: each refused in one line naming the file."""

from __future__ import annotations

import gzip
from dataclasses import replace
from pathlib import Path

import pytest

from kg_pipeline.http.formats import check_format
from kg_pipeline.raw_files import (
    RawVersion,
    SourceFormatError,
    StoredFile,
    read_json,
    read_once,
    read_text,
)


def test_invalid_utf8_is_refused_naming_the_file_and_the_byte_offset(tmp_path: Path) -> None:
    # Decided: refused, never decoded with replacement characters (a Latin-1 export would
    # otherwise load with every accented letter silently replaced).
    path = tmp_path / "f"
    good = "NPHS1\tné\nPKD1\tna".encode()  # 17 bytes of UTF-8, then a Latin-1 "ï"
    path.write_bytes(good + b"\xefve\n")
    with pytest.raises(SourceFormatError) as raised:
        read_text("clingen", "clingen/kb/gene-validity/download", path)
    message = str(raised.value)
    assert message.splitlines() == [message]
    assert "clingen/kb/gene-validity/download" in message
    assert "not UTF-8 text: byte 0xef at offset 17 " in message
    path.write_bytes(gzip.compress(path.read_bytes()))  # the same inside gzip
    with pytest.raises(SourceFormatError, match="byte 0xef at offset 17 "):
        read_text("clingen", "clingen/kb/gene-validity/download", path)
    with pytest.raises(SourceFormatError, match="byte 0xef at offset 17 "):
        check_format("clingen", "k", path, "text", max_decompressed_bytes=1 << 20)


def test_json_nested_10000_levels_is_refused_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "page-1"
    path.write_text("[" * 10_000 + "]" * 10_000)
    for read in (
        lambda: read_json("pubtator", "pubtator/search/page-1", path),
        lambda: check_format(
            "pubtator", "pubtator/search/page-1", path, "json", max_decompressed_bytes=1 << 20
        ),
    ):
        with pytest.raises(SourceFormatError) as raised:
            read()
        message = str(raised.value)
        assert message.splitlines() == [message]
        assert "pubtator/search/page-1" in message and "nested deeper" in message
    path.write_text("[" * 100 + "]" * 100)  # deep, but within reason: read
    value = read_json("pubtator", "pubtator/search/page-1", path)
    for _ in range(99):
        (value,) = value
    assert value == []


@pytest.mark.parametrize("name", ["links.txt.gz", "plain-name"])
def test_a_gzip_bomb_is_refused_naming_the_limit(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(gzip.compress(b"a\tb\n" * 1_000_000))  # 4 MB in about 12 kB
    assert path.stat().st_size < 40_000
    with pytest.raises(SourceFormatError) as raised:
        check_format("string", f"string/{name}", path, "text", max_decompressed_bytes=1_000_000)
    message = str(raised.value)
    assert message.splitlines() == [message]
    assert f"string/{name}" in message and "KG_MAX_DECOMPRESSED_BYTES" in message
    # Under the limit the same file passes.
    check_format("string", f"string/{name}", path, "text", max_decompressed_bytes=4_000_000)


def test_a_size_counted_as_the_file_arrived_is_what_the_limit_judges(tmp_path: Path) -> None:
    path = tmp_path / "links.txt.gz"
    path.write_bytes(gzip.compress(b"a\tb\n" * 1_000_000))  # inflates to 4 MB

    def check(counted: int) -> None:
        check_format(
            "string",
            "string/links.txt.gz",
            path,
            "text",
            max_decompressed_bytes=1_000_000,
            inflated_size=counted,
        )

    with pytest.raises(SourceFormatError, match="KG_MAX_DECOMPRESSED_BYTES"):
        check(4_000_000)
    # The count is taken as it is: the file is not inflated again.
    check(999_999)


def test_read_once_reads_a_file_again_only_when_it_is_another_file(tmp_path: Path) -> None:
    reads: list[Path] = []

    @read_once
    def line_count(path: Path, *, key: str = "x") -> int:
        reads.append(path)
        text = path.read_text()
        if "broken" in text:
            raise SourceFormatError("test", key, "broken")
        return len(text.splitlines())

    staged = tmp_path / "incoming" / "000001"
    staged.parent.mkdir()
    staged.write_text("a\nb\n")
    assert line_count(staged) == 2
    # Moved into the store by a rename, as a raw step does after its check: the same file.
    stored = tmp_path / "store" / "sha"
    stored.parent.mkdir()
    staged.replace(stored)
    assert line_count(stored) == 2
    assert line_count(stored, key="x") == 2  # the default, spelt out: the same read
    assert reads == [staged]
    # Other arguments are another read; different bytes (a new file) are read.
    assert line_count(stored, key="y") == 2
    fresh = tmp_path / "store" / "other"
    fresh.write_text("a\nb\nc\n")
    assert line_count(fresh) == 3
    assert reads == [staged, stored, fresh]
    # A read that fails is not kept: asked again, the file is read again.
    broken = tmp_path / "broken"
    broken.write_text("broken\n")
    for _ in range(2):
        with pytest.raises(SourceFormatError):
            line_count(broken)
    assert reads[-2:] == [broken, broken]
    # A missing file is the read's own error.
    with pytest.raises(FileNotFoundError):
        line_count(tmp_path / "missing")


def test_a_version_is_identified_by_its_files_alone() -> None:
    # The id is computed once per version object: every copy with other files must get its own.
    files = {"pubtator/search/page-1": StoredFile("a" * 64, 10, "https://x/?page=1", etag='"1"')}
    version = RawVersion("pubtator", files, None, "2025-01-01T00:00:00Z")
    first = version.sha256

    refetched = replace(version, fetched_at="2025-02-01T00:00:00Z")
    revalidated = version.with_validators_of(
        replace(version, files={k: replace(f, etag='"2"') for k, f in files.items()})
    )
    changed = replace(version, files={k: replace(f, sha256="b" * 64) for k, f in files.items()})

    assert refetched.sha256 == revalidated.sha256 == first
    assert RawVersion.from_json(version.to_json()).sha256 == first
    assert version.to_json()["sha256"] == first
    assert changed.sha256 != first
