"""Parse PanelApp UK and Australia: kidney panels and the green genes on them.

Owns the kidney-panel rule (`is_kidney_panel`, also used by the download client to decide which
panel details to fetch), reading the panel listing pages and panel details of both regions, the
green-gene filter, and the per-gene PanelApp evidence (reference section 2.1).

Decisions against upstream: panels are found by walking the whole listing instead of the first
page of 18 keyword searches; "adrenal" panels are not kidney panels (upstream let them in because
"adrenal" contains "renal"); the rule reads name, disease group, sub-group, relevant disorders and
description.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

import pandas as pd

from kg_pipeline.raw_files import RawFiles, SourceFormatError, read_json
from kg_pipeline.sources import aggregation, records
from kg_pipeline.sources.keywords import KIDNEY_KEYWORDS, mentions_kidney

__all__ = ["KIDNEY_KEYWORDS", "aggregate", "is_kidney_panel", "parse"]

SOURCE: Final = "PanelApp"
REGIONS: Final[dict[str, str]] = {"panelapp_uk": "UK", "panelapp_au": "Australia"}
"""Upstream key to the region label stored in the evidence."""

_REGION_ORDER: Final[dict[str, int]] = {"UK": 0, "Australia": 1}

GREEN_LEVELS: Final[frozenset[str]] = frozenset({"3", "4", "green"})
"""`confidence_level` values of green (diagnostic-grade) genes."""

_GREEN_NUMBER: Final = 3
"""The number PanelApp's API gives a green gene (`confidence_level` "3"; "green" is its word)."""

_KEY: Final = re.compile(r"(panelapp_uk|panelapp_au)/api/v1/panels/(?:page-(\d+)|(\d+))/?")

ROW_COLUMNS: Final[tuple[str, ...]] = (
    "symbol",
    "reported_hgnc_id",
    "region",
    "panel_id",
    "panel_name",
    "panel_version",
    "confidence_level",
    "mode_of_inheritance",
    "phenotypes",
)


def _panel_text(panel: Mapping[str, Any]) -> str:
    parts: list[str] = []
    for field in ("name", "disease_group", "disease_sub_group", "description"):
        value = panel.get(field)
        if isinstance(value, str):
            parts.append(value)
    disorders = panel.get("relevant_disorders")
    if isinstance(disorders, list):
        parts.extend(str(d) for d in disorders if d)
    return " | ".join(parts)


def is_kidney_panel(panel: Mapping[str, Any]) -> bool:
    """True when a PanelApp panel (listing entry or detail) is about kidney disease.

    The panel's name, disease group and sub-group, relevant disorders and description must
    contain one of `KIDNEY_KEYWORDS` (kidney, renal, nephr(o), cakut, tubulopathy, glomerul,
    ciliopathy, ...); "renal" inside "adrenal" does not count, and "cystic fibrosis" matches no
    keyword.
    """
    return mentions_kidney(_panel_text(panel))


def _panel_id(value: object) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


def _read_listing(
    key: str, data: Any, region: str, listed: dict[tuple[str, int], Mapping[str, Any]]
) -> int:
    """Add the page's panels to `listed`; return the page's advertised total (`count`)."""
    if not isinstance(data, Mapping) or not isinstance(data.get("results"), list):
        raise SourceFormatError(SOURCE, key, "a listing page without a 'results' list")
    for panel in data["results"]:
        panel_id = _panel_id(panel.get("id")) if isinstance(panel, Mapping) else None
        if panel_id is None:
            raise SourceFormatError(
                SOURCE, key, f"a listed panel without an id: {records.clip(panel)}"
            )
        listed[(region, panel_id)] = panel
    count = data.get("count")
    return count if isinstance(count, int) else 0


