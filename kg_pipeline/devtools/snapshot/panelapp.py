"""PanelApp UK and Australia: the paged panel listing and one detail file per listed panel.

Files (per region key `panelapp_uk` / `panelapp_au`):
- `api/v1/panels/page-<n>`: `GET /api/v1/panels/?page=n` (100 panels a page, `next`/`previous`
  links as the real API writes them; compact JSON without a final newline),
- `api/v1/panels/<id>`: `GET /api/v1/panels/<id>/` for every listed panel (compact JSON with a
  final newline, as the real downloads).

Real-data mode: the real UK listing pages and the 10 real UK details are copied; the R run's
other UK kidney panels get details with the R genes and confidences (derived-from-real);
every other listed UK panel gets a detail with an empty gene list (its genes are unknown).
PanelApp Australia is the R run's 12 panels and their genes, padded with unknown non-kidney
panels so the listing pages like the real one.

Synthetic mode: ~400 panels over both regions, ~27 of them kidney panels whose green genes
(~400) come from the evidence plan, plus non-kidney panels and keyword traps ("adrenal",
"cystic fibrosis", "tubulinopathies") with genes of their own.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from kg_pipeline.devtools.snapshot import names
from kg_pipeline.devtools.snapshot.context import SnapshotContext
from kg_pipeline.devtools.snapshot.evidence_plan import EvidencePlan, weighted_sample
from kg_pipeline.devtools.snapshot.manifest import Origin
from kg_pipeline.devtools.snapshot.names import pick, rint
from kg_pipeline.devtools.snapshot.realdata import R_RUN_DATE, RealData, RealDataError
from kg_pipeline.devtools.snapshot.universe import Gene, GeneUniverse
from kg_pipeline.upstreams import UPSTREAMS

PAGE_SIZE = 100
LISTING_FORMAT = "panelapp-panels-json"
DETAIL_FORMAT = "panelapp-panel-json"
CONFIDENCE = {"Green": "3", "Amber": "2", "Red": "1"}
EVIDENCE_BY_CONFIDENCE = {
    "3": "Expert Review Green",
    "2": "Expert Review Amber",
    "1": "Expert Review Red",
}
HGNC_RELEASE = "2017-11-03T00:00:00"
RENAL_GROUP = "Renal and urinary tract disorders"

_TYPES: dict[str, dict[str, str]] = {
    "rd": {
        "name": "Rare Disease 100K",
        "slug": "rare-disease-100k",
        "description": "Rare Disease 100K",
    },
    "virtual": {
        "name": "GMS Rare Disease Virtual",
        "slug": "gms-rare-disease-virtual",
        "description": "Virtual gene panel for an exome/genome/panel based rare disease test.",
    },
    "signed": {
        "name": "GMS signed-off",
        "slug": "gms-signed-off",
        "description": "Reviewed and signed off for use within the GMS.",
    },
    "super": {
        "name": "Super Panel",
        "slug": "super-panel",
        "description": "Panel made up of other panels.",
    },
    "component": {
        "name": "Component Of Super Panel",
        "slug": "component-of-super-panel",
        "description": "This panel is a component of a Super Panel",
    },
}

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
# Real-data mode: unknown non-kidney panels that pad the Australian listing to two pages.
AU_PADDING_PANELS = 108


@dataclass
class Panel:
    """Listing metadata of one panel, plus its gene entries once known."""

    id: int
    name: str
    version: str
    version_created: str
    disease_group: str = ""
    disease_sub_group: str = ""
    relevant_disorders: list[str] = field(default_factory=list)
    types: list[dict[str, str]] = field(default_factory=list)
    hash_id: str | None = None
    number_of_regions: int = 0
    genes: list[dict[str, Any]] = field(default_factory=list)

    def listing_entry(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "hash_id": self.hash_id,
            "name": self.name,
            "disease_group": self.disease_group,
            "disease_sub_group": self.disease_sub_group,
            "status": "public",
            "version": self.version,
            "version_created": self.version_created,
            "relevant_disorders": self.relevant_disorders,
            "stats": {
                "number_of_genes": len(self.genes),
                "number_of_strs": 0,
                "number_of_regions": self.number_of_regions,
            },
            "types": self.types,
        }

    def detail(self) -> dict[str, Any]:
        body = self.listing_entry()
        body["genes"] = self.genes
        body["strs"] = []
        body["regions"] = []
        return body


def _listing_url(key: str, page: int) -> str:
    base = f"{UPSTREAMS[key].base_url}/api/v1/panels/"
    return base if page == 1 else f"{base}?page={page}"


def _write_listing(
    ctx: SnapshotContext,
    key: str,
    entries: Sequence[dict[str, Any]],
    *,
    origin: Origin,
    release: str,
) -> int:
    pages = max(1, -(-len(entries) // PAGE_SIZE))
    for n in range(1, pages + 1):
        body = {
            "count": len(entries),
            "next": _listing_url(key, n + 1) if n < pages else None,
            "previous": _listing_url(key, n - 1) if n > 1 else None,
            "results": list(entries[(n - 1) * PAGE_SIZE : n * PAGE_SIZE]),
        }
        ctx.writer.write_json(
            key,
            f"api/v1/panels/page-{n}",
            body,
            format=LISTING_FORMAT,
            origin=origin,
            release=release,
        )
    return pages


def _write_detail(
    ctx: SnapshotContext, key: str, panel: Panel, *, origin: Origin, release: str | None = None
) -> None:
    ctx.writer.write_json(
        key,
        f"api/v1/panels/{panel.id}",
        panel.detail(),
        format=DETAIL_FORMAT,
        origin=origin,
        release=release or panel.version_created[:10],
        style="compact-nl",
    )


def _coordinates(rng: random.Random, gene: Gene) -> str:
    chrom = gene.chromosome or str(rint(rng, 1, 22))
    start = rint(rng, 100_000, 240_000_000)
    return f"{chrom}:{start}-{start + rint(rng, 2_000, 400_000)}"


def gene_entry(
    rng: random.Random,
    gene: Gene | None,
    *,
    symbol: str,
    confidence: str,
    hgnc_id: str | None = None,
    mode_of_inheritance: str = "",
    phenotypes: Sequence[str] = (),
    publications: Sequence[str] = (),
    extra_evidence: Sequence[str] = (),
    entity_name: str | None = None,
) -> dict[str, Any]:
    """A gene entry of a panel detail, in PanelApp's field order.

    `symbol` is the symbol PanelApp shows (possibly outdated); `gene` supplies the HGNC facts.
    """
    ensembl: dict[str, Any] = {}
    if gene is not None and gene.ensembl_gene_id:
        ensembl = {
            "GRch37": {
                "82": {"location": _coordinates(rng, gene), "ensembl_id": gene.ensembl_gene_id}
            },
            "GRch38": {
                "90": {"location": _coordinates(rng, gene), "ensembl_id": gene.ensembl_gene_id}
            },
        }
    gene_data = {
        "alias": list(gene.alias_symbols) if gene else [],
        "biotype": "protein_coding",
        "hgnc_id": hgnc_id if hgnc_id is not None else (gene.hgnc_id if gene else None),
        "gene_name": gene.name if gene else None,
        "omim_gene": list(gene.omim_ids) if gene else [],
        "alias_name": list(gene.alias_names) or None if gene else None,
        "gene_symbol": symbol,
        "hgnc_symbol": symbol,
        "hgnc_release": HGNC_RELEASE,
        "ensembl_genes": ensembl,
        "hgnc_date_symbol_changed": None,
    }
    evidence = [EVIDENCE_BY_CONFIDENCE.get(confidence, "Expert Review"), *extra_evidence]
    return {
        "gene_data": gene_data,
        "entity_type": "gene",
        "entity_name": entity_name if entity_name is not None else symbol,
        "confidence_level": confidence,
        "penetrance": "Complete" if confidence == "3" else "",
        "mode_of_pathogenicity": "",
        "publications": list(publications),
        "evidence": evidence,
        "phenotypes": list(phenotypes),
        "mode_of_inheritance": mode_of_inheritance,
        "tags": [],
        "transcript": None,
    }


# ---------------------------------------------------------------------------- real mode

_R_SOURCE_RE = re.compile(
    r"^(?P<name>.*) \(id=(?P<id>\d+), version=(?P<version>[^,]+), confidence=(?P<conf>\w+)\)$"
)


def _r_panel_genes(real: RealData) -> dict[tuple[int, str], list[tuple[str, str, str]]]:
    """(R panel id, name) -> [(reported symbol, numeric HGNC id, confidence "3"/"2"/"1")].

    Keyed by id and name because ids are only unique within one PanelApp instance.
    """
    out: dict[tuple[int, str], list[tuple[str, str, str]]] = {}
    table = real.r_panelapp_genes
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
    r_panels = real.r_panelapp_panels
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
        _write_detail(ctx, "panelapp_uk", panel, origin="derived-from-real")
    # R panels the current listing no longer has (e.g. retired superpanels) stay reachable.
    for pid in r_uk:
        row = r_meta[pid]
        if pid in uk_ids or (pid, row["name"]) not in r_genes:
            continue
        panel = Panel(
            id=pid,
            name=row["name"],
            version=row["version"],
            version_created=row["version_created"],
            disease_group=RENAL_GROUP,
            types=[_TYPES["super"]],
        )
        panel.genes = _r_detail_genes(rng, universe, r_genes[(pid, row["name"])])
        _write_detail(ctx, "panelapp_uk", panel, origin="derived-from-real")
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
        panel = Panel(
            id=pid,
            name=row["name"],
            version=row["version"],
            version_created=row["version_created"],
            disease_group=RENAL_GROUP,
            types=[_TYPES["super"] if "SuperPanel" in row["name"] else _TYPES["component"]],
        )
        panel.genes = _r_detail_genes(rng, universe, r_genes.get((pid, row["name"]), []))
        au.append(panel)
    used = {p.id for p in au}
    padding = _filler_panels(ctx.rng("panelapp-au-padding"), AU_PADDING_PANELS, used, 4_200)
    listing = sorted(au + padding, key=lambda p: (p.name.lower(), p.id))
    _write_listing(
        ctx,
        "panelapp_au",
        [p.listing_entry() for p in listing],
        origin="derived-from-real",
        release=R_RUN_DATE,
    )
    for panel in au:
        _write_detail(ctx, "panelapp_au", panel, origin="derived-from-real")
    for panel in padding:
        _write_detail(ctx, "panelapp_au", panel, origin="synthetic")
    ctx.say(
        f"panelapp_au: {len(au)} R panels ({sum(len(p.genes) for p in au)} gene entries) "
        f"+ {len(padding)} panels without genes"
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


def _version(rng: random.Random) -> tuple[str, str]:
    version = f"{rint(rng, 0, 12)}.{rint(rng, 1, 180)}"
    day = dt.datetime(2023, 1, 1) + dt.timedelta(
        days=rint(rng, 0, 730), seconds=rint(rng, 0, 86_399), microseconds=rint(rng, 0, 999_999)
    )
    return version, day.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


_QUALIFIERS: tuple[str, ...] = (
    "",
    " - extended",
    " - core genes",
    " (paediatric)",
    " (adult onset)",
    " superpanel",
    " - diagnostic test",
    " - research",
    " - hereditary forms",
    " - syndromic",
    " - non-syndromic",
    " - GMS",
)


def _filler_panels(rng: random.Random, n: int, used: set[int], max_id: int) -> list[Panel]:
    """Non-kidney panels: each keyword trap once, then other diseases' panels."""
    names_pool = names.PANEL_OTHER_NAMES
    if n > len(names_pool) * len(_QUALIFIERS) + len(names.PANEL_TRAP_NAMES):
        raise ValueError(f"cannot name {n} distinct filler panels")
    out: list[Panel] = []
    seen: set[str] = set()
    # The keyword traps are always listed once under their plain name.
    fixed = list(names.PANEL_TRAP_NAMES)
    while len(out) < n:
        name = fixed.pop(0) if fixed else pick(rng, names_pool) + pick(rng, _QUALIFIERS)
        if name in seen:
            continue
        seen.add(name)
        pid = rint(rng, 1, max_id)
        while pid in used:
            pid = rint(rng, 1, max_id)
        used.add(pid)
        version, created = _version(rng)
        out.append(
            Panel(
                id=pid,
                name=name,
                version=version,
                version_created=created,
                disease_group=pick(rng, names.PANEL_DISEASE_GROUPS),
                types=[_TYPES["virtual"]],
            )
        )
    return out


# ----------------------------------------------------------------------- synthetic mode


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
            version, created = _version(rng)
            types = (
                [_TYPES["super"]]
                if "uper" in name or size >= 400
                else [_TYPES["rd"], _TYPES["virtual"]]
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
        fillers = _filler_panels(rng, n_other, used, 1_600 if key == "panelapp_uk" else 4_200)
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
        _write_listing(
            ctx,
            key,
            [p.listing_entry() for p in panels],
            origin="synthetic",
            release=max(p.version_created for p in panels)[:10],
        )
        for panel in panels:
            _write_detail(ctx, key, panel, origin="synthetic")
        total_panels += len(panels)
    ctx.say(
        f"panelapp: {total_panels} synthetic panels, {len(kidney)} kidney panels, "
        f"{len(green)} green kidney genes"
    )
