"""The PubTator walk, live against the emulator serving a copy of the default snapshot's search:
failed pages skipped and recorded up to 1 %, and the incremental refresh after new articles."""

from __future__ import annotations

import json
import logging
import math
import shutil
from pathlib import Path
from typing import Any

import dagster as dg
import pytest
import sqlalchemy as sa

from kg_pipeline.db.raw_index import latest_raw_version
from kg_pipeline.defs.jobs import incremental_run_config
from kg_pipeline.defs.raw.assets import check_files
from kg_pipeline.devtools.emulator import UpstreamEmulator
from kg_pipeline.devtools.snapshot.pubtator import publish_new_articles
from kg_pipeline.raw_files import SourceFormatError
from kg_pipeline.sources.pubtator.fetch import PAGES_IN_FLIGHT, SORT
from kg_pipeline.sources.pubtator.source import SOURCE
from kg_pipeline_tests.conftest import FAST_HTTP, pipeline_definitions, pipeline_test_resources

LOAD = ["database_schema", "raw_hgnc", "hgnc_reference", "raw_pubtator", "pubtator_evidence"]
REFRESH = ["raw_pubtator", "pubtator_evidence"]
STOP_AFTER = 4


@pytest.fixture
def search(tmp_path: Path, default_snapshot: Path) -> Path:
    """A copy of the default snapshot's HGNC set and PubTator search, free to change."""
    copy = tmp_path / "snapshot"
    for part in ("hgnc", "pubtator", "MANIFEST"):
        source = default_snapshot / part
        if source.is_dir():
            shutil.copytree(source, copy / part)
        else:
            shutil.copyfile(source, copy / part)
    return copy


def pages_of(snapshot: Path) -> int:
    return len(list((snapshot / "pubtator" / "search").iterdir()))


def page_pmids(snapshot: Path, page: int) -> list[str]:
    body = json.loads((snapshot / "pubtator" / "search" / f"page-{page}").read_bytes())
    return [str(r["pmid"]) for r in body["results"]]


def run(
    gene_db_url: str,
    store: Path,
    emulator: UpstreamEmulator,
    names: list[str],
    *,
    incremental: bool = False,
    instance: dg.DagsterInstance | None = None,
) -> dg.ExecuteInProcessResult:
    assets, _ = pipeline_definitions()
    selected = [assets[name] for name in names]
    return dg.materialize(
        selected,
        resources=pipeline_test_resources(
            gene_db_url,
            store,
            source_mode="live",
            upstream_url=emulator.url,
            pubtator_stop_after_known_pages=STOP_AFTER,
            **FAST_HTTP,
        ),
        run_config=incremental_run_config(SOURCE) if incremental else None,
        instance=instance,
        raise_on_error=False,
    )


def meta(result: dg.ExecuteInProcessResult, name: str) -> dict[str, Any]:
    (event,) = result.asset_materializations_for_node(name) or [
        e.asset_observation_data.asset_observation
        for e in result.all_events
        if e.is_asset_observation and e.asset_key == dg.AssetKey(name)
    ]
    return {key: value.value for key, value in event.metadata.items()}


def failure(result: dg.ExecuteInProcessResult) -> str:
    (event,) = [e for e in result.all_events if e.is_step_failure]
    return event.step_failure_data.error.cause.message.strip().split(": ", 1)[1]


def logged(instance: dg.DagsterInstance, result: dg.ExecuteInProcessResult) -> list[str]:
    """The run's log messages."""
    return [record.user_message for record in instance.all_logs(result.run_id)]


def search_requests(emulator: UpstreamEmulator) -> list[dict[str, str]]:
    return [r.query for r in emulator.requests_for("pubtator")]


def asked_pages(requests: list[dict[str, str]], *, ending: int) -> bool:
    """Pages 1 to `ending`, each asked once, and perhaps a few after it: the ones already in
    flight when the walk ended there, which it drops."""
    pages = sorted(int(q["page"]) for q in requests)
    return pages == list(range(1, len(pages) + 1)) and 0 <= len(pages) - ending < PAGES_IN_FLIGHT


