"""Parse the commercial diagnostic-panel provider files into per-gene panel evidence.

Owns reading the nine provider files (`diagnostic_panels/<provider>.json`: provider id, name and
type, and `genes` with symbol, panels, reported_as, hgnc_id), the symbol fallbacks and
placeholder rejection of `kg_pipeline.sources.gene_lists`, and the per-gene DiagnosticPanels
evidence (reference 2.6).

Decision against upstream: every gene's `providers` are the providers of the files that list
it (upstream's seeder recorded "Seeded from 9 files" as the only provider of every gene).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

import pandas as pd

from kg_pipeline.raw_files import RawFiles
from kg_pipeline.sources import aggregation, gene_lists, records

SOURCE: Final = "DiagnosticPanels"
_FILE_KEY: Final = re.compile(r"diagnostic_panels/(?P<stem>[^/]+)\.json")

ROW_COLUMNS: Final[tuple[str, ...]] = ("provider", "provider_id", "panels")


def _panels(entry: Any, provider: str) -> list[str]:
    """The entry's panel names (`panels` as list or comma-separated text, plus `panel_name`);
    a provider file that names no panel for a gene counts as one panel named after the
    provider."""
    names: list[str] = []
    if isinstance(entry, Mapping):
        panels = entry.get("panels")
        if isinstance(panels, str):
            panels = panels.split(",")
        if isinstance(panels, list):
            names.extend(str(p).strip() for p in panels if p is not None and str(p).strip())
        panel_name = gene_lists.text_field(entry, "panel_name")
        if panel_name:
            names.append(panel_name)
    return sorted(set(names)) or [provider]


def _provider_file(file: gene_lists.GeneListFile) -> tuple[gene_lists.EntryFields, str | None]:
    """The provider is the file's `provider_name` (else `provider_id`, `id`, or the file name of
    the key); its release the date of `scraped_at`."""
    header = file.header
    provider_id = (
        gene_lists.text_field(header, "provider_id")
        or gene_lists.text_field(header, "id")
        or file.match["stem"]
    )
    provider = gene_lists.text_field(header, "provider_name") or provider_id
    scraped = (
        str(header["scraped_at"])[:10] if gene_lists.text_field(header, "scraped_at") else None
    )

    def entry_fields(entry: Any) -> dict[str, Any]:
        return {
            "provider": provider,
            "provider_id": provider_id,
            "panels": _panels(entry, provider),
        }

    return entry_fields, scraped


def parse(files: RawFiles) -> records.ParsedEvidence:
    """Genes of every provider file, one row per (provider file, gene entry). Release: the
    latest `scraped_at` date."""
    return gene_lists.read_gene_list_files(SOURCE, files, _FILE_KEY, ROW_COLUMNS, _provider_file)


def _source_detail(e: dict[str, Any]) -> str:
    return (
        f"DiagnosticPanels: {aggregation.plural(e['panel_count'], 'panel')} from "
        f"{aggregation.plural(e['provider_count'], 'provider')}"
    )


def aggregate(rows: pd.DataFrame) -> pd.DataFrame:
    """One DiagnosticPanels evidence row per gene.

    `evidence_data`: `panels` (sorted distinct panel names; a name that several providers use
    is qualified as "name (provider)"), `panel_count` (distinct provider panels; the scoring
    input), `providers` (sorted), `provider_count`, `hgnc_ids` (as the files report them),
    `reported_symbols`.
    """
    genes = aggregation.gene_index(rows)
    pairs = rows[["hgnc_id", "provider", "panels"]].explode("panels").dropna()
    pairs = pairs.rename(columns={"panels": "panel"}).drop_duplicates()
    providers_per_name = pairs.groupby("panel")["provider"].nunique()
    shared = pairs["panel"].map(providers_per_name).gt(1)
    pairs = pairs.assign(
        label=pairs["panel"].where(~shared, pairs["panel"] + " (" + pairs["provider"] + ")")
    )
    panels = aggregation.value_lists(pairs, genes, "label")
    providers = aggregation.value_lists(rows, genes, "provider")
    evidence = aggregation.per_gene(
        panels=panels,
        panel_count=[len(p) for p in panels],
        providers=providers,
        provider_count=[len(p) for p in providers],
        hgnc_ids=aggregation.value_lists(rows, genes, "reported_hgnc_id"),
        reported_symbols=aggregation.value_lists(rows, genes, "symbol"),
    )
    return aggregation.evidence_frame(genes, evidence, _source_detail)
