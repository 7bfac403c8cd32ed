"""Parse the HGNC complete set (`hgnc_complete_set.txt`), the gene reference of the pipeline.

Owns reading the tab-separated release by column name: HGNC adds and drops columns between
releases (a 2026 copy has no `location_sortable`), so positions mean nothing. Multi-valued
fields (`alias_symbol`, `prev_symbol`, ...) are `|`-separated in the file and become lists here.
Rows are kept with their `status` (the normaliser uses the approved ones); a junk row (no
`HGNC:<digits>` id, no symbol, a NUL byte in a text) is left out and returned as a reject, so
the reference, the gene import and the HGNC annotation never see it and its count is reported.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from kg_pipeline.raw_files import RawFiles, SourceFormatError, open_text, read_once, read_text
from kg_pipeline.sources import records

SOURCE: Final = "HGNC"
FILE_KEY: Final = "hgnc/hgnc_complete_set.txt"
APPROVED: Final = "Approved"

COMPLETE_SET_COLUMNS: Final[tuple[str, ...]] = (
    "hgnc_id",
    "symbol",
    "name",
    "locus_group",
    "locus_type",
    "status",
    "location",
    "location_sortable",
    "alias_symbol",
    "alias_name",
    "prev_symbol",
    "prev_name",
    "gene_group",
    "gene_group_id",
    "date_approved_reserved",
    "date_symbol_changed",
    "date_name_changed",
    "date_modified",
    "entrez_id",
    "ensembl_gene_id",
    "vega_id",
    "ucsc_id",
    "ena",
    "refseq_accession",
    "ccds_id",
    "uniprot_ids",
    "pubmed_id",
    "mgd_id",
    "rgd_id",
    "lsdb",
    "cosmic",
    "omim_id",
    "mirbase",
    "homeodb",
    "snornabase",
    "bioparadigms_slc",
    "orphanet",
    "pseudogene.org",
    "horde_id",
    "merops",
    "imgt",
    "iuphar",
    "kznf_gene_catalog",
    "mamit-trnadb",
    "cd",
    "lncrnadb",
    "enzyme_id",
    "intermediate_filament_db",
    "rna_central_id",
    "lncipedia",
    "gtrnadb",
    "agr",
    "mane_select",
    "gencc",
)
"""The 54 columns of the complete set as HGNC publishes it (the 2024-10 release), in file
order: the layout the snapshot generator writes. The parser reads columns by name and needs
only `REQUIRED_COLUMNS` and `EXPECTED_COLUMNS`."""

REQUIRED_COLUMNS: Final[tuple[str, ...]] = ("hgnc_id", "symbol", "status")
"""Without these the file is not an HGNC complete set."""

_NOT_READ: Final[frozenset[str]] = frozenset(
    {
        "agr",
        "bioparadigms_slc",
        "cd",
        "ena",
        "enzyme_id",
        "gencc",
        "gtrnadb",
        "homeodb",
        "horde_id",
        "imgt",
        "intermediate_filament_db",
        "iuphar",
        "kznf_gene_catalog",
        "lncipedia",
        "lncrnadb",
        "lsdb",
        "mamit-trnadb",
        "merops",
        "mirbase",
        "pseudogene.org",
        "rna_central_id",
        "snornabase",
        "ucsc_id",
        "vega_id",
    }
)
"""Columns of the complete set that neither normalisation nor the HGNC annotation uses."""

EXPECTED_COLUMNS: Final[tuple[str, ...]] = tuple(
    c for c in COMPLETE_SET_COLUMNS if c not in _NOT_READ and c not in REQUIRED_COLUMNS
)
"""Columns kept besides the required ones (what normalisation and the HGNC annotation use). A
release without one of them still parses, the column is then all missing (None / empty list);
other columns of the file are not read, which keeps the frame small."""

MULTI_VALUED_COLUMNS: Final[frozenset[str]] = frozenset(
    {
        "alias_name",
        "alias_symbol",
        "ccds_id",
        "ena",
        "enzyme_id",
        "gene_group",
        "gene_group_id",
        "lsdb",
        "mane_select",
        "mgd_id",
        "omim_id",
        "prev_name",
        "prev_symbol",
        "pubmed_id",
        "refseq_accession",
        "rgd_id",
        "rna_central_id",
        "uniprot_ids",
    }
)
"""Fields HGNC documents as possibly holding several `|`-separated values."""


HGNC_ID: Final = re.compile(r"HGNC:\d+")
NOT_AN_ID: Final = "not an HGNC id (HGNC:<digits>)"
NO_SYMBOL: Final = "no symbol"

_KEPT_ORDER: Final[tuple[str, ...]] = (*REQUIRED_COLUMNS, *EXPECTED_COLUMNS)
_KEPT: Final[frozenset[str]] = frozenset(_KEPT_ORDER)


@contextmanager
def _collection_paused() -> Iterator[None]:
    """No cyclic garbage collection inside: building the complete set's 600,000 lists (one
    per multi-valued cell, none of them in a cycle) otherwise sets off collections that rescan
    the whole heap several times, and that cost most of the time the lists take to build."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _split_multi(values: list[Any], index: pd.Index) -> pd.Series:
    """`"A|B"` to `["A", "B"]`, blank to `[]` (surrounding quotes are already gone)."""
    with _collection_paused():
        lists = [
            ([v] if "|" not in v else [p for p in map(str.strip, v.split("|")) if p]) if v else []
            for v in values
        ]
    return pd.Series(lists, index=index, dtype=object)


