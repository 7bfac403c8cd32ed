"""The two file-based sources: 9 diagnostic-panel provider files and 12 publication files.

Files: `diagnostic_panels/<provider>.json` and `literature/literature_pmid_<pmid>.json`, in
the shapes of kidney-genetics-db's seed files (2-space indented JSON, ASCII escapes, no final
newline). Real-data mode copies the real seed files unchanged. Synthetic mode writes the same
shapes for the same providers and PMIDs: ~966 distinct genes over the 9 providers (a shared
core on every panel and long per-provider tails), ~815 over the 12 publications, with the odd
entries real scrapes produce (outdated symbols, junk text, blanks, duplicates, an entry
without a symbol).
"""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path
from typing import Any

from kg_pipeline.devtools.snapshot import names
from kg_pipeline.devtools.snapshot.context import SnapshotContext
from kg_pipeline.devtools.snapshot.evidence_plan import EvidencePlan, weighted_sample
from kg_pipeline.devtools.snapshot.names import pick, rint
from kg_pipeline.devtools.snapshot.realdata import RealData
from kg_pipeline.devtools.snapshot.universe import Gene, GeneUniverse
from kg_pipeline.sources.diagnostic_panels.upstream import PROVIDERS as DIAGNOSTIC_PANEL_PROVIDERS
from kg_pipeline.sources.literature.upstream import PMIDS as LITERATURE_PMIDS

PANEL_FORMAT = "kidney-genetics-seed-diagnostic-panel-json"
LITERATURE_FORMAT = "kidney-genetics-seed-literature-json"

# Synthetic provider facts: display name, genes on its panel (rows), single or multi panel.
PROVIDERS: dict[str, tuple[str, int, str]] = {
    "blueprint_genetics": ("Blueprint Genetics", 370, "multi_panel"),
    "cegat": ("CeGaT", 288, "single_panel"),
    "centogene": ("Centogene", 489, "single_panel"),
    "invitae": ("Invitae", 400, "single_panel"),
    "mayo_clinic": ("Mayo Clinic Labs", 301, "single_panel"),
    "mgz_muenchen": ("MGZ M\u00fcnchen", 468, "single_panel"),
    "mvz_medicover": ("MVZ Medicover", 125, "single_panel"),
    "natera": ("Natera", 407, "single_panel"),
    "prevention_genetics": ("PreventionGenetics", 330, "single_panel"),
}
# Distinct genes per synthetic publication, in LITERATURE_PMIDS order.
PUBLICATION_SIZES: tuple[int, ...] = (89, 140, 620, 207, 226, 226, 316, 244, 265, 151, 379, 104)
BLUEPRINT_SUBPANELS = 24


def _release_of(data: dict[str, Any], key: str) -> str:
    value = data.get(key) or ""
    return str(value)[:10] or "unknown"


def _copy_real_seed_files(
    ctx: SnapshotContext, upstream: str, files: dict[str, Path], format: str, released: str
) -> None:
    """Copy real seed files (relpath -> path) unchanged, each released on the date of its
    `released` field."""
    for relpath, path in files.items():
        release = _release_of(json.loads(path.read_bytes()), released)
        ctx.writer.copy_file(upstream, relpath, path, format=format, origin="real", release=release)
    ctx.say(f"{upstream}: {len(files)} real seed files")


def _write_seed_file(
    ctx: SnapshotContext,
    upstream: str,
    relpath: str,
    body: dict[str, Any],
    format: str,
    released: str,
) -> None:
    """Write a synthetic seed file as kidney-genetics-db stores them, released on the date of
    its `released` field."""
    release = _release_of(body, released)
    ctx.writer.write_json(
        upstream, relpath, body, format=format, origin="synthetic", release=release, style="seed"
    )


def write_diagnostic_panels_real(ctx: SnapshotContext, real: RealData) -> None:
    files = {f"{p}.json": real.diagnostic_panel(p) for p in DIAGNOSTIC_PANEL_PROVIDERS}
    _copy_real_seed_files(ctx, "diagnostic_panels", files, PANEL_FORMAT, "scraped_at")


