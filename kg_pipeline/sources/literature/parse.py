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
    evidence_frame,
    gene_index,
    numeric_text_key,
    per_gene,
    plural,
    record_lists,
    value_lists,
)
from kg_pipeline.sources.gene_lists import (
    EntryFields,
    GeneListFile,
    read_gene_list_files,
    text_field,
)
from kg_pipeline.sources.records import ParsedEvidence

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
    publications = value_lists(rows, genes, "pmid", key=numeric_text_key)
    unique = rows.drop_duplicates(["hgnc_id", "pmid"])
    found = record_lists(unique, genes, list(PUBLICATION_FIELDS))
    by_pmid = [{record["pmid"]: record for record in records} for records in found]
    evidence = per_gene(
        publications=publications,
        publication_count=[len(p) for p in publications],
        publication_details=[
            {p: details[p] for p in pmids if p in details}
            for pmids, details in zip(publications, by_pmid, strict=True)
        ],
        hgnc_ids=value_lists(rows, genes, "reported_hgnc_id"),
        reported_symbols=value_lists(rows, genes, "symbol"),
    )
    details = [f"Literature: {plural(e['publication_count'], 'publication')}" for e in evidence]
    return evidence_frame(genes, evidence, details)
