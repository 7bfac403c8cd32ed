"""What both modes share: the panel record, the paged listing and detail files as the real API
writes them, gene entries in PanelApp's field order, and the non-kidney filler panels.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from kg_pipeline.devtools.snapshot import names
from kg_pipeline.devtools.snapshot.context import SnapshotContext
from kg_pipeline.devtools.snapshot.names import pick, rint
from kg_pipeline.devtools.snapshot.universe import Gene
from kg_pipeline.manifest import Origin
from kg_pipeline.sources.registry import UPSTREAMS

PAGE_SIZE = 100
LISTING_FORMAT = "panelapp-panels-json"
DETAIL_FORMAT = "panelapp-panel-json"
EVIDENCE_BY_CONFIDENCE = {
    "3": "Expert Review Green",
    "2": "Expert Review Amber",
    "1": "Expert Review Red",
}
HGNC_RELEASE = "2017-11-03T00:00:00"
RENAL_GROUP = "Renal and urinary tract disorders"

PANEL_TYPES: dict[str, dict[str, str]] = {
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


def write_listing(
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


def write_detail(
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


def panel_version(rng: random.Random) -> tuple[str, str]:
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


def filler_panels(rng: random.Random, n: int, used: set[int], max_id: int) -> list[Panel]:
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
        version, created = panel_version(rng)
        out.append(
            Panel(
                id=pid,
                name=name,
                version=version,
                version_created=created,
                disease_group=pick(rng, names.PANEL_DISEASE_GROUPS),
                types=[PANEL_TYPES["virtual"]],
            )
        )
    return out