def test_a_page_that_keeps_failing_is_skipped_and_recorded(
    gene_db_url: str, tmp_path: Path, search: Path
) -> None:
    broken_pmids = page_pmids(search, 58)
    instance = dg.DagsterInstance.ephemeral()
    with UpstreamEmulator(search) as emulator:
        emulator.inject("pubtator", "server_error", times=-1, path="search/page-57")
        emulator.inject("pubtator", "malformed", times=-1, path="search/page-58")
        result = run(gene_db_url, tmp_path / "raw", emulator, LOAD, instance=instance)
        asked = search_requests(emulator)

    assert result.success
    walk = meta(result, "raw_pubtator")["walk"]
    assert walk["walk"] == "full" and walk["sort"] == SORT
    assert walk["pages_failed"] == 2 and walk["pages_fetched"] == pages_of(search) - 2
    first, second = walk["failed_pages"]
    assert (first["page"], first["pmids"]) == (57, [])
    assert "HTTP 503" in first["reason"]
    # The cut-off body still showed some of its PMIDs; both downloads of it were refused.
    assert second["page"] == 58 and "not valid JSON" in second["reason"]
    assert 0 < len(second["pmids"]) < len(broken_pmids)
    assert set(second["pmids"]) <= set(broken_pmids)
    assert sum(1 for q in asked if q["page"] == "58") == 2
    assert all(q["sort"] == SORT for q in asked)
    # Said in the run log too, and the load reports the pages it lacks.
    messages = logged(instance, result)
    assert any("page 57 skipped" in m for m in messages)
    assert any("page 58 skipped" in m and second["pmids"][0] in m for m in messages)
    evidence = meta(result, "pubtator_evidence")
    assert evidence["rejected_by_reason"]["search pages missing"] == 1
    assert evidence["dagster/row_count"] > 3_000


def test_more_than_one_percent_of_failed_pages_fails_the_walk(
    gene_db_url: str, gene_engine: sa.Engine, tmp_path: Path, search: Path
) -> None:
    pages = pages_of(search)
    allowed = math.floor(pages * 0.01)
    failing = list(range(100, 100 + allowed + 1))
    with UpstreamEmulator(search) as emulator:
        full = run(gene_db_url, tmp_path / "raw", emulator, LOAD)
        for page in failing[:-1]:
            emulator.inject("pubtator", "server_error", times=-1, path=f"search/page-{page}")
        tolerated = run(gene_db_url, tmp_path / "raw", emulator, REFRESH)
        emulator.inject("pubtator", "server_error", times=-1, path=f"search/page-{failing[-1]}")
        asked_before = len(search_requests(emulator))
        refused = run(gene_db_url, tmp_path / "raw", emulator, REFRESH)
        asked = search_requests(emulator)[asked_before:]

    assert full.success and tolerated.success
    assert meta(tolerated, "raw_pubtator")["walk"]["pages_failed"] == allowed
    assert not refused.success
    message = failure(refused)
    assert "\n" not in message
    assert message.startswith(f"pubtator: {allowed + 1} of {pages} search pages failed")
    assert "more than the 1%" in message and "previous PubTator data is kept" in message
    # The walk stops at the failure that crossed the limit (and the pages already in flight
    # behind it), not at the last page.
    assert failing[-1] + PAGES_IN_FLIGHT - 1 < pages
    assert failing[-1] <= max(int(q["page"]) for q in asked) <= failing[-1] + PAGES_IN_FLIGHT - 1
    # The version of the tolerated walk stays the latest one.
    with gene_engine.connect() as conn:
        latest = latest_raw_version(conn, "pubtator")
    assert latest is not None and latest.sha256 == meta(tolerated, "raw_pubtator")["sha256"]


