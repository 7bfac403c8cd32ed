"""Real-data mode: the real UK listing pages and the 10 real UK details are copied; the R run's
other UK kidney panels get details with the R genes and confidences (derived-from-real);
every other listed UK panel gets a detail with an empty gene list (its genes are unknown).
PanelApp Australia is the R run's 12 panels and their genes, padded with unknown non-kidney
panels so the listing pages like the real one.
"""

from __future__ import annotations

import json
import random
import re
from typing import Any

from kg_pipeline.devtools.snapshot.context import SnapshotContext
from kg_pipeline.devtools.snapshot.panelapp.panels import (
    DETAIL_FORMAT,
    LISTING_FORMAT,
    PANEL_TYPES,
    RENAL_GROUP,
    Panel,
    filler_panels,
    gene_entry,
    write_detail,
    write_listing,
)
from kg_pipeline.devtools.snapshot.realdata import R_RUN_DATE, RealData, RealDataError, RTable
from kg_pipeline.devtools.snapshot.universe import GeneUniverse

CONFIDENCE = {"Green": "3", "Amber": "2", "Red": "1"}
# Unknown non-kidney panels that pad the Australian listing to two pages.
AU_PADDING_PANELS = 108

_R_SOURCE_RE = re.compile(
    r"^(?P<name>.*) \(id=(?P<id>\d+), version=(?P<version>[^,]+), confidence=(?P<conf>\w+)\)$"
)


def _r_panel_genes(real: RealData) -> dict[tuple[int, str], list[tuple[str, str, str]]]:
    """(R panel id, name) -> [(reported symbol, numeric HGNC id, confidence "3"/"2"/"1")].

    Keyed by id and name because ids are only unique within one PanelApp instance.
    """
    out: dict[tuple[int, str], list[tuple[str, str, str]]] = {}
    table = real.r_table(RTable.PANELAPP_GENES)
    for reported, hgnc_num, source in zip(
        table["gene_name_reported"], table["hgnc_id"], table["source"], strict=True
    ):
        for part in source.split(" | "):
            match = _R_SOURCE_RE.match(part.strip())
            if not match:
                continue
            conf = CONFIDENCE.get(match.group("conf"), "1")
            key = (int(match.group("id")), match.group("name"))
            out.setdefault(key, []).append((reported, hgnc_num, conf))
    for genes in out.values():
        genes.sort(key=lambda t: (t[0].upper(), t[0]))
    return out


def _r_detail_genes(
    rng: random.Random, universe: GeneUniverse, genes: list[tuple[str, str, str]]
) -> list[dict[str, Any]]:
    entries = []
    for reported, hgnc_num, conf in genes:
        hgnc_id = f"HGNC:{hgnc_num}" if hgnc_num and hgnc_num != "NULL" else None
        gene = universe.by_hgnc_id.get(hgnc_id) if hgnc_id else None
        entries.append(gene_entry(rng, gene, symbol=reported, confidence=conf, hgnc_id=hgnc_id))
    return entries


def _date_of(version_created: str) -> str:
    return version_created[:10]


