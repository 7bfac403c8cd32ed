"""Raw-file assets: all fourteen from a snapshot, live against the emulator, and every fault."""

import hashlib
import os
import re
import shutil
import stat
from pathlib import Path
from typing import Any

import dagster as dg
import pytest
import sqlalchemy as sa

from kg_pipeline.db.raw_index import latest_raw_version
from kg_pipeline.defs.raw import assets as raw_defs
from kg_pipeline.defs.schema.assets import database_schema
from kg_pipeline.devtools.emulator import UpstreamEmulator
from kg_pipeline_tests.conftest import FAST_HTTP, pipeline_definitions, pipeline_test_resources

RAW_SOURCES = [
    "clingen",
    "clinvar",
    "descartes",
    "diagnostic_panels",
    "gencc",
    "gnomad",
    "gtex",
    "hgnc",
    "hpo",
    "literature",
    "mgi",
    "panelapp",
    "pubtator",
    "string",
]


def raw_assets(*sources: str) -> list[dg.AssetsDefinition]:
    assets, _ = pipeline_definitions()
    return [assets[f"raw_{source}"] for source in sources]


def materialize(
    gene_db_url: str, store: Path, sources: list[str], *, schema: bool = False, **settings: Any
) -> dg.ExecuteInProcessResult:
    assets = raw_assets(*sources)
    return dg.materialize(
        [database_schema, *assets] if schema else assets,
        resources=pipeline_test_resources(gene_db_url, store, **settings),
        selection=None if schema else assets,
        raise_on_error=False,
    )


def metadata(result: dg.ExecuteInProcessResult, source: str) -> dict:
    """What the raw asset reported: its materialisation, or its "unchanged" observation."""
    (event,) = result.asset_materializations_for_node(f"raw_{source}") or [
        e.asset_observation_data.asset_observation
        for e in result.all_events
        if e.is_asset_observation and e.asset_key == dg.AssetKey(f"raw_{source}")
    ]
    return {key: value.value for key, value in event.metadata.items()}


def latest(engine: sa.Engine, source: str):
    with engine.connect() as conn:
        return latest_raw_version(conn, source)


def failure_message(result: dg.ExecuteInProcessResult) -> str:
    """The failing step's own error message, without the exception class prefix."""
    (failure,) = [e for e in result.all_events if e.is_step_failure]
    return failure.step_failure_data.error.cause.message.strip().split(": ", 1)[1]


@pytest.fixture
def mirrored(gene_db_url: str, tmp_path: Path, default_snapshot: Path) -> dict:
    """All raw assets materialised once from the default snapshot."""
    result = materialize(
        gene_db_url,
        tmp_path / "raw",
        RAW_SOURCES,
        schema=True,
        source_mode="mirror",
        mirror_dir=str(default_snapshot),
    )
    assert result.success
    return {source: metadata(result, source) for source in RAW_SOURCES}


def test_every_raw_input_materialises_from_the_snapshot(
    mirrored: dict, gene_engine: sa.Engine, tmp_path: Path
) -> None:
    for source, meta in mirrored.items():
        assert len(meta["sha256"]) == 64, source
        assert meta["bytes"] > 0 and meta["files"] >= 1, source
        assert meta["mode"] == "mirror"
        assert meta["unchanged"] is False
        # What the files are, from the snapshot's MANIFEST.
        assert re.match(r"(synthetic|derived-from-real|real) offline snapshot: ", meta["origin"])
    assert mirrored["clingen"]["origin"].startswith("synthetic offline snapshot: 0 of 1 files")
    assert "not for curation" in mirrored["clingen"]["origin"]
    assert mirrored["hpo"]["release"] == "2025-01-16"
    assert mirrored["gnomad"]["release"] == "v4.1"
    assert mirrored["diagnostic_panels"]["files"] == 9
    assert mirrored["literature"]["files"] == 12
    with gene_engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT namespace, cache_key FROM cache_entries")).all()
    assert sorted(namespace for namespace, _ in rows) == RAW_SOURCES
    assert not any(namespace.isdigit() for namespace, _ in rows)
    # Every file of every version is in the content-addressed store under its sha256.
    for source in RAW_SOURCES:
        version = latest(gene_engine, source)
        assert version.sha256 == mirrored[source]["sha256"]
        for stored in version.files.values():
            assert (tmp_path / "raw" / source / stored.sha256).stat().st_size == stored.size
    assert_store_is_sound(tmp_path / "raw")


