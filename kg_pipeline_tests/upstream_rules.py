"""Upstream's rules, re-stated so a test can run them beside ours on the real files.

Each function restates one rule of kidney-genetics-db at commit 678164b (the file and function
are named in each docstring and in `docs/upstream-differences.md`), written from reading that
code, not copied. They exist only to measure where we differ: the pipeline never imports them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

import pandas as pd

UPSTREAM_COMMIT: Final = "678164b"

PANEL_SEARCH_KEYWORDS: Final[tuple[str, ...]] = (
    "kidney",
    "renal",
    "nephro",
    "glomerul",
    "tubulopathy",
    "tubulointerstitial",
    "polycystic",
    "alport",
    "nephritis",
    "cystic kidney",
    "ciliopathy",
    "complement",
    "cakut",
    "focal segmental",
    "steroid resistant",
    "nephrotic",
    "proteinuria",
    "hematuria",
)
"""`backend/config/keywords.yaml` `keywords.kidney`, which `datasource_config` hands to PanelApp
as its search terms."""

PANEL_CORE_TERMS: Final[tuple[str, ...]] = (
    "kidney",
    "renal",
    "nephro",
    "cakut",
    "tubulopathy",
    "glomerul",
)
"""The terms `PanelAppUnifiedSource._is_kidney_related_panel` requires in name + description."""

PANELAPP_PAGE_SIZE: Final = 100
"""PanelApp's listing page size; upstream reads only the first page of each search."""


def panel_search_hits(listing: Iterable[Mapping[str, Any]], keyword: str) -> list[int]:
    """Ids of the panels PanelApp's `GET /panels/?name=<keyword>` returns: the name contains the
    keyword, ignoring case. (The API also matches a former panel id or an exact former name,
    neither of which the listing shows; no kidney keyword is either.)"""
    return [
        int(panel["id"]) for panel in listing if keyword in str(panel.get("name") or "").lower()
    ]


def is_upstream_kidney_panel(panel: Mapping[str, Any]) -> bool:
    """`_is_kidney_related_panel`: a core term in the lower-cased name + description. The
    listing's disease group, sub-group and relevant disorders are not read."""
    text = f"{panel.get('name') or ''} {panel.get('description') or ''}".lower()
    return any(term in text for term in PANEL_CORE_TERMS)


def upstream_kidney_panel_ids(listing: Sequence[Mapping[str, Any]]) -> set[int]:
    """The panels `PanelAppUnifiedSource._fetch_region_panels` keeps from a region's listing:
    every search hit of every keyword that passes `is_upstream_kidney_panel`, once per id."""
    by_id = {int(panel["id"]): panel for panel in listing}
    hits = {i for keyword in PANEL_SEARCH_KEYWORDS for i in panel_search_hits(listing, keyword)}
    return {i for i in hits if is_upstream_kidney_panel(by_id[i])}


def exact_symbol_matches(symbols: pd.Series, approved_symbols: set[str]) -> pd.Series:
    """Which gene-list symbols upstream's DiagnosticPanels and Literature loads attach evidence
    to: `_extract_gene_symbol` upper-cases the text and `store_evidence` looks it up with
    `Gene.approved_symbol IN (...)`, an exact, case-sensitive match. Every approved symbol is
    assumed to be in the genes table (upstream's normaliser creates the genes first), so this is
    the most upstream can attach; an alias, a previous symbol or an approved symbol with lower-
    case letters ("C21orf58") finds no gene and its evidence is dropped."""
    return symbols.astype(str).str.strip().str.upper().isin(approved_symbols)


CLINGEN_VIEW_WEIGHTS: Final[dict[str, float]] = {
    "Definitive": 1.0,
    "Strong": 0.8,
    "Moderate": 0.6,
    "Limited": 0.4,
    "Disputed": 0.2,
}
"""The ClinGen weights of `evidence_classification_weights` (`backend/app/db/views.py`); any
other classification (Refuted, No Known Disease Relationship) weighs 0. Ours are the same."""


def clingen_weight(classification: str) -> float:
    return CLINGEN_VIEW_WEIGHTS.get(classification, 0.0)


def upstream_clingen_weight(classifications: Sequence[str]) -> float:
    """The view reads `classifications ->> 0`, the first element of a list that
    `ClinGenUnifiedSource.process_data` built with `list(set(...))`: its order follows Python's
    string hashing, which is randomised per process, so the element is arbitrary."""
    return clingen_weight(classifications[0]) if classifications else 0.0


def possible_upstream_clingen_weights(classifications: Iterable[str]) -> set[float]:
    """Every weight upstream can give a gene, one per element that can come first."""
    return {clingen_weight(c) for c in set(classifications)}


CLINGEN_KEYWORDS: Final[tuple[str, ...]] = (
    "kidney",
    "renal",
    "nephro",
    "glomerul",
    "tubul",
    "polycystic",
    "alport",
    "nephritis",
    "cystic",
    "ciliopathy",
    "complement",
    "cakut",
)
"""`ClinGenUnifiedSource.kidney_keywords`."""

CLINGEN_NON_KIDNEY_WORDS: Final[tuple[str, ...]] = (
    "hearing",
    "intellectual",
    "developmental",
    "cardiac",
    "retinal",
    "ocular",
)


def upstream_clingen_kidney(disease: str, expert_panel: str) -> bool:
    """`ClinGenUnifiedSource.is_kidney_related` on one curation of a kidney GCEP (upstream
    downloads only the five kidney GCEPs' curations, `_fetch_affiliate_data`): a keyword in
    disease + GCEP, else kept unless the disease is blank or names a non-kidney word."""
    text = f"{disease} {expert_panel}".lower()
    if any(keyword in text for keyword in CLINGEN_KEYWORDS):
        return True
    return bool(disease.strip()) and not any(word in text for word in CLINGEN_NON_KIDNEY_WORDS)


GENE_HIGHLIGHT: Final = re.compile(r"@GENE_(\w+)\s+@GENE_(\d+)\s+@@@([^@]+)@@@")
"""`PubTatorUnifiedSource._extract_genes_from_highlight`'s pattern. `\\w` has no hyphen, so a
tag such as `@GENE_HLA-DRB1 @GENE_3123` does not match at all: the mention is lost (not cut to
"HLA")."""


def upstream_highlight_symbols(text_hl: str) -> list[str]:
    """The gene symbols upstream takes from one `text_hl` highlight."""
    return [match.group(1) for match in GENE_HIGHLIGHT.finditer(text_hl)]


def seeded_providers(files: int) -> list[str]:
    """The `providers` of every gene upstream's seeder loads: `diagnostic_panels.py`
    `store_evidence` records its `source_detail` argument, which the seeder sets to this label
    (reference 2.6)."""
    return [f"Seeded from {files} files"]