def write_panelapp_real(ctx: SnapshotContext, real: RealData, universe: GeneUniverse) -> None:
    rng = ctx.rng("panelapp-real")
    r_genes = _r_panel_genes(real)
    r_panels = real.r_table(RTable.PANELAPP_PANELS)
    r_meta: dict[int, dict[str, str]] = {int(row["id"]): row for row in r_panels.to_dict("records")}

    # UK: the real listing, as downloaded.
    pages = real.panelapp_uk_pages()
    if not pages:
        raise RealDataError(f"no PanelApp UK listing pages under {real.root / 'raw/panelapp_uk'}")
    listed: list[dict[str, Any]] = []
    for path in pages:
        listed += json.loads(path.read_bytes())["results"]
    listing_release = max(p["version_created"] for p in listed)[:10]
    for n, path in enumerate(pages, start=1):
        ctx.writer.copy_file(
            "panelapp_uk",
            f"api/v1/panels/page-{n}",
            path,
            format=LISTING_FORMAT,
            origin="real",
            release=listing_release,
        )

    counts = {"real": 0, "derived": 0, "unknown": 0}
    uk_ids = {p["id"] for p in listed}
    # R panel ids are per region; an Australian id can coincide with a UK one.
    r_uk = sorted(i for i, row in r_meta.items() if row["panel_source"] == "panelapp_uk")
    for entry in listed:
        pid = entry["id"]
        real_detail = real.panelapp_uk_detail(pid)
        if real_detail is not None:
            ctx.writer.copy_file(
                "panelapp_uk",
                f"api/v1/panels/{pid}",
                real_detail,
                format=DETAIL_FORMAT,
                origin="real",
                release=_date_of(json.loads(real_detail.read_bytes())["version_created"]),
            )
            counts["real"] += 1
            continue
        panel = _panel_from_listing(entry)
        r_key = (pid, r_meta[pid]["name"]) if pid in r_uk else None
        if r_key in r_genes:
            panel.version = r_meta[pid]["version"]
            panel.version_created = r_meta[pid]["version_created"]
            panel.genes = _r_detail_genes(rng, universe, r_genes[r_key])
            counts["derived"] += 1
        else:
            counts["unknown"] += 1
        write_detail(ctx, "panelapp_uk", panel, origin="derived-from-real")
    # R panels the current listing no longer has (e.g. retired superpanels) stay reachable.
    for pid in r_uk:
        row = r_meta[pid]
        if pid in uk_ids or (pid, row["name"]) not in r_genes:
            continue
        panel = _r_panel(pid, row, PANEL_TYPES["super"])
        panel.genes = _r_detail_genes(rng, universe, r_genes[(pid, row["name"])])
        write_detail(ctx, "panelapp_uk", panel, origin="derived-from-real")
        counts["derived"] += 1
    ctx.say(
        f"panelapp_uk: real listing ({len(listed)} panels, {len(pages)} pages); details: "
        f"{counts['real']} real, {counts['derived']} from R genes, "
        f"{counts['unknown']} without genes"
    )

    # Australia: the R run's panels, padded with unknown non-kidney panels.
    au: list[Panel] = []
    for pid in sorted(i for i, row in r_meta.items() if row["panel_source"] != "panelapp_uk"):
        row = r_meta[pid]
        kind = "super" if "SuperPanel" in row["name"] else "component"
        panel = _r_panel(pid, row, PANEL_TYPES[kind])
        panel.genes = _r_detail_genes(rng, universe, r_genes.get((pid, row["name"]), []))
        au.append(panel)
    used = {p.id for p in au}
    padding = filler_panels(ctx.rng("panelapp-au-padding"), AU_PADDING_PANELS, used, 4_200)
    listing = sorted(au + padding, key=lambda p: (p.name.lower(), p.id))
    write_listing(
        ctx,
        "panelapp_au",
        [p.listing_entry() for p in listing],
        origin="derived-from-real",
        release=R_RUN_DATE,
    )
    for panel in au:
        write_detail(ctx, "panelapp_au", panel, origin="derived-from-real")
    for panel in padding:
        write_detail(ctx, "panelapp_au", panel, origin="synthetic")
    ctx.say(
        f"panelapp_au: {len(au)} R panels ({sum(len(p.genes) for p in au)} gene entries) "
        f"+ {len(padding)} panels without genes"
    )


def _r_panel(pid: int, row: dict[str, str], panel_type: dict[str, str]) -> Panel:
    """A renal panel the R run listed (its genes are added by the caller)."""
    return Panel(
        id=pid,
        name=row["name"],
        version=row["version"],
        version_created=row["version_created"],
        disease_group=RENAL_GROUP,
        types=[panel_type],
    )


def _panel_from_listing(entry: dict[str, Any]) -> Panel:
    return Panel(
        id=entry["id"],
        name=entry["name"],
        version=entry["version"],
        version_created=entry["version_created"],
        disease_group=entry.get("disease_group") or "",
        disease_sub_group=entry.get("disease_sub_group") or "",
        relevant_disorders=list(entry.get("relevant_disorders") or []),
        types=list(entry.get("types") or []),
        hash_id=entry.get("hash_id"),
    )