def assert_store_is_sound(root: Path) -> None:
    """Every stored file is read-only and named by its sha256; no download is left staged."""
    stored = [
        path
        for path in root.glob("*/*")
        if path.is_file() and not path.parent.name.startswith(".") and path.suffix != ".json"
    ]
    assert stored
    for path in stored:
        assert stat.S_IMODE(path.stat().st_mode) == 0o444, path
        assert hashlib.sha256(path.read_bytes()).hexdigest() == path.name, path
    assert [p for p in (root / ".incoming").rglob("*") if not p.is_dir()] == []


def test_identical_bytes_are_recorded_as_unchanged(
    mirrored: dict, gene_db_url: str, tmp_path: Path, default_snapshot: Path
) -> None:
    again = materialize(
        gene_db_url,
        tmp_path / "raw",
        ["clingen", "panelapp"],
        source_mode="mirror",
        mirror_dir=str(default_snapshot),
    )
    assert again.success
    for source in ("clingen", "panelapp"):
        # Observed as unchanged, not materialised again: downstream loads are skipped.
        assert again.asset_materializations_for_node(f"raw_{source}") == []
        meta = metadata(again, source)
        assert meta["unchanged"] is True
        assert meta["previous_sha256"] == meta["sha256"] == mirrored[source]["sha256"]


def test_live_mode_against_the_emulator_gives_the_mirror_bytes(
    mirrored: dict, gene_db_url: str, tmp_path: Path, default_snapshot: Path
) -> None:
    with UpstreamEmulator(default_snapshot) as emulator:
        live = materialize(
            gene_db_url,
            tmp_path / "raw",
            RAW_SOURCES,
            source_mode="live",
            upstream_url=emulator.url,
            **FAST_HTTP,
        )
    assert live.success
    for source in RAW_SOURCES:
        meta = metadata(live, source)
        assert meta["mode"] == "live"
        assert meta["origin"].startswith("live: ")
        assert meta["sha256"] == mirrored[source]["sha256"], source
        assert meta["unchanged"] is True


@pytest.mark.parametrize(
    ("source", "upstream", "fault", "options", "expected"),
    [
        ("clingen", "clingen", "server_error", {"status": 503}, "HTTP 503"),
        ("clingen", "clingen", "truncate", {}, "truncated"),
        ("clingen", "clingen", "empty", {}, "empty"),
        ("clingen", "clingen", "slow", {"delay": 3}, "read timeout"),
        # The emulator closes the connection without an answer.
        ("clingen", "clingen", "down", {}, "connection failed"),
        ("hgnc", "hgnc", "rate_limit", {"retry_after": 0}, "429"),
        ("panelapp", "panelapp_uk", "malformed", {}, "not valid JSON"),
        ("pubtator", "pubtator", "server_error", {"status": 500}, "HTTP 500"),
    ],
)
def test_a_failed_download_keeps_the_previous_version(
    mirrored: dict,
    gene_db_url: str,
    gene_engine: sa.Engine,
    tmp_path: Path,
    default_snapshot: Path,
    source: str,
    upstream: str,
    fault: str,
    options: dict,
    expected: str,
) -> None:
    before = latest(gene_engine, source)
    with UpstreamEmulator(default_snapshot) as emulator:
        emulator.inject(upstream, fault, times=-1, **options)
        result = materialize(
            gene_db_url,
            tmp_path / "raw",
            [source],
            source_mode="live",
            upstream_url=emulator.url,
            **FAST_HTTP,
        )
    assert not result.success
    message = failure_message(result)
    assert "\n" not in message
    assert source in message.split(":")[0] or upstream in message.split(":")[0]
    assert expected.lower() in message.lower(), message
    assert latest(gene_engine, source) == before


def test_a_transient_fault_is_retried(
    mirrored: dict, gene_db_url: str, tmp_path: Path, default_snapshot: Path
) -> None:
    with UpstreamEmulator(default_snapshot) as emulator:
        emulator.inject("clingen", "rate_limit", times=1, retry_after=0)
        emulator.inject("gnomad", "server_error", times=2, status=503)
        result = materialize(
            gene_db_url,
            tmp_path / "raw",
            ["clingen", "gnomad"],
            source_mode="live",
            upstream_url=emulator.url,
            **FAST_HTTP,
        )
        statuses = [r.status for r in emulator.requests_for("clingen")]
    assert result.success
    assert statuses == [429, 200]
    assert metadata(result, "gnomad")["sha256"] == mirrored["gnomad"]["sha256"]


# -- conditional requests ------------------------------------------------------------------


@pytest.fixture
def live_snapshot(tmp_path: Path, default_snapshot: Path) -> Path:
    """A copy of the default snapshot (hard links) that a test may change file by file."""
    copy = tmp_path / "live-snapshot"
    shutil.copytree(default_snapshot, copy, copy_function=os.link)
    return copy


