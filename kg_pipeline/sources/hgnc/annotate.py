"""The `hgnc` annotation: each of our genes' HGNC record (ids, names, location, MANE Select).

Owns turning rows of the HGNC complete set (read by `hgnc.parse.read_complete_set`) into the
annotation dict (reference 4.2). Upstream fetched one JSON record per gene from the REST API;
the bulk TSV holds the same fields. Rows match our genes by `hgnc_id` only: it is the key our
genes were imported by. Null and empty fields are dropped from the dict.
"""

from __future__ import annotations

import re
from typing import Any, Final

import pandas as pd

from kg_pipeline.raw_files import RawFiles
from kg_pipeline.sources import annotations, records
from kg_pipeline.sources.hgnc.parse import read_complete_set
from kg_pipeline.sources.hgnc.upstream import HGNC

SOURCE: Final = "hgnc"
FILE_KEY: Final = HGNC.keys()[0]

FIELDS: Final[dict[str, str]] = {
    "hgnc_id": "hgnc_id",
    "symbol": "symbol",
    "name": "name",
    "status": "status",
    "locus_type": "locus_type",
    "locus_group": "locus_group",
    "location": "location",
    "location_sortable": "location_sortable",
    "ncbi_gene_id": "entrez_id",
    "ensembl_gene_id": "ensembl_gene_id",
    "omim_ids": "omim_id",
    "uniprot_ids": "uniprot_ids",
    "refseq_accession": "refseq_accession",
    "ccds_ids": "ccds_id",
    "mgd_ids": "mgd_id",
    "orphanet_id": "orphanet",
    "cosmic_id": "cosmic",
    "gene_groups": "gene_group",
    "gene_group_ids": "gene_group_id",
    "alias_symbol": "alias_symbol",
    "alias_name": "alias_name",
    "prev_symbol": "prev_symbol",
    "prev_name": "prev_name",
    "pubmed_ids": "pubmed_id",
    "date_approved_reserved": "date_approved_reserved",
    "date_modified": "date_modified",
    "date_name_changed": "date_name_changed",
    "date_symbol_changed": "date_symbol_changed",
}
"""Annotation key -> column of the parsed complete set. List fields keep HGNC's order (it is
meaningful for `gene_groups`/`gene_group_ids`, which pair up by position)."""

UPSTREAM_GROUP_KEYS: Final = ("gene_family", "gene_family_id")
"""Upstream's names for the gene groups and their ids (HGNC's fields before it renamed gene
families to gene groups), the ids as integers as its REST API gives them."""

_ENSEMBL_TRANSCRIPT = re.compile(r"^ENST\d+(\.\d+)?$")
_REFSEQ_TRANSCRIPT = re.compile(r"^[NX][MR]_\d+(\.\d+)?$")


def mane_select(value: object) -> dict[str, str] | None:
    """`{ensembl_transcript_id, refseq_transcript_id}` from HGNC's MANE Select pair.

    The file holds the pair as one quoted `"ENST…|NM_…"` cell; the parsed set splits it into a
    list. Each part is assigned by its prefix, not its position. Returns None when the cell is
    empty; raises `ValueError` when a part is neither an Ensembl nor a RefSeq transcript.
    """
    if isinstance(value, str):
        parts = [p.strip().strip('"') for p in value.split("|")]
    elif isinstance(value, (list, tuple)):
        parts = [str(p).strip().strip('"') for p in value]
    else:
        return None
    result: dict[str, str] = {}
    for part in filter(None, parts):
        if _ENSEMBL_TRANSCRIPT.match(part):
            result["ensembl_transcript_id"] = part
        elif _REFSEQ_TRANSCRIPT.match(part):
            result["refseq_transcript_id"] = part
        else:
            raise ValueError(f"unrecognised MANE Select transcript {part!r}")
    return result or None


def _present(value: object) -> bool:
    if value is None:
        return False
    if isinstance(value, (list, tuple)):
        return len(value) > 0
    if isinstance(value, float):
        return value == value  # not NaN
    return not (isinstance(value, str) and not value.strip())


def annotate(
    files: RawFiles,
    genes: pd.DataFrame,
    *,
    complete_set: records.ParsedRows | None = None,
    **_: Any,
) -> annotations.ParsedAnnotations:
    """The HGNC record of each of our genes, matched by `hgnc_id`.

    `complete_set` may be passed when the caller already read the same file
    (`read_complete_set`); otherwise it is read from `hgnc/hgnc_complete_set.txt`. Its junk
    rows are this load's rejects too. Version: the latest `date_modified` in the file (HGNC
    publishes no release label in it).
    """
    path = records.require_file(files, SOURCE, FILE_KEY)
    parsed = complete_set or read_complete_set(path, file_key=FILE_KEY)
    table = parsed.rows
    collector = annotations.AnnotationCollector(SOURCE, annotations.GeneIndex(genes))
    collector.read(len(table) + len(parsed.rejects))
    for reject in parsed.rejects:
        collector.reject(reject.where, reject.reason, reject.text)

    columns = [c for c in dict.fromkeys([*FIELDS.values(), "mane_select"]) if c in table]
    # Most of the file's rows are not our genes: match the ids first, build dicts for ours only.
    ids = table["hgnc_id"].to_numpy(object)
    matches = [collector.index.match(hgnc_id=hgnc_id) for hgnc_id in ids]
    ours = [(i, match) for i, match in enumerate(matches) if match is not None]
    collector.unmatched(len(matches) - len(ours))
    picked = table.iloc[[i for i, _ in ours]]
    # Column lists zipped into dicts: `to_dict("records")` boxes every value on its own.
    rows = [
        dict(zip(columns, values, strict=True))
        for values in zip(*(picked[c].tolist() for c in columns), strict=True)
    ]
    for (position, match), row in zip(ours, rows, strict=True):
        line = int(table.index[position]) + 2
        record: dict[str, Any] = {}
        for key, column in FIELDS.items():
            value = row.get(column)
            if _present(value):
                record[key] = list(value) if isinstance(value, (list, tuple)) else value
        if "gene_groups" in record:
            record[UPSTREAM_GROUP_KEYS[0]] = list(record["gene_groups"])
        if "gene_group_ids" in record:
            # HGNC's group ids are numbers; a non-numeric one stays text rather than fail the load.
            record[UPSTREAM_GROUP_KEYS[1]] = [
                int(i) if str(i).isdigit() else i for i in record["gene_group_ids"]
            ]
        try:
            mane = mane_select(row.get("mane_select"))
        except ValueError as exc:
            collector.reject(f"{FILE_KEY}:{line}", "malformed MANE Select pair", f"{exc}")
            mane = None
        if mane:
            record["mane_select"] = mane
        collector.offer(match, record)

    dates = table["date_modified"].dropna() if "date_modified" in table else pd.Series([])
    version = str(dates.max()) if len(dates) else None
    return collector.finish(version)
