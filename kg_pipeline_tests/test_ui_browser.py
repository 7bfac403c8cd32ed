"""The Dagster UI in a real browser: `kg-pipeline ui`, the asset graph, a rebuild launched there.

Headless Chromium (Debian's `chromium`, driven by Playwright) opens the asset group pages of
`kg-pipeline ui`; the `rebuild` job is launched through the UI's GraphQL endpoint, as its launch
buttons do, and runs from the daemon's run queue in a worker process; the pages then show the
assets materialised. Screenshots go to `artifacts/ui/` (their paths print with `pytest -s`).
Without a Chromium executable the test is skipped, saying so.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

pytest.importorskip("playwright.sync_api", reason="playwright missing: pip install -e '.[test]'")

from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright

from kg_pipeline_tests.ui_support import (
    CHROMIUM_ARGS,
    DagsterGraphQL,
    UiProcess,
    find_chromium,
    tail,
)

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "ui"
LOCATION = "kg_pipeline"
# (group, asset): one asset of each layer the rebuild must reach.
NODES = [("schema", "database_schema"), ("genes", "genes"), ("scoring", "gene_scores")]
RUN_TIMEOUT_S = 600
PAGE_TIMEOUT_MS = 30_000
# kg-pipeline ui gives its children 10 s after Ctrl-C, then SIGKILLs what is left.
STOP_TIMEOUT_S = 12


@pytest.fixture(scope="session")
def chromium() -> Path:
    """The browser executable; without one the test skips before any server starts."""
    found = find_chromium()
    if found is None:
        pytest.skip(
            "no Chromium executable (/usr/bin/chromium): "
            "apt-get install chromium chromium-driver, as .ci/run does"
        )
    return found


@pytest.fixture
def browser(chromium: Path) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def ui(
    chromium: Path,  # first: without a browser, skip before the databases and the snapshot
    gene_db_url: str,
    dagster_db_url: str,
    default_snapshot: Path,
    tmp_path: Path,
) -> Iterator[UiProcess]:
    """`kg-pipeline ui` on a free port against this test's two databases; stopped by Ctrl-C."""
    inherited = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("KG_", "DAGSTER_"))
    }
    env = {
        **inherited,
        "KG_DATABASE_URL": gene_db_url,
        "KG_DAGSTER_PG_URL": dagster_db_url,
        "KG_DATA_DIR": str(tmp_path / "data"),
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
        "KG_SOURCE_MODE": "mirror",
        "KG_MIRROR_DIR": str(default_snapshot),
    }
    ui = UiProcess.start(env, log_path=tmp_path / "ui.log")
    yield ui

    code, waited = ui.stop(timeout_s=STOP_TIMEOUT_S)
    survivors = ui.survivors()
    if code is None or survivors:
        ui.kill()
    assert code is not None, (
        f"kg-pipeline ui still running {STOP_TIMEOUT_S} s after Ctrl-C:\n{tail(ui.log_path)}"
    )
    assert code == 0, f"kg-pipeline ui exited with {code} on Ctrl-C:\n{tail(ui.log_path)}"
    left = "\n".join(survivors)
    assert not survivors, f"still running {waited:.1f} s after kg-pipeline ui exited:\n{left}"


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    # The "Join the Dagster community" dialog, shown once per browser, would cover the graph.
    context.add_init_script("window.localStorage.setItem('communityNux', '1')")
    page = context.new_page()
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    yield page
    context.close()


def asset_node(page: Page, ui: UiProcess, group: str, asset: str) -> Locator:
    """Open the group's lineage page and return the asset's node in the graph."""
    page.goto(f"{ui.url}/locations/{LOCATION}/asset-groups/{group}")
    # Each node is an SVG foreignObject whose name label carries the asset name as tooltip;
    # the status row ("Latest event") tells a full node from a link to another group's asset.
    node = (
        page.locator("foreignObject")
        .filter(has=page.locator(f'[data-tooltip="{asset}"]'))
        .filter(has_text="Latest event")
    )
    expect(node, f"node {asset} on the {group} page").to_be_visible(timeout=PAGE_TIMEOUT_MS)
    return node


def expect_status(page: Page, node: Locator, status: str, name: str) -> None:
    """The node's status row reads `status`; a screenshot `name`.png either way."""
    try:
        expect(node.get_by_text(status, exact=True)).to_be_visible(timeout=PAGE_TIMEOUT_MS)
    finally:
        screenshot(page, name)


def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=path)
    print(f"screenshot: {path}")
    return path


def test_rebuild_launched_from_the_ui_materialises_the_graph(
    ui: UiProcess, page: Page, gene_engine: sa.Engine
) -> None:
    graphql = DagsterGraphQL(ui.url)
    status = graphql.code_location_status(LOCATION)
    assert status == "LOADED", f"code location {LOCATION} did not load: {status}"

    for group, asset in NODES:
        node = asset_node(page, ui, group, asset)
        # A fresh Dagster database: nothing has run yet.
        expect_status(page, node, "Never materialized", f"{group}-before")

    # The UI's launch mutation with the job's selector and no run config (the job has its own):
    # the webserver queues the run; the daemon dequeues it under the instance's run and pool
    # limits and executes it in a worker process, as it would after "Materialize all".
    started = time.monotonic()
    run_id = graphql.launch_job(LOCATION, "rebuild")
    status = graphql.wait_for_run(run_id, timeout_s=RUN_TIMEOUT_S)
    print(f"rebuild run {run_id}: {status} after {time.monotonic() - started:.1f} s")
    if status != "SUCCESS":
        errors = "\n".join(graphql.run_errors(run_id)) or "(no error events)"
        pytest.fail(
            f"rebuild run {run_id} ended {status} (limit {RUN_TIMEOUT_S} s):\n{errors}\n"
            f"--- kg-pipeline ui output ---\n{tail(ui.log_path)}",
            pytrace=False,
        )

    for group, asset in NODES:
        node = asset_node(page, ui, group, asset)
        expect_status(page, node, "Materialized", f"{group}-after")
        latest = graphql.latest_materialization(asset)
        assert latest is not None, f"{asset} has no materialization after run {run_id}"
        assert latest["runId"] == run_id, f"{asset}'s latest materialization is from another run"

    schema = graphql.latest_materialization("database_schema")
    assert schema is not None
    flags = {entry["label"]: entry.get("boolValue") for entry in schema["metadataEntries"]}
    # Launched with no run config, the job's baked-in config still drops the schema first.
    assert flags.get("dropped_first") is True, flags

    # The asset page: its latest materialization links to this run, its row count is the table's.
    with gene_engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT count(*) FROM genes")).scalar_one()
    assert rows > 0, "the rebuild left the genes table empty"
    page.goto(f"{ui.url}/assets/genes")
    latest_link = page.locator(f'a[href^="/runs/{run_id}"]').first
    expect(latest_link, "latest materialization of genes").to_be_visible(timeout=PAGE_TIMEOUT_MS)
    expect(page.get_by_text(f"{rows:,}", exact=True).first).to_be_visible(timeout=PAGE_TIMEOUT_MS)
    screenshot(page, "genes-asset-after")
