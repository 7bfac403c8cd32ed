"""The PanelApp client: panel listings of both regions, then details of the kidney panels."""

from pathlib import Path

import dagster as dg

from kg_pipeline.defs.raw import Fetched, UpstreamClient
from kg_pipeline.http import Fetcher
from kg_pipeline.http.formats import read_json
from kg_pipeline.sources.panelapp.parse import is_kidney_panel

LISTING_PATH = "api/v1/panels/"
# A guard against a listing whose `next` never ends; PanelApp UK has 5 pages of 100 panels.
MAX_LISTING_PAGES = 100


class PanelAppClient(UpstreamClient):
    """PanelApp UK and Australia: listing pages until `next` is empty, then each kidney panel.

    Only the panels that `is_kidney_panel` keeps are fetched in detail, so the raw version holds
    exactly what the evidence load reads.
    """

    upstreams: list[str] = ["panelapp_uk", "panelapp_au"]

    def fetch(self, fetcher: Fetcher, staging: Path, log: dg.DagsterLogManager) -> Fetched:
        fetched: Fetched = []

        def download(upstream: str, path: str, page: int | None = None) -> dict:
            item = fetcher.download(
                upstream,
                path,
                staging / f"{len(fetched):06d}",
                params={"format": "json"},
                page=page,
            )
            key = f"{upstream}/{item.relpath}"
            fetched.append((key, item))
            return read_json("panelapp", key, item.path)

        for upstream in self.upstreams:
            kidney_ids: set[int] = set()
            listed = 0
            for page in range(1, MAX_LISTING_PAGES + 1):
                listing = download(upstream, LISTING_PATH, page)
                results = listing.get("results") or []
                listed += len(results)
                kidney_ids |= {int(p["id"]) for p in results if is_kidney_panel(p)}
                if not listing.get("next"):
                    break
            for panel_id in sorted(kidney_ids):
                download(upstream, f"{LISTING_PATH}{panel_id}/")
            log.info(f"{upstream}: {listed} panels listed, {len(kidney_ids)} kidney panels fetched")
        return fetched
