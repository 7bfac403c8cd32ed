"""Synthetic mode: ~400 panels over both regions, ~27 of them kidney panels whose green genes
(~400) come from the evidence plan, plus non-kidney panels and keyword traps ("adrenal",
"cystic fibrosis", "tubulinopathies") with genes of their own.
"""

from __future__ import annotations

import json
import random
from typing import Any

from kg_pipeline.devtools.snapshot import names
from kg_pipeline.devtools.snapshot.context import SnapshotContext
from kg_pipeline.devtools.snapshot.evidence_plan import EvidencePlan, weighted_sample
from kg_pipeline.devtools.snapshot.names import pick, rint
from kg_pipeline.devtools.snapshot.panelapp.panels import (
    PANEL_TYPES,
    RENAL_GROUP,
    Panel,
    filler_panels,
    gene_entry,
    panel_version,
    write_detail,
    write_listing,
)
from kg_pipeline.devtools.snapshot.universe import GeneUniverse

# Synthetic kidney panels per region: (name, theme, genes on the panel).
SYNTHETIC_KIDNEY_PANELS: dict[str, tuple[tuple[str, str, int], ...]] = {
    "panelapp_uk": (
        ("Cystic kidney disorders", "cystic", 80),
        ("Polycystic and cystic renal disease", "cystic", 170),
        ("Nephronophthisis and renal ciliopathy", "cystic", 100),
        ("Glomerular disease and proteinuria", "glomerular", 110),
        ("Steroid-resistant nephrotic syndrome", "glomerular", 60),
        ("Inherited renal tubulopathies", "tubular", 70),
        ("Tubulointerstitial kidney disorders", "tubular", 27),
        ("Kidney stones and nephrocalcinosis", "stones", 50),
        ("Congenital anomalies of kidney and urinary tract (CAKUT)", "cakut", 100),
        ("Kidney failure of unknown cause in young people", "other", 170),
        ("Early-onset end-stage renal disease", "other", 500),
        ("Hereditary renal cancer", "other", 15),
        ("Nephrogenic diabetes insipidus", "tubular", 5),
        ("Complement-mediated kidney disease", "complement", 12),
    ),
    "panelapp_au": (
        ("Kidney disease_SuperPanel", "other", 460),
        ("Renal cystic disorders_SuperPanel", "cystic", 120),
        ("Glomerular kidney disease_SuperPanel", "glomerular", 100),
        ("CAKUT_SuperPanel (congenital kidney and urinary tract anomalies)", "cakut", 115),
        ("CAKUT nonsyndromic", "cakut", 45),
        ("CAKUT syndromic", "cakut", 72),
        ("Renal ciliopathies", "cystic", 97),
        ("Renal macrocystic disorders", "cystic", 23),
        ("Renal tubular disorders", "tubular", 130),
        ("Renal tubulointerstitial disorders", "tubular", 7),
        ("Renal amyloidosis", "other", 5),
        ("Renal cell cancer", "other", 10),
        ("Complement-mediated renal disease", "complement", 15),
    ),
}
SYNTHETIC_PANEL_COUNTS = {"panelapp_uk": 260, "panelapp_au": 140}
SYNTHETIC_GREEN_GENES = 400


def _phenotypes(rng: random.Random, theme: str | None) -> list[str]:
    templates = names.KIDNEY_DISEASES[theme] if theme else names.OTHER_DISEASES
    out = []
    for _ in range(rint(rng, 0, 3)):
        text = names.fill(pick(rng, templates), rng)
        if rng.random() < 0.6:
            text += f", {rint(rng, 100_000, 620_000)}"
        out.append(text)
    return out


def _synthetic_entry(
    rng: random.Random, universe: GeneUniverse, symbol: str, confidence: str, theme: str | None
) -> dict[str, Any]:
    gene = universe.by_symbol[symbol]
    return gene_entry(
        rng,
        gene,
        symbol=symbol,
        confidence=confidence,
        mode_of_inheritance=pick(rng, names.MODES_OF_INHERITANCE),
        phenotypes=_phenotypes(rng, theme),
        publications=[str(rint(rng, 9_000_000, 39_000_000)) for _ in range(rint(rng, 0, 3))],
        extra_evidence=[pick(rng, ("Expert list", "Literature", "UKGTN", "Radboud UMC Nijmegen"))]
        if rng.random() < 0.7
        else [],
    )


