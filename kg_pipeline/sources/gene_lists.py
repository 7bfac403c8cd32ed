"""Reading the curated gene-list files: DiagnosticPanels providers and Literature publications.

Owns what the two file-based sources share (reference 2.6, 2.7): where a file keeps its gene
list (`genes`, else `data` / `results` / the first list), which field holds a gene's symbol (the
first present of a fixed list), and which symbols are placeholders for "no gene".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from kg_pipeline.sources.records import SourceFormatError

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
    """The gene list of one file: `genes`, else `data` or `results`, else the first list value
    (or the document itself when it is a list). No list at all is a `SourceFormatError`."""
    if isinstance(document, list):
        return document
    if isinstance(document, Mapping):
        for name in _LIST_FIELDS:
            if isinstance(document.get(name), list):
                return list(document[name])
        for value in document.values():
            if isinstance(value, list):
                return list(value)
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