def write_literature_real(ctx: SnapshotContext, real: RealData) -> None:
    files = {f"literature_pmid_{pmid}.json": real.literature(pmid) for pmid in LITERATURE_PMIDS}
    _copy_real_seed_files(ctx, "literature", files, LITERATURE_FORMAT, "extraction_timestamp")


def _timestamp(rng: random.Random) -> str:
    when = dt.datetime(2025, 1, 16, 9) + dt.timedelta(
        seconds=rint(rng, 0, 30_000), microseconds=rint(rng, 0, 999_999)
    )
    return when.strftime("%Y-%m-%dT%H:%M:%S.%f")


def _reported(rng: random.Random, universe: GeneUniverse, gene: Gene) -> str:
    """What the provider printed: usually the approved symbol, sometimes an older one."""
    if rng.random() < 0.03:
        prev = universe.unique_prev_symbol(gene)
        if prev:
            return prev
    return gene.symbol


def _odd_entries(
    rng: random.Random, plan: EvidencePlan, genes: list[str], n: int, panel_names: list[str]
) -> list[dict[str, Any]]:
    """Entries a scraper lets through: odd symbols, a blank, an entry with no symbol at all."""
    out: list[dict[str, Any]] = []
    for odd in plan.oddities(rng, genes, n):
        out.append(
            {
                "symbol": odd.text,
                "panels": panel_names[:1],
                "occurrence_count": 1,
                "reported_as": odd.text,
                "hgnc_id": None,
                "normalization_status": "pending",
            }
        )
    out.append(
        {
            "symbol": "",
            "panels": panel_names[:1],
            "occurrence_count": 1,
            "reported_as": "",
            "hgnc_id": None,
            "normalization_status": "failed",
        }
    )
    out.append({"panels": panel_names[:1], "occurrence_count": 1, "reported_as": None})
    return out


def write_diagnostic_panels_synthetic(ctx: SnapshotContext, plan: EvidencePlan) -> None:
    universe = plan.universe
    rng = ctx.rng("diagnostic_panels")
    weights = plan.core_weights(plateau=80, tau=300, alpha=3.0)
    distinct_dp: set[str] = set()
    for provider in DIAGNOSTIC_PANEL_PROVIDERS:
        display, size, kind = PROVIDERS[provider]
        genes = weighted_sample(rng, plan.core, weights, size)
        distinct_dp.update(genes)
        if kind == "multi_panel":
            subpanels = _subpanels(rng)
            panel_names = [s["name"] for s in subpanels]
        else:
            subpanels = []
            panel_names = [f"{display} Comprehensive Kidney Panel"]
        entries: list[dict[str, Any]] = []
        for symbol in sorted(genes):
            gene = universe.by_symbol[symbol]
            panels = (
                sorted(rng.sample(panel_names, min(len(panel_names), rint(rng, 1, 6))))
                if kind == "multi_panel"
                else panel_names
            )
            entries.append(
                {
                    "symbol": symbol,
                    "panels": panels,
                    "occurrence_count": len(panels),
                    "reported_as": _reported(rng, universe, gene),
                    "hgnc_id": gene.hgnc_id,
                    "normalization_status": "normalized",
                }
            )
        rng.shuffle(entries)
        if rng.random() < 0.6:  # the same gene listed twice on one provider page
            entries.append(dict(pick(rng, entries)))
        odd = _odd_entries(rng, plan, genes, 3, panel_names)
        for e in odd:
            entries.insert(rint(rng, 0, len(entries)), e)
        if subpanels:
            for s in subpanels:
                s["gene_count"] = sum(1 for e in entries if s["name"] in (e.get("panels") or ()))
        body = {
            "id": provider,
            "provider_id": provider,
            "provider_name": display,
            "provider_type": kind,
            "main_url": f"https://{provider.replace('_', '-')}.example/tests/kidney",
            "total_panels": len(subpanels) or 1,
            "total_unique_genes": len(genes),
            "genes": entries,
            "sub_panels": subpanels or None,
            "metadata": {"panel_name": panel_names[0], "scraper_version": "1.0.0"}
            if kind == "single_panel"
            else {"scraper_version": "1.0.0", "panel_type": kind, "total_panels": len(subpanels)},
            "errors": None,
            "scraped_at": _timestamp(rng),
        }
        _write_seed_file(
            ctx, "diagnostic_panels", f"{provider}.json", body, PANEL_FORMAT, "scraped_at"
        )
    ctx.say(f"diagnostic_panels: {len(distinct_dp)} distinct genes over {len(PROVIDERS)} providers")