def live(gene_db_url: str, store: Path, sources: list[str], url: str, **settings: Any):
    return materialize(
        gene_db_url, store, sources, source_mode="live", upstream_url=url, **FAST_HTTP, **settings
    )


def replace_file(path: Path, data: bytes) -> None:
    """A new file in place of a hard-linked one, leaving the shared original untouched."""
    path.unlink()
    path.write_bytes(data)


def test_a_no_change_refresh_of_every_source_downloads_nothing(
    mirrored: dict, gene_db_url: str, tmp_path: Path, live_snapshot: Path
) -> None:
    with UpstreamEmulator(live_snapshot) as emulator:
        # The mirror stored no validators: the first live fetch downloads and records them.
        first = live(gene_db_url, tmp_path / "raw", RAW_SOURCES, emulator.url)
        assert first.success
        sent, asked = emulator.bytes_sent(), len(emulator.requests)
        assert sent > 0

        again = live(gene_db_url, tmp_path / "raw", RAW_SOURCES, emulator.url)
        assert again.success
        answered = {r.status for r in emulator.requests[asked:]}
        assert emulator.bytes_sent() == sent
    assert answered == {304}
    # Stored again from hard links of the stored files: still sound.
    assert_store_is_sound(tmp_path / "raw")
    for source in RAW_SOURCES:
        meta = metadata(again, source)
        assert meta["unchanged"] is True, source
        assert meta["bytes_downloaded"] == 0 and meta["files_downloaded"] == 0, source
        assert meta["files_not_modified"] == meta["files"], source
        assert meta["sha256"] == mirrored[source]["sha256"], source
        # Unchanged: observed, not materialised, so no load runs downstream.
        assert again.asset_materializations_for_node(f"raw_{source}") == []


def test_only_the_changed_file_of_a_source_is_downloaded(
    mirrored: dict,
    gene_db_url: str,
    gene_engine: sa.Engine,
    tmp_path: Path,
    live_snapshot: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    obo = live_snapshot / "hpo" / "hp.obo"
    with UpstreamEmulator(live_snapshot) as emulator:
        assert live(gene_db_url, tmp_path / "raw", ["hpo"], emulator.url).success
        replace_file(obo, obo.read_bytes() + b"\n[Term]\nid: HP:9999999\nname: synthetic\n")
        checked: list[str] = []
        check_format = raw_defs.check_format

        def counted(source: str, key: str, *args: Any, **kwargs: Any) -> None:
            checked.append(key)
            check_format(source, key, *args, **kwargs)

        monkeypatch.setattr(raw_defs, "check_format", counted)
        changed = live(gene_db_url, tmp_path / "raw", ["hpo"], emulator.url)
    assert changed.success
    # Only the new file is checked; the others are the stored ones, checked when they came.
    assert checked == ["hpo/hp.obo"]
    meta = metadata(changed, "hpo")
    assert meta["unchanged"] is False
    assert (meta["files_downloaded"], meta["files_not_modified"]) == (1, meta["files"] - 1)
    assert meta["bytes_downloaded"] == obo.stat().st_size
    version = latest(gene_engine, "hpo")
    assert version.sha256 == meta["sha256"] != mirrored["hpo"]["sha256"]
    # The new version carries every file's validators for the next refresh, and its origin.
    assert all(f.etag for f in version.files.values())
    assert version.details["origin"] == "live"


def test_past_the_daily_budget_a_refresh_fails_and_keeps_the_data(
    mirrored: dict, gene_db_url: str, gene_engine: sa.Engine, tmp_path: Path, live_snapshot: Path
) -> None:
    budget = {"daily_downloads": {"gencc": 1}}
    (export,) = (live_snapshot / "gencc").rglob("*submissions-export*")
    with UpstreamEmulator(live_snapshot) as emulator:
        assert live(gene_db_url, tmp_path / "raw", ["gencc"], emulator.url, **budget).success
        before = latest(gene_engine, "gencc")
        # Unchanged: with the budget spent, a HEAD (which costs nothing) shows the file is
        # unchanged, so the refresh passes without a download.
        unchanged = live(gene_db_url, tmp_path / "raw", ["gencc"], emulator.url, **budget)
        assert unchanged.success and metadata(unchanged, "gencc")["unchanged"] is True
        text = export.read_bytes()
        replace_file(export, text + text.splitlines(keepends=True)[-1])
        refused = live(gene_db_url, tmp_path / "raw", ["gencc"], emulator.url, **budget)
        sent = emulator.bytes_sent("gencc")
    assert not refused.success
    message = failure_message(refused)
    assert "\n" not in message and "today's 1 downloads of gencc are spent" in message
    # One body in all: the first download. The others were answered to HEADs.
    assert sent == len(text)
    assert latest(gene_engine, "gencc") == before
