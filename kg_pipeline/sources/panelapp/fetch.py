"""How PanelApp is walked: each region's panel listing page by page, then every kidney panel.

Only the panels that `is_kidney_panel` keeps are fetched in detail, so the raw version holds
exactly what the evidence load reads.
"""

from typing import Final

from kg_pipeline.raw_files import read_json
from kg_pipeline.sources.panelapp.parse import is_kidney_panel
from kg_pipeline.sources.panelapp.upstream import PANELAPP_AU, PANELAPP_UK
from kg_pipeline.sources.spec import FetchJob

LISTING_PATH: Final = "api/v1/panels/"
# A guard against a listing whose `next` never ends; PanelApp UK has 5 pages of 100 panels.
MAX_LISTING_PAGES: Final = 100
_JSON: Final = {"format": "json"}


def walk_panels(job: FetchJob) -> None:
    """Listing pages until `next` is empty, then the detail of each kidney panel; per region."""
    for upstream in (PANELAPP_UK.key, PANELAPP_AU.key):
        kidney_ids: set[int] = set()
        listed = 0
        for page in range(1, MAX_LISTING_PAGES + 1):
            key, item = job.download(upstream, LISTING_PATH, params=_JSON, page=page)
            listing = read_json(job.source, key, item.path)
            results = listing.get("results") or []
            listed += len(results)
            kidney_ids |= {int(p["id"]) for p in results if is_kidney_panel(p)}
            if not listing.get("next"):
                break
        for panel_id in sorted(kidney_ids):
            job.download(upstream, f"{LISTING_PATH}{panel_id}/", params=_JSON)
        job.log.info(f"{upstream}: {listed} panels listed, {len(kidney_ids)} kidney panels fetched")
