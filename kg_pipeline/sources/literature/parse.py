"""Parse the curated publication files into per-gene literature evidence.

Owns reading the publication files (`literature/literature_pmid_<pmid>.json`: pmid, title,
authors, journal, date, url, doi, and `genes` with symbol, reported_as, hgnc_id), using the
symbol fallbacks and placeholder rejection of `kg_pipeline.sources.gene_lists`, and the
per-gene Literature evidence (reference 2.7).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

import pandas as pd

from kg_pipeline.raw_files import RawFiles
from kg_pipeline.sources.aggregation import (
    collect_sorted,
    evidence_frame,
    gene_index,
    lists_for,
    numeric_text_key,
    plural,
    records_by_gene,
)
from kg_pipeline.sources.gene_lists import (
    EntryFields,
    GeneListFile,
    read_gene_list_files,
    text_field,
)
from kg_pipeline.sources.records import (
    ParsedEvidence,
)

SOURCE: Final = "Literature"
_FILE_KEY: Final = re.compile(r"literature/literature_pmid_(?P<pmid>\d+)\.json")

PUBLICATION_FIELDS: Final[tuple[str, ...]] = (
    "pmid",
    "title",
    "authors",
    "journal",
    "publication_date",
    "url",
    "doi",
)
ROW_COLUMNS: Final[tuple[str, ...]] = PUBLICATION_FIELDS


def _publication(header: Mapping[str, Any], pmid: str) -> dict[str, Any]:
    authors = header.get("authors")
    return {
        "pmid": pmid,
        "title": text_field(header, "title"),
        "authors": [str(a).strip() for a in authors if a] if isinstance(authors, list) else [],
        "journal": text_field(header, "journal"),
        "publication_date": text_field(header, "publication_date"),
        "url": text_field(header, "url"),
        "doi": text_field(header, "doi"),
    }


def _publication_file(file: GeneListFile) -> tuple[EntryFields, str | None]:
    """The PMID is the file's `pmid` (else the one in its key); the files are curated, not
    released."""
    publication = _publication(file.header, text_field(file.header, "pmid") or file.match["pmid"])
    return (lambda _entry: publication), None


def parse(files: RawFiles) -> ParsedEvidence:
    """Genes of every publication file, one row per (publication, gene entry)."""
    return read_gene_list_files(SOURCE, files, _FILE_KEY, ROW_COLUMNS, _publication_file)


def aggregate(rows: pd.DataFrame) -> pd.DataFrame:
    """One Literature evidence row per gene.

    `evidence_data`: `publications` (sorted PMIDs), `publication_count` (the scoring input),
    `publication_details` (PMID to {pmid, title, authors, journal, publication_date, url,
    doi}), `hgnc_ids` (as the files report them), `reported_symbols`.
    """
    genes = gene_index(rows)
    publications = lists_for(genes, collect_sorted(rows, "pmid", key=numeric_text_key))
    hgnc_ids = lists_for(genes, collect_sorted(rows, "reported_hgnc_id"))
    reported = lists_for(genes, collect_sorted(rows, "symbol"))
    unique = rows.drop_duplicates(["hgnc_id", "pmid"])
    details_by_gene = records_by_gene(unique, list(PUBLICATION_FIELDS))

    evidence: list[dict[str, Any]] = []
    details: list[str] = []
    for i, gene in enumerate(genes):
        by_pmid = {d["pmid"]: d for d in details_by_gene.get(gene, [])}
        evidence.append(
            {
                "publications": publications[i],
                "publication_count": len(publications[i]),
                "publication_details": {p: by_pmid[p] for p in publications[i] if p in by_pmid},
                "hgnc_ids": hgnc_ids[i],
                "reported_symbols": reported[i],
            }
        )
        details.append(f"Literature: {plural(len(publications[i]), 'publication')}")
    return evidence_frame(genes, evidence, details)
