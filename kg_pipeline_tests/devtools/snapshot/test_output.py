"""Writer, manifest and argument handling, without generating a whole snapshot."""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import pytest

from kg_pipeline.devtools.snapshot import (
    MANIFEST_NAME,
    Manifest,
    ManifestEntry,
    RealDataError,
    SnapshotError,
    generate_snapshot,
)
from kg_pipeline.devtools.snapshot.output import SnapshotWriter


def _write_gz(root: Path, text: str) -> bytes:
    writer = SnapshotWriter(root)
    with writer.open_text(
        "string", "x/links.txt.gz", format="t", origin="synthetic", release="r", gzipped=True
    ) as out:
        out.write(text)
    return (root / "string/x/links.txt.gz").read_bytes()


def test_gzip_output_is_deterministic_and_hashed(tmp_path: Path) -> None:
    text = "protein1 protein2 combined_score\n" + "a b 400\n" * 5_000
    first = _write_gz(tmp_path / "a", text)
    second = _write_gz(tmp_path / "b", text)
    assert first == second
    assert first[4:8] == b"\0\0\0\0" and not first[3] & 0x08  # mtime 0, no file name
    assert gzip.decompress(first).decode() == text


def test_writer_records_size_and_sha256(tmp_path: Path) -> None:
    writer = SnapshotWriter(tmp_path)
    writer.write_text(
        "hgnc", "hgnc_complete_set.txt", "a\tb\n", format="f", origin="real", release="1"
    )
    (entry,) = writer.manifest.entries
    assert entry.file == "hgnc/hgnc_complete_set.txt"
    assert entry.bytes == 4 and entry.sha256 == hashlib.sha256(b"a\tb\n").hexdigest()


def test_writer_rejects_unknown_upstreams_and_escaping_paths(tmp_path: Path) -> None:
    writer = SnapshotWriter(tmp_path)
    with pytest.raises(KeyError):
        writer.write_text("nowhere", "f", "x", format="f", origin="synthetic", release="1")
    with pytest.raises(ValueError):
        writer.write_text("hgnc", "../f", "x", format="f", origin="synthetic", release="1")


def test_manifest_round_trips_and_rejects_foreign_files(tmp_path: Path) -> None:
    manifest = Manifest()
    manifest.add(ManifestEntry("b/2", "tsv", "synthetic", "2025-01-16", 3, "ab"))
    manifest.add(ManifestEntry("a/1", "json", "real", "v1", 5, "cd"))
    path = tmp_path / MANIFEST_NAME
    manifest.write(path)
    assert path.read_text().splitlines()[1].startswith("a/1\tjson\treal")
    assert Manifest.read(path).sorted_entries() == manifest.sorted_entries()
    path.write_text("something else\n")
    with pytest.raises(ValueError, match="not a snapshot MANIFEST"):
        Manifest.read(path)
    with pytest.raises(ValueError, match="origin"):
        Manifest().add(ManifestEntry("c", "f", "made-up", "1", 1, "x"))  # type: ignore[arg-type]


def test_generate_refuses_a_directory_that_is_not_a_snapshot(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("keep me")
    with pytest.raises(SnapshotError, match="not a snapshot"):
        generate_snapshot(tmp_path)
    assert (tmp_path / "notes.txt").read_text() == "keep me"


def test_generate_validates_its_arguments(tmp_path: Path) -> None:
    with pytest.raises(SnapshotError, match="scale"):
        generate_snapshot(tmp_path / "s", scale=0)
    with pytest.raises(SnapshotError, match="seed"):
        generate_snapshot(tmp_path / "s", seed="1")  # type: ignore[arg-type]
    with pytest.raises(RealDataError, match="does not exist"):
        generate_snapshot(tmp_path / "s", real_data=tmp_path / "missing")
    empty = tmp_path / "empty-real"
    empty.mkdir()
    with pytest.raises(RealDataError, match="incomplete"):
        generate_snapshot(tmp_path / "s", real_data=empty)
    assert not (tmp_path / "s").exists()