def test_the_walk_records_the_pages_it_parsed_so_the_check_does_not_parse_them_again(
    tmp_path: Path, search: Path
) -> None:
    with UpstreamEmulator(search) as emulator:
        # Page 3 arrives cut off once: that download is discarded and the page fetched again.
        emulator.inject("pubtator", "malformed", times=1, path="search/page-3")
        resources = pipeline_test_resources(
            "postgresql://unused", tmp_path / "raw", source_mode="live",
            upstream_url=emulator.url, **FAST_HTTP,
        )  # fmt: skip
        staging = tmp_path / "staging"
        staging.mkdir()
        job = resources["pubtator_upstream"].fetch(staging, logging.getLogger("test"), {})

    keys = [key for key, _ in job.fetched]
    assert len(keys) == len(set(keys)) == pages_of(search)
    assert job.format_checked == set(keys)
    # A page the walk parsed is not parsed again by the format check; the evidence parser still
    # reads it. One the walk did not parse is checked, and a broken one fails there.
    broken = dict(job.fetched)["pubtator/search/page-2"].path
    broken.chmod(0o644)
    broken.write_text('{"results": [')
    with pytest.raises(SourceFormatError, match=r"page-2: not valid JSON at line 1"):  # parser
        check_files(SOURCE, job, resources["raw_store"])
    job.format_checked.discard("pubtator/search/page-2")
    with pytest.raises(SourceFormatError, match=r"page-2: not valid JSON \("):  # format check
        check_files(SOURCE, job, resources["raw_store"])


def test_a_first_page_that_fails_fails_the_walk(
    gene_db_url: str, tmp_path: Path, search: Path
) -> None:
    with UpstreamEmulator(search) as emulator:
        emulator.inject("pubtator", "server_error", times=-1, path="search/page-1")
        result = run(gene_db_url, tmp_path / "raw", emulator, LOAD)
        asked = search_requests(emulator)

    assert not result.success
    assert "HTTP 503" in failure(result)
    assert {q["page"] for q in asked} == {"1"}


def test_incremental_refresh_fetches_the_new_pages_and_ends_like_a_full_walk(
    gene_db_url: str, gene_engine: sa.Engine, tmp_path: Path, search: Path
) -> None:
    store = tmp_path / "raw"
    with UpstreamEmulator(search) as emulator:
        first = run(gene_db_url, store, emulator, LOAD)
        assert first.success
        # Nothing new: the known pages end the walk and the version is the stored one.
        seen = len(search_requests(emulator))
        same = run(gene_db_url, store, emulator, REFRESH, incremental=True)
        unchanged_requests = search_requests(emulator)[seen:]

        growth = publish_new_articles(search, 0.01)
        new_pages = math.ceil(growth.added / 10)
        seen = len(search_requests(emulator))
        incremental = run(gene_db_url, store, emulator, REFRESH, incremental=True)
        incremental_requests = search_requests(emulator)[seen:]
        full = run(gene_db_url, store, emulator, REFRESH)

    assert same.success
    assert asked_pages(unchanged_requests, ending=STOP_AFTER)
    assert meta(same, "raw_pubtator")["unchanged"] is True

    assert incremental.success, failure(incremental)
    assert growth.added == round(growth.articles_before / 100) and growth.added > 10
    assert growth.pages_after > growth.pages_before
    # Pages holding new articles, then the run of known pages that ends the walk.
    assert asked_pages(incremental_requests, ending=new_pages + STOP_AFTER)
    assert all(q["sort"] == SORT for q in incremental_requests)
    walk = meta(incremental, "raw_pubtator")["walk"]
    assert walk["walk"] == "incremental"
    assert walk["stopped_after_known_pages"] == STOP_AFTER
    assert walk["pages_fetched"] == new_pages + STOP_AFTER
    assert walk["pages_carried"] >= growth.pages_before - STOP_AFTER
    merged = meta(incremental, "pubtator_evidence")
    assert merged["updated"] + merged["inserted"] > 0  # new articles counted for their genes
    assert merged["removed"] == 0
    assert "search pages missing" not in merged["rejected_by_reason"]

    # A full walk of the same search finds exactly the evidence the incremental refresh left.
    assert full.success
    assert meta(full, "raw_pubtator")["walk"]["pages_fetched"] == growth.pages_after
    again = meta(full, "pubtator_evidence")
    assert again["inserted"] == again["updated"] == again["removed"] == 0
    assert again["unchanged"] == again["dagster/row_count"] == merged["dagster/row_count"]