def _gene_rows(
    key: str,
    detail: Mapping[str, Any],
    region: str,
    rejects: list[records.Reject],
    stats: dict[str, int],
) -> list[dict[str, Any]]:
    """The green genes of one kidney panel detail as rows; unusable entries become rejects."""
    genes = detail.get("genes")
    if not isinstance(genes, list):
        raise SourceFormatError(SOURCE, key, "a panel detail without a 'genes' list")
    panel_id = _panel_id(detail.get("id"))
    rows: list[dict[str, Any]] = []
    for position, gene in enumerate(genes):
        where = f"{key}:genes[{position}]"
        if not isinstance(gene, Mapping):
            rejects.append(records.Reject(where, "gene entry is not an object", records.clip(gene)))
            continue
        level = str(gene.get("confidence_level", "")).strip().lower()
        if level not in GREEN_LEVELS:
            stats["genes_not_green"] = stats.get("genes_not_green", 0) + 1
            continue
        gene_data = gene.get("gene_data") if isinstance(gene.get("gene_data"), Mapping) else {}
        symbol = gene_data.get("gene_symbol") or gene.get("entity_name")
        if not aggregation.present(symbol):
            rejects.append(records.Reject(where, "green gene without a symbol", records.clip(gene)))
            continue
        phenotypes = gene.get("phenotypes")
        rows.append(
            {
                "symbol": str(symbol).strip(),
                "reported_hgnc_id": gene_data.get("hgnc_id") or None,
                "region": region,
                "panel_id": panel_id,
                "panel_name": detail.get("name"),
                "panel_version": str(detail.get("version") or "") or None,
                "confidence_level": level,
                "mode_of_inheritance": gene.get("mode_of_inheritance") or None,
                # Curators paste phenotypes with tabs and double spaces; collapse them so the
                # same phenotype is not listed twice.
                "phenotypes": [
                    " ".join(str(p).split()) for p in phenotypes if aggregation.present(p)
                ]
                if isinstance(phenotypes, list)
                else [],
            }
        )
    return rows


def parse(files: RawFiles) -> records.ParsedEvidence:
    """Green genes of the kidney panels of PanelApp UK and Australia.

    Reads the listing pages (`panelapp_{uk,au}/api/v1/panels/page-<n>`) and panel details
    (`panelapp_{uk,au}/api/v1/panels/<id>`); a detail is used when the panel is a kidney panel
    (judged on its listing entry, or on the detail itself when it is not listed). A kidney panel
    listed without a detail file, or a listing shorter than its advertised count, is reported as
    a reject. Rows: one per (region, panel, green gene).
    """
    selected = records.select_files(files, _KEY)
    if not selected:
        raise SourceFormatError(SOURCE, "panelapp_uk/api/v1/panels", "no PanelApp files given")

    rejects: list[records.Reject] = []
    stats: dict[str, int] = {}
    listed: dict[tuple[str, int], Mapping[str, Any]] = {}
    advertised: dict[str, int] = {}
    details: dict[tuple[str, int], tuple[str, Any]] = {}
    for key, path in selected.items():
        match = _KEY.fullmatch(key)
        assert match is not None  # selected by the same pattern
        upstream, page, detail_id = match.groups()
        region = REGIONS[upstream]
        data = read_json(SOURCE, key, path)
        if page is not None:
            count = _read_listing(key, data, region, listed)
            advertised[upstream] = max(advertised.get(upstream, 0), count)
        else:
            if not isinstance(data, Mapping):
                raise SourceFormatError(SOURCE, key, "a panel detail that is not a JSON object")
            details[(region, int(detail_id))] = (key, data)

    for upstream, count in advertised.items():
        region = REGIONS[upstream]
        seen = sum(1 for r, _ in listed if r == region)
        if seen < count:
            rejects.append(
                records.Reject(
                    f"{upstream}/api/v1/panels",
                    "panel listing incomplete",
                    f"{seen} of {count} advertised panels listed",
                )
            )

    kidney_listed = {k for k, panel in listed.items() if is_kidney_panel(panel)}
    rows: list[dict[str, Any]] = []
    used_panels: list[Mapping[str, Any]] = []
    for (region, panel_id), (key, detail) in sorted(details.items()):
        listing = listed.get((region, panel_id))
        kidney = (region, panel_id) in kidney_listed if listing else is_kidney_panel(detail)
        if not kidney:
            stats["details_not_kidney"] = stats.get("details_not_kidney", 0) + 1
            continue
        used_panels.append(detail)
        rows.extend(_gene_rows(key, detail, region, rejects, stats))
    for region, panel_id in sorted(kidney_listed - details.keys()):
        upstream = next(k for k, v in REGIONS.items() if v == region)
        rejects.append(
            records.Reject(
                f"{upstream}/api/v1/panels/{panel_id}",
                "kidney panel listed but its detail file is missing",
                records.clip(listed[(region, panel_id)].get("name", "")),
            )
        )

    stats.update(
        files=len(selected),
        panels_listed=len(listed),
        kidney_panels_listed=len(kidney_listed),
        kidney_panels_read=len(used_panels),
        green_gene_rows=len(rows),
    )
    created = sorted(str(p.get("version_created") or "")[:10] for p in used_panels)
    frame = (
        pd.DataFrame(rows, columns=list(ROW_COLUMNS)) if rows else records.empty_rows(ROW_COLUMNS)
    )
    return records.ParsedEvidence(
        source=SOURCE,
        rows=frame.astype(object),
        rejects=rejects,
        release=(created[-1] or None) if created else None,
        stats=stats,
    )


