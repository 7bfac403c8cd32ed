"""Small helpers shared by the parser tests.

The real upstream files come from the `real_data_dir` fixture (`kg_pipeline_tests/real_data.py`);
the helpers take that directory as an argument and never locate it themselves.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from kg_pipeline.sources.hgnc.normalise import GeneNormaliser


def resolve(rows: pd.DataFrame, normaliser: GeneNormaliser) -> pd.DataFrame:
    """Parsed rows plus `hgnc_id`, unresolved rows removed: what `aggregate` receives."""
    result = normaliser.normalise(rows)
    resolved = result["status"].eq("resolved")
    return rows.assign(hgnc_id=result["hgnc_id"])[resolved]


def by_symbol(evidence: pd.DataFrame, rows: pd.DataFrame, symbol: str) -> dict:
    """The evidence row (as a dict) of the gene that `symbol` resolved to in `rows`."""
    gene = rows.loc[rows["symbol"].str.upper().eq(symbol.upper()), "hgnc_id"].iloc[0]
    return evidence.set_index("hgnc_id").loc[gene].to_dict()


def seed_files(real_data_dir: Path, folder: str) -> dict[str, Path]:
    """The real seed files of `folder` keyed as in the snapshot (`<folder>/<file name>`)."""
    seed = real_data_dir / "upstream_seed" / "seed" / folder
    return {f"{folder}/{p.name}": p for p in sorted(seed.glob("*.json"))}


def panelapp_uk_files(real_data_dir: Path) -> dict[str, Path]:
    """The real PanelApp UK listing pages and panel details under their snapshot keys."""
    files: dict[str, Path] = {}
    uk = real_data_dir / "raw" / "panelapp_uk"
    for path in uk.glob("ge_panels_page_*.json"):
        page = re.search(r"_(\d+)\.json$", path.name)
        assert page is not None
        files[f"panelapp_uk/api/v1/panels/page-{page.group(1)}"] = path
    for path in (uk / "panels").glob("panel_*.json"):
        panel = re.search(r"_(\d+)\.json$", path.name)
        assert panel is not None
        files[f"panelapp_uk/api/v1/panels/{panel.group(1)}"] = path
    return files


def panelapp_au_files(real_data_dir: Path) -> dict[str, Path]:
    """The real PanelApp Australia listing pages (2025-10) under their snapshot keys. The copy
    starts with a UTF-8 byte order mark the API does not send; the parser reads past it."""
    files: dict[str, Path] = {}
    for path in (real_data_dir / "raw" / "panelapp_au").glob("panels_page_*.json"):
        page = re.search(r"_(\d+)\.json$", path.name)
        assert page is not None
        files[f"panelapp_au/api/v1/panels/page-{page.group(1)}"] = path
    return files
