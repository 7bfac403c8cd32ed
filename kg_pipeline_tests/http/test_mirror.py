"""Mirror mode: the same bytes as live mode from a snapshot directory, and clear errors when the
snapshot is incomplete or damaged."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from kg_pipeline.devtools.emulator import UpstreamEmulator
from kg_pipeline.http.mirror import MirrorFetcher
from kg_pipeline.http.transport import UpstreamError
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


def mirror(snapshot_dir: Path) -> MirrorFetcher:
    return MirrorFetcher(snapshot_dir)


@pytest.mark.parametrize(
    ("upstream", "path", "page"),
    [
        ("gnomad", GNOMAD_TSV, None),
        ("string", STRING_GZ, None),
        ("hpo", "hp.obo", None),
        ("panelapp_uk", PANELS, 2),
        ("pubtator", PUBTATOR_SEARCH, 1),
        ("gencc", GENCC_NEW, None),
        ("gencc", GENCC_EXPORT, None),
    ],
)
def test_mirror_and_live_give_the_same_bytes(
    snapshot: Snapshot,
    emulator: UpstreamEmulator,
    tmp_path: Path,
    upstream: str,
    path: str,
    page: int | None,
) -> None:
    with live_fetcher(emulator.url) as live:
        from_live = live.download(upstream, path, tmp_path / "live" / "f", page=page)
    mirrored = mirror(snapshot.root)
    from_mirror = mirrored.download(upstream, path, tmp_path / "mirror" / "f", page=page)

    assert from_mirror.path.read_bytes() == from_live.path.read_bytes()
    assert (from_mirror.sha256, from_mirror.size, from_mirror.relpath) == (
        from_live.sha256,
        from_live.size,
        from_live.relpath,
    )
    assert from_mirror.headers == {}
    assert from_mirror.location == str(snapshot.file(upstream, from_mirror.relpath))


def test_mirror_ignores_query_parameters(snapshot: Snapshot, tmp_path: Path) -> None:
    fetched = mirror(snapshot.root).download(
        "pubtator", PUBTATOR_SEARCH, tmp_path / "page", params={"text": "kidney"}, page=2
    )
    assert json.loads(fetched.path.read_bytes())["page"] == 2


def test_a_query_in_the_path_names_its_own_file(snapshot: Snapshot, tmp_path: Path) -> None:
    fetched = mirror(snapshot.root).download("gencc", GENCC_NEW, tmp_path / "new")
    assert fetched.relpath == GENCC_NEW
    assert fetched.path.read_bytes() == snapshot.bytes("gencc", GENCC_NEW)
    assert fetched.path.read_bytes() != snapshot.bytes("gencc", GENCC_EXPORT)

    snapshot.file("gencc", GENCC_NEW).unlink()
    with pytest.raises(UpstreamError, match=r"lacks gencc/.*-tsv\?format=new"):
        mirror(snapshot.root).download("gencc", GENCC_NEW, tmp_path / "again")


def test_a_file_is_written_read_only_and_replaces_one_only_when_complete(
    snapshot: Snapshot, tmp_path: Path
) -> None:
    dest = tmp_path / "new" / "folder" / "hp.obo"
    fetched = mirror(snapshot.root).download("hpo", "hp.obo", dest)
    assert fetched.path == dest and dest.read_bytes() == snapshot.bytes("hpo", "hp.obo")
    assert stat.S_IMODE(dest.stat().st_mode) == 0o444

    # A name that is taken keeps its file until the new body is complete, then holds that.
    snapshot.file("hpo", "hp.obo").write_bytes(b"")
    with pytest.raises(UpstreamError, match="empty"):
        mirror(snapshot.root).download("hpo", "hp.obo", dest)
    assert dest.read_bytes() == fetched.content
    snapshot.file("hpo", "hp.obo").write_bytes(b"format-version: 1.2\n")
    mirror(snapshot.root).download("hpo", "hp.obo", dest)
    assert dest.read_bytes() == b"format-version: 1.2\n"
    assert stat.S_IMODE(dest.stat().st_mode) == 0o444
    assert [p.name for p in dest.parent.iterdir()] == ["hp.obo"]


def test_missing_snapshot_file_says_how_to_get_one(snapshot: Snapshot, tmp_path: Path) -> None:
    dest = tmp_path / "out" / "x"
    with pytest.raises(UpstreamError) as caught:
        mirror(snapshot.root).download("clinvar", "gene_specific_summary.txt", dest)

    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("clinvar: read ")
    assert "the snapshot lacks clinvar/gene_specific_summary.txt" in message
    assert f"kg-pipeline snapshot --out {snapshot.root}" in message
    assert "KG_MIRROR_DIR" in message
    assert not dest.exists()


def test_a_missing_snapshot_page_is_named(snapshot: Snapshot, tmp_path: Path) -> None:
    with pytest.raises(UpstreamError, match="lacks panelapp_uk/api/v1/panels/page-3"):
        mirror(snapshot.root).download("panelapp_uk", PANELS, tmp_path / "page", page=3)


def test_missing_snapshot_directory_is_named(tmp_path: Path) -> None:
    with pytest.raises(UpstreamError, match=r"snapshot directory .*nowhere does not exist"):
        mirror(tmp_path / "nowhere").download("hpo", "hp.obo", tmp_path / "hp.obo")


def test_damaged_snapshot_files_are_refused(snapshot: Snapshot, tmp_path: Path) -> None:
    with pytest.raises(UpstreamError, match="truncated or corrupt gzip"):
        mirror(snapshot.root).download("gtex", GTEX_GZ, tmp_path / "gtex.gz")

    snapshot.file("hpo", "hp.obo").write_bytes(b"")
    with pytest.raises(UpstreamError, match="snapshot file is empty"):
        mirror(snapshot.root).download("hpo", "hp.obo", tmp_path / "hp.obo")


def test_mirror_never_reads_outside_the_snapshot(snapshot: Snapshot, tmp_path: Path) -> None:
    (snapshot.root.parent / "secret.txt").write_text("outside the snapshot\n")
    fetcher = mirror(snapshot.root)
    for upstream, path in [
        ("gnomad", "../../secret.txt"),
        ("gnomad", "a/../../../secret.txt"),
        ("..", "secret.txt"),
        ("gnomad/..", "../secret.txt"),
    ]:
        with pytest.raises(UpstreamError) as raised:
            fetcher.download(upstream, path, tmp_path / "f")
        assert "never reads outside the snapshot directory" in str(raised.value)
        assert len(str(raised.value).splitlines()) == 1
    # An absolute path is a path under the upstream's folder, as the emulator reads it.
    with pytest.raises(UpstreamError, match="the snapshot lacks gnomad/"):
        fetcher.download("gnomad", str(snapshot.root.parent / "secret.txt"), tmp_path / "f")
    assert not (tmp_path / "f").exists()
