"""Reading the curated gene-list files: DiagnosticPanels providers and Literature publications.

Owns what the two file-based sources share (reference 2.6, 2.7): where a file keeps its gene
list (`genes`, else `data` / `results` / the first list), which field holds a gene's symbol (the
first present of a fixed list), and which symbols are placeholders for "no gene".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

import pandas as pd

from kg_pipeline.raw_files import RawFiles, SourceFormatError, read_json
from kg_pipeline.sources.records import ParsedEvidence, Reject, clip, empty_rows, select_files

SYMBOL_FIELDS: Final[tuple[str, ...]] = (
    "symbol",
    "gene_symbol",
    "gene",
    "Gene",
    "GENE",
    "approved_symbol",
    "reported_as",
    "gene_name",
    "geneName",
    "SYMBOL",
    "Symbol",
)
"""Fields tried, in order, for a gene entry's symbol."""

PLACEHOLDER_SYMBOLS: Final[frozenset[str]] = frozenset(
    {"", "NA", "N/A", "NULL", "NONE", "UNKNOWN", "-", "NAN"}
)
"""Upper-cased symbol texts that mean "no gene"."""

_LIST_FIELDS: Final = ("genes", "data", "results")


def gene_entries(source: str, key: str, document: Any) -> list[Any]:
    """The gene list of one file: `genes`, else `data` or `results` (or the document itself
    when it is a list). None of them is a `SourceFormatError`: another list (a publication's
    `authors`) is never read as genes, so a renamed or missing key refuses the file."""
    if isinstance(document, list):
        return document
    if isinstance(document, Mapping):
        for name in _LIST_FIELDS:
            if isinstance(document.get(name), list):
                return list(document[name])
    raise SourceFormatError(source, key, "no gene list ('genes', 'data' or 'results') found")


def pick_symbol(entry: Any) -> tuple[str | None, str | None]:
    """The entry's symbol and, when there is none, why.

    The symbol is a plain string entry or the first non-blank `SYMBOL_FIELDS` value, stripped
    but kept in the file's case (upstream upper-cased it; the normaliser ignores case anyway,
    and staging should show the text as the source wrote it). Returns `(symbol, None)`, or
    `(None, reason)` when the entry has no symbol or only a placeholder.
    """
    value: Any = entry
    if isinstance(entry, Mapping):
        value = next(
            (entry[f] for f in SYMBOL_FIELDS if isinstance(entry.get(f), str) and entry[f].strip()),
            None,
        )
    if not isinstance(value, str) or not value.strip():
        return None, "gene entry without a symbol"
    symbol = value.strip()
    if symbol.upper() in PLACEHOLDER_SYMBOLS:
        return None, "placeholder symbol"
    return symbol, None


def text_field(entry: Any, name: str) -> str | None:
    """`entry[name]` as a stripped non-empty string, else None."""
    if not isinstance(entry, Mapping):
        return None
    value = entry.get(name)
    if value is None:
        return None
    text = str(value).strip()
    return text or None


@dataclass(frozen=True)
class GeneListFile:
    """One gene-list file being read: its key, its key's pattern match, its top-level fields."""

    key: str
    match: re.Match[str]
    header: Mapping[str, Any]


EntryFields = Callable[[Any], dict[str, Any]]
"""The source's own columns of one gene entry of a file."""


def read_gene_list_files(
    source: str,
    files: RawFiles,
    pattern: re.Pattern[str],
    columns: tuple[str, ...],
    describe: Callable[[GeneListFile], tuple[EntryFields, str | None]],
) -> ParsedEvidence:
    """Every file's genes, one row per (file, gene entry): `symbol`, `reported_hgnc_id`,
    `reported_as`, the source's `columns` (from the entry fields `describe` gives per file) and
    the raw `file` key.

    `describe` also gives each file's own release (kept per file in `file_releases`); the load's
    release is the latest. Entries without a symbol or with a placeholder symbol are rejects.
    """
    selected = select_files(files, pattern)
    if not selected:
        raise SourceFormatError(source, pattern.pattern, "no files of this source were given")
    rows: list[dict[str, Any]] = []
    rejects: list[Reject] = []
    file_releases: dict[str, str | None] = {}
    for key, path in selected.items():
        match = pattern.fullmatch(key)
        assert match is not None  # selected by the same pattern
        document = read_json(source, key, path)
        header = document if isinstance(document, Mapping) else {}
        entry_fields, file_releases[key] = describe(GeneListFile(key, match, header))
        for position, entry in enumerate(gene_entries(source, key, document)):
            symbol, reason = pick_symbol(entry)
            if symbol is None:
                rejects.append(Reject(f"{key}:genes[{position}]", str(reason), clip(entry)))
                continue
            rows.append(
                {
                    "symbol": symbol,
                    "reported_hgnc_id": text_field(entry, "hgnc_id"),
                    "reported_as": text_field(entry, "reported_as"),
                    **entry_fields(entry),
                    "file": key,
                }
            )
    all_columns = ("symbol", "reported_hgnc_id", "reported_as", *columns, "file")
    frame = pd.DataFrame(rows, columns=list(all_columns)) if rows else empty_rows(all_columns)
    stats = {
        "files": len(selected),
        "gene_entries": len(rows),
        "distinct_symbols": int(frame["symbol"].nunique()),
    }
    release = max(filter(None, file_releases.values()), default=None)
    return ParsedEvidence(
        source, frame.astype(object), rejects, release, stats, file_releases=file_releases
    )