def write_panelapp_synthetic(ctx: SnapshotContext, plan: EvidencePlan) -> None:
    rng = ctx.rng("panelapp")
    universe = plan.universe
    green = set(
        weighted_sample(
            rng,
            plan.core,
            plan.core_weights(plateau=120, tau=120, alpha=2.0),
            SYNTHETIC_GREEN_GENES,
        )
    )
    core_rank = {g: i for i, g in enumerate(plan.core)}

    kidney: list[tuple[str, Panel, str, int]] = []  # (region, panel, theme, size)
    # Keyed by the panel object's position in `kidney`: ids repeat across the two regions.
    members: list[dict[str, str]] = []  # symbol -> confidence
    for key, defs in SYNTHETIC_KIDNEY_PANELS.items():
        used: set[int] = set()
        for name, theme, size in defs:
            pid = rint(rng, 1, 1_600 if key == "panelapp_uk" else 4_200)
            while pid in used:
                pid = rint(rng, 1, 4_200)
            used.add(pid)
            version, created = panel_version(rng)
            types = (
                [PANEL_TYPES["super"]]
                if "uper" in name or size >= 400
                else [PANEL_TYPES["rd"], PANEL_TYPES["virtual"]]
            )
            panel = Panel(pid, name, version, created, disease_group=RENAL_GROUP, types=types)
            panel.relevant_disorders = [f"R{rint(rng, 1, 450)}"]
            kidney.append((key, panel, theme, size))
            members.append({})

    # Every green gene gets a home panel of a matching theme; superpanels collect widely.
    by_theme: dict[str, list[int]] = {}
    for i, item in enumerate(kidney):
        by_theme.setdefault(item[2], []).append(i)
    theme_of: dict[str, list[str]] = {}
    for theme, genes in plan.themes.items():
        for g in genes:
            theme_of.setdefault(g, []).append(theme)
    big = [i for i, item in enumerate(kidney) if item[3] >= 400]
    for g in sorted(green, key=lambda s: core_rank[s]):
        themes = [t for t in theme_of.get(g, ["other"]) if t in by_theme] or ["other"]
        members[pick(rng, by_theme[pick(rng, themes)])][g] = "3"
        for i in big:
            if rng.random() < 0.75:
                members[i][g] = "3"
        if rng.random() < 0.35:
            members[rint(rng, 0, len(kidney) - 1)].setdefault(g, "3" if rng.random() < 0.8 else "2")
    # Fill each panel up to its size with amber and red genes of its theme.
    for i, (_key, _panel, theme, size) in enumerate(kidney):
        chosen = members[i]
        pool = [g for g in plan.theme_pool(theme)[: size * 4] if g not in chosen and g not in green]
        weights = [1.0 / (1 + i / 50) for i in range(len(pool))]
        for g in weighted_sample(rng, pool, weights, max(0, size - len(chosen))):
            chosen[g] = "2" if rng.random() < 0.35 else "1"

    oddities = plan.oddities(rng, sorted(green, key=lambda s: core_rank[s])[:200], 12)
    odd_by_panel: dict[int, list[dict[str, Any]]] = {}
    for n, odd in enumerate(oddities):
        target = (n * 5) % len(kidney)
        gene = universe.by_symbol.get(odd.gene) if odd.gene else None
        if odd.kind == "previous" and gene is not None:
            # PanelApp still showing a renamed gene's old symbol, with the right HGNC id.
            entry = gene_entry(rng, gene, symbol=odd.text, confidence="3")
        elif odd.kind == "lower_case" and gene is not None:
            entry = gene_entry(rng, gene, symbol=gene.symbol, confidence="3", entity_name=odd.text)
        else:
            entry = gene_entry(rng, None, symbol=odd.text, confidence="3", hgnc_id=None)
        odd_by_panel.setdefault(target, []).append(entry)
    # One malformed gene entry per region: no gene data and no name.
    for region in SYNTHETIC_KIDNEY_PANELS:
        first = next(i for i, item in enumerate(kidney) if item[0] == region)
        broken = gene_entry(rng, None, symbol="", confidence="3", hgnc_id=None)
        broken["gene_data"] = None
        odd_by_panel.setdefault(first, []).append(broken)

    for i, (_key, panel, theme, _size) in enumerate(kidney):
        entries = [
            _synthetic_entry(rng, universe, g, conf, theme)
            for g, conf in sorted(members[i].items())
        ]
        # A gene listed twice on one panel, as curation merges sometimes leave.
        if entries and rng.random() < 0.3:
            entries.insert(rint(rng, 0, len(entries)), json.loads(json.dumps(pick(rng, entries))))
        entries += odd_by_panel.get(i, [])
        panel.genes = entries
        panel.number_of_regions = rint(rng, 0, 3) if rng.random() < 0.3 else 0

    total_panels = 0
    for key in SYNTHETIC_KIDNEY_PANELS:
        region_kidney = [p for k, p, _, _ in kidney if k == key]
        used = {p.id for p in region_kidney}
        n_other = SYNTHETIC_PANEL_COUNTS[key] - len(region_kidney)
        fillers = filler_panels(rng, n_other, used, 1_600 if key == "panelapp_uk" else 4_200)
        for panel in fillers:
            size = rint(rng, 1, 60)
            pool = plan.others if rng.random() < 0.85 else plan.core
            start = rint(rng, 0, max(0, len(pool) - size * 3))
            genes = rng.sample(pool[start : start + size * 3], min(size, len(pool)))
            panel.genes = [
                _synthetic_entry(rng, universe, g, pick(rng, ("3", "3", "3", "2", "1")), None)
                for g in sorted(genes)
            ]
        panels = sorted(region_kidney + fillers, key=lambda p: (p.name.lower(), p.id))
        write_listing(
            ctx,
            key,
            [p.listing_entry() for p in panels],
            origin="synthetic",
            release=max(p.version_created for p in panels)[:10],
        )
        for panel in panels:
            write_detail(ctx, key, panel, origin="synthetic")
        total_panels += len(panels)
    ctx.say(
        f"panelapp: {total_panels} synthetic panels, {len(kidney)} kidney panels, "
        f"{len(green)} green kidney genes"
    )
