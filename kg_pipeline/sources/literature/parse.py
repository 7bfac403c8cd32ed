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

from kg_pipeline.sources.aggregation import (
    collect_sorted,
    evidence_frame,
    gene_index,
    lists_for,
    numeric_text_key,
    plural,
    records_by_gene,
)
from kg_pipeline.sources.gene_lists import gene_entries, pick_symbol, text_field
from kg_pipeline.sources.records import (
    LITERATURE,
    ParsedEvidence,
    RawFiles,
    Reject,
    SourceFormatError,
    clip,
    empty_rows,
    read_json,
    select_files,
)

SOURCE: Final = LITERATURE
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
ROW_COLUMNS: Final[tuple[str, ...]] = (
    "symbol",
    "reported_hgnc_id",
    "reported_as",
    *PUBLICATION_FIELDS,
)


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


def parse(files: RawFiles) -> ParsedEvidence:
    """Genes of every publication file, one row per (publication, gene entry).

    The PMID is the file's `pmid` (else the one in its key). Entries without a symbol or with
    a placeholder symbol are rejects. Release: None (the files are curated, not released).
    """
    selected = select_files(files, _FILE_KEY)
    if not selected:
        raise SourceFormatError(
            SOURCE, "literature/literature_pmid_<pmid>.json", "no publication files given"
        )

    rows: list[dict[str, Any]] = []
    rejects: list[Reject] = []
    for key, path in selected.items():
        match = _FILE_KEY.fullmatch(key)
        assert match is not None  # selected by the same pattern
        document = read_json(SOURCE, key, path)
        header = document if isinstance(document, Mapping) else {}
        pmid = text_field(header, "pmid") or match["pmid"]
        publication = _publication(header, pmid)
        for position, entry in enumerate(gene_entries(SOURCE, key, document)):
            symbol, reason = pick_symbol(entry)
            if symbol is None:
                rejects.append(Reject(f"{key}:genes[{position}]", str(reason), clip(entry)))
                continue
            rows.append(
                {
                    "symbol": symbol,
                    "reported_hgnc_id": text_field(entry, "hgnc_id"),
                    "reported_as": text_field(entry, "reported_as"),
                    **publication,
                }
            )
    frame = pd.DataFrame(rows, columns=list(ROW_COLUMNS)) if rows else empty_rows(ROW_COLUMNS)
    stats = {
        "files": len(selected),
        "gene_entries": len(rows),
        "distinct_symbols": int(frame["symbol"].nunique()),
    }
    return ParsedEvidence(SOURCE, frame.astype(object), rejects, None, stats)


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
