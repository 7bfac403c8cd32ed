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
from kg_pipeline.sources import aggregation, gene_lists, records

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
        "title": gene_lists.text_field(header, "title"),
        "authors": [str(a).strip() for a in authors if a] if isinstance(authors, list) else [],
        "journal": gene_lists.text_field(header, "journal"),
        "publication_date": gene_lists.text_field(header, "publication_date"),
        "url": gene_lists.text_field(header, "url"),
        "doi": gene_lists.text_field(header, "doi"),
    }


def _publication_file(file: gene_lists.GeneListFile) -> tuple[gene_lists.EntryFields, str | None]:
    """The PMID is the file's `pmid` (else the one in its key); the files are curated, not
    released."""
    publication = _publication(
        file.header, gene_lists.text_field(file.header, "pmid") or file.match["pmid"]
    )
    return (lambda _entry: publication), None


def parse(files: RawFiles) -> records.ParsedEvidence:
    """Genes of every publication file, one row per (publication, gene entry)."""
    return gene_lists.read_gene_list_files(SOURCE, files, _FILE_KEY, ROW_COLUMNS, _publication_file)


def _source_detail(e: dict[str, Any]) -> str:
    return f"Literature: {aggregation.plural(e['publication_count'], 'publication')}"


def aggregate(rows: pd.DataFrame) -> pd.DataFrame:
    """One Literature evidence row per gene.

    `evidence_data`: `publications` (sorted PMIDs), `publication_count` (the scoring input),
    `publication_details` (PMID to {pmid, title, authors, journal, publication_date, url,
    doi}), `hgnc_ids` (as the files report them), `reported_symbols`.
    """
    genes = aggregation.gene_index(rows)
    publications = aggregation.value_lists(rows, genes, "pmid", key=aggregation.numeric_text_key)
    unique = rows.drop_duplicates(["hgnc_id", "pmid"])
    found = aggregation.record_lists(unique, genes, list(PUBLICATION_FIELDS))
    by_pmid = [{record["pmid"]: record for record in records} for records in found]
    evidence = aggregation.per_gene(
        publications=publications,
        publication_count=[len(p) for p in publications],
        publication_details=[
            {p: details[p] for p in pmids if p in details}
            for pmids, details in zip(publications, by_pmid, strict=True)
        ],
        hgnc_ids=aggregation.value_lists(rows, genes, "reported_hgnc_id"),
        reported_symbols=aggregation.value_lists(rows, genes, "symbol"),
    )
    return aggregation.evidence_frame(genes, evidence, _source_detail)