def write_literature_synthetic(ctx: SnapshotContext, plan: EvidencePlan) -> None:
    universe = plan.universe
    rng = ctx.rng("literature")
    weights = plan.core_weights(plateau=30, tau=180, alpha=3.0)
    distinct_lit: set[str] = set()
    for pmid, size in zip(LITERATURE_PMIDS, PUBLICATION_SIZES, strict=True):
        genes = weighted_sample(rng, plan.core, weights, size)
        distinct_lit.update(genes)
        entries = []
        for symbol in sorted(genes):
            gene = universe.by_symbol[symbol]
            entries.append(
                {
                    "symbol": symbol,
                    "reported_as": _reported(rng, universe, gene),
                    "hgnc_id": gene.hgnc_id,
                    "normalization_status": "normalized",
                }
            )
        if rng.random() < 0.5:
            entries.append(dict(pick(rng, entries)))
        for e in _odd_entries(rng, plan, genes, 2, []):
            e.pop("panels", None)
            e.pop("occurrence_count", None)
            entries.insert(rint(rng, 0, len(entries)), e)
        file_type = pick(rng, ("pdf", "docx", "xlsx", "zip"))
        published = dt.date(2015, 1, 1) + dt.timedelta(days=rint(rng, 0, 2_900))
        disease = pick(
            rng,
            (
                "cystic kidney disease",
                "chronic kidney disease",
                "early-onset kidney failure",
                "CAKUT",
            ),
        )
        design = pick(rng, ("cohort", "registry", "multicentre"))
        body = {
            "id": pmid,
            "pmid": pmid,
            "title": f"Gene panel sequencing in {disease}: a {design} study",
            "authors": [names.person(rng) for _ in range(rint(rng, 1, 2))],
            "journal": pick(rng, (*names.JOURNALS, "Unknown Journal")),
            "publication_date": f"{published.isoformat()}T00:00:00",
            "url": f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/",
            "doi": None,
            "genes": entries,
            "gene_count": len(entries),
            "source_file": f"scrapers/literature/data/downloads/PMID_{pmid}.{file_type}",
            "file_type": file_type,
            "extraction_method": f"PMID{pmid}Processor",
            "extraction_timestamp": _timestamp(rng),
            "extraction_errors": None,
        }
        _write_seed_file(
            ctx,
            "literature",
            f"literature_pmid_{pmid}.json",
            body,
            LITERATURE_FORMAT,
            "extraction_timestamp",
        )
    ctx.say(
        f"literature: {len(distinct_lit)} distinct genes over {len(LITERATURE_PMIDS)} publications"
    )


def _subpanels(rng: random.Random) -> list[dict[str, Any]]:
    seen: set[str] = set()
    out: list[dict[str, Any]] = []
    templates = [t for ts in names.KIDNEY_DISEASES.values() for t in ts]
    while len(out) < BLUEPRINT_SUBPANELS:
        base = pick(rng, templates).replace(" {n}", "").replace(", type", "").replace(",", "")
        name = f"{base[0].upper()}{base[1:]} Panel"
        if name in seen:
            continue
        seen.add(name)
        slug = name.lower().replace(" ", "-").replace("/", "-")
        out.append(
            {"name": name, "url": f"https://blueprint-genetics.example/{slug}", "gene_count": 0}
        )
    return out
