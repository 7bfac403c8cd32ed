"""Paths to the real data and small helpers shared by the parser tests.

The real upstream files live next to the repository in `../shared/data` (override with
`KG_REAL_DATA`); they are read in place and never copied into the project.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd

from kg_pipeline.sources.hgnc.normalise import GeneNormaliser

REAL_DATA = Path(
    os.environ.get("KG_REAL_DATA", Path(__file__).resolve().parents[2].parent / "shared" / "data")
)
RAW = REAL_DATA / "raw"
SEED = REAL_DATA / "upstream_seed" / "seed"
HGNC_FILE = RAW / "hgnc" / "hgnc_complete_set.txt.gz"


def resolve(rows: pd.DataFrame, normaliser: GeneNormaliser) -> pd.DataFrame:
    """Parsed rows plus `hgnc_id`, unresolved rows removed: what `aggregate` receives."""
    result = normaliser.normalise(rows)
    resolved = result["status"].eq("resolved")
    return rows.assign(hgnc_id=result["hgnc_id"])[resolved]


def by_symbol(evidence: pd.DataFrame, rows: pd.DataFrame, symbol: str) -> dict:
    """The evidence row (as a dict) of the gene that `symbol` resolved to in `rows`."""
    gene = rows.loc[rows["symbol"].str.upper().eq(symbol.upper()), "hgnc_id"].iloc[0]
    return evidence.set_index("hgnc_id").loc[gene].to_dict()


def seed_files(folder: str) -> dict[str, Path]:
    """The real seed files of `folder` keyed as in the snapshot (`<folder>/<file name>`)."""
    return {f"{folder}/{p.name}": p for p in sorted((SEED / folder).glob("*.json"))}


def panelapp_uk_files() -> dict[str, Path]:
    """The real PanelApp UK listing pages and panel details under their snapshot keys."""
    files: dict[str, Path] = {}
    for path in (RAW / "panelapp_uk").glob("ge_panels_page_*.json"):
        page = re.search(r"_(\d+)\.json$", path.name)
        assert page is not None
        files[f"panelapp_uk/api/v1/panels/page-{page.group(1)}"] = path
    for path in (RAW / "panelapp_uk" / "panels").glob("panel_*.json"):
        panel = re.search(r"_(\d+)\.json$", path.name)
        assert panel is not None
        files[f"panelapp_uk/api/v1/panels/{panel.group(1)}"] = path
    return files