def _level_number(level: str) -> int:
    # The view casts the level to a number; the word "green" is the API's 3.
    return int(level) if level.isdigit() else _GREEN_NUMBER


def _source_detail(e: dict[str, Any]) -> str:
    return f"PanelApp ({', '.join(e['regions'])}): {aggregation.plural(e['panel_count'], 'panel')}"


def aggregate(rows: pd.DataFrame) -> pd.DataFrame:
    """One PanelApp evidence row per gene.

    `evidence_data`: `panels` (list of {id, name, version, region}, one per panel the gene is
    green on, both regions), `panel_count` (the scoring input), `regions`, `phenotypes`,
    `modes_of_inheritance`, `evidence_levels` (confidence levels), `reported_symbols`; and
    for upstream's PanelApp view `source` (the regions, joined by ", "), `confidence_level`
    (the highest level as a number, "green" being 3) and `moi` (the modes of inheritance,
    joined by "; ").
    """
    genes = aggregation.gene_index(rows)
    panels = rows.drop_duplicates(["hgnc_id", "region", "panel_id"])
    panels = panels.assign(region_rank=panels["region"].map(_REGION_ORDER)).sort_values(
        ["hgnc_id", "region_rank", "panel_id"], kind="stable"
    )
    panels = panels.rename(
        columns={"panel_id": "id", "panel_name": "name", "panel_version": "version"}
    )
    gene_panels = aggregation.record_lists(panels, genes, ["id", "name", "version", "region"])
    regions = aggregation.value_lists(rows, genes, "region", key=lambda r: r.map(_REGION_ORDER))
    levels = aggregation.value_lists(rows, genes, "confidence_level")
    modes = aggregation.value_lists(rows, genes, "mode_of_inheritance")
    evidence = aggregation.per_gene(
        panels=gene_panels,
        panel_count=[len(p) for p in gene_panels],
        regions=regions,
        phenotypes=aggregation.value_lists(rows, genes, "phenotypes", explode=True),
        modes_of_inheritance=modes,
        evidence_levels=levels,
        reported_symbols=aggregation.value_lists(rows, genes, "symbol"),
        # Upstream's PanelApp view reads these three scalars (its writer never filled them).
        source=[", ".join(r) for r in regions],
        confidence_level=[max(_level_number(v) for v in vs) if vs else None for vs in levels],
        moi=["; ".join(m) if m else None for m in modes],
    )
    return aggregation.evidence_frame(genes, evidence, _source_detail)


def read_release(files: RawFiles) -> str | None:
    """The newest `version_created` date of any listed panel."""
    dates: list[str] = []
    for key, path in records.select_files(files, _KEY).items():
        if "/page-" in key:
            listing = read_json(SOURCE, key, path)
            dates += [str(r.get("version_created") or "")[:10] for r in listing.get("results", [])]
    return max(filter(None, dates), default=None)