def _stripped(column: pd.Series) -> list[Any]:
    """The cells without surrounding blanks (a missing cell stays as it is)."""
    cells = column.to_numpy(object)
    try:
        return list(map(str.strip, cells))
    except TypeError:
        return [v.strip() if isinstance(v, str) else v for v in cells]


def parse_complete_set(path: Path, *, file_key: str = FILE_KEY) -> pd.DataFrame:
    """The well-formed rows of the HGNC complete set (`read_complete_set`)."""
    return read_complete_set(path, file_key=file_key).rows


def _junk(
    frame: pd.DataFrame, file_key: str, *, has_nul: bool
) -> tuple[pd.Series, list[records.Reject]]:
    """Which rows of the file's frame (all text, as read) are junk, and a reject for each with
    its first fault: a NUL byte in any text, then the id, then the symbol. `has_nul`: whether
    the file holds a NUL byte at all (the search through every cell is skipped if not)."""
    nul = np.zeros(len(frame), dtype=bool)
    if has_nul:
        for column in frame.columns:
            nul |= frame[column].str.contains("\x00", regex=False).to_numpy(dtype=bool)
    ids = frame["hgnc_id"].str.strip()
    bad_id = ~ids.str.fullmatch(HGNC_ID).to_numpy(dtype=bool)
    no_symbol = frame["symbol"].str.strip().eq("").to_numpy(dtype=bool)
    reasons = np.select([nul, bad_id, no_symbol], [records.NUL_REASON, NOT_AN_ID, NO_SYMBOL], "")
    junk = pd.Series(reasons != "", index=frame.index)
    rejects = [
        records.Reject(
            # Line 1 is the header; pandas skips blank lines, which HGNC's file has none of.
            f"{file_key}:{position + 2}",
            str(reasons[position]),
            records.clip(" | ".join(frame.iloc[position][list(REQUIRED_COLUMNS)])),
        )
        for position in np.flatnonzero(junk.to_numpy())
    ]
    return junk, rejects


@read_once
def read_complete_set(path: Path, *, file_key: str = FILE_KEY) -> records.ParsedRows:
    """Read the HGNC complete set into one row per HGNC entry, junk rows left out as rejects.

    Columns: `REQUIRED_COLUMNS` + `EXPECTED_COLUMNS`, found by name (one the release lacks is
    all missing). Scalars are str or None; `MULTI_VALUED_COLUMNS` hold lists of str. The
    index is each row's position among the file's rows (its line number less 2).
    `file_key` only labels errors and rejects. Raises `SourceFormatError` when the file is
    unreadable, has no rows, or misses one of `REQUIRED_COLUMNS`.
    """
    text = read_text(SOURCE, file_key, path)
    # pandas reads UTF-8 bytes faster than a str, by more than encoding the checked text costs.
    frame = records.read_table(
        SOURCE, file_key, text.encode("utf-8"), usecols=lambda name: name in _KEPT
    )
    if not all(c in frame.columns for c in REQUIRED_COLUMNS):
        header = text.split("\n", 1)[0].rstrip("\r").split("\t")
        records.require_columns(SOURCE, file_key, header, REQUIRED_COLUMNS)
    if frame.empty:
        raise SourceFormatError(SOURCE, file_key, "the file has a header but no genes")
    junk, rejects = _junk(frame, file_key, has_nul="\x00" in text)
    if junk.any():
        frame = frame[~junk.to_numpy()]

    # Plain lists of str: pandas' per-element string methods cost far more at 45,000 rows.
    out: dict[str, pd.Series] = {}
    for column in _KEPT_ORDER:
        values = _stripped(frame[column]) if column in frame.columns else [""] * len(frame)
        if column in MULTI_VALUED_COLUMNS:
            out[column] = _split_multi(values, frame.index)
        else:
            # "" to None; str is all a cell holds (or NaN, kept as it is).
            out[column] = pd.Series([v or None for v in values], index=frame.index, dtype=object)
    return records.ParsedRows(SOURCE, pd.DataFrame(out, index=frame.index), rejects, None)


def read_release(files: RawFiles) -> str | None:
    """The newest `date_modified` of any entry: HGNC states no release of its own."""
    path = files.get(FILE_KEY)
    if path is None:
        return None
    with open_text(path) as fh:
        header = fh.readline().rstrip("\n").split("\t")
        if "date_modified" not in header:
            return None
        column = header.index("date_modified")
        # Split no further than the column: the rest of each 54-field line is not needed.
        return max(
            (f[column] for f in (line.split("\t", column + 1) for line in fh) if len(f) > column),
            default=None,
        )
