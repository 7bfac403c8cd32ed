"""The contract of the pure parsing layer: raw files in, parsed evidence rows out.

Owns the records every evidence parser returns (`ParsedEvidence`, `Reject`), the one error a
parser raises when a file is unusable (`SourceFormatError`), the source names stored in the
database, and the file helpers all parsers share (gzip sniffing, JSON reading, selecting one
upstream's files from a `RawFiles` mapping). Nothing here knows about HTTP, the database or
Dagster.
"""

from __future__ import annotations

import gzip
import io
import json
import re
import zlib
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Final

import pandas as pd

RawFiles = Mapping[str, Path]
"""Raw files of a run: `"<upstream key>/<relpath>"` (the snapshot layout, e.g.
`"clingen/kb/gene-validity/download"`) to the local file holding its bytes. The local file name is
a content hash, so parsers take every meaning from the key, never from the path."""

PANELAPP: Final = "PanelApp"
CLINGEN: Final = "ClinGen"
GENCC: Final = "GenCC"
HPO: Final = "HPO"
PUBTATOR: Final = "PubTator"
DIAGNOSTIC_PANELS: Final = "DiagnosticPanels"
LITERATURE: Final = "Literature"

SOURCE_NAMES: Final[tuple[str, ...]] = (
    PANELAPP,
    CLINGEN,
    GENCC,
    HPO,
    PUBTATOR,
    DIAGNOSTIC_PANELS,
    LITERATURE,
)
"""The seven evidence source names, exactly as stored in `gene_evidence.source_name`."""

GENE_COLUMNS: Final[tuple[str, ...]] = ("symbol", "reported_hgnc_id")
"""Columns every parser's rows carry: the gene text as the source gives it, and the HGNC id the
source reports for it (or None)."""

_GZIP_MAGIC: Final = b"\x1f\x8b"
_REJECT_TEXT_LIMIT: Final = 200


@dataclass(frozen=True)
class Reject:
    """One input row (or file part) a parser could not use, and why.

    `where` names the raw key and, when known, the line or record; `text` is the offending input,
    clipped so that a metadata sample stays small.
    """

    where: str
    reason: str
    text: str


@dataclass
class ParsedEvidence:
    """What an evidence parser returns.

    `rows` has at least the columns `symbol` and `reported_hgnc_id`, plus source-specific columns
    that the source's `aggregate` reads. `release` is the upstream's own release label (a date or
    version) when the files carry one. `stats` holds counts worth reporting as asset metadata
    (files read, rows filtered out by the source's rules, ...); rows filtered by a rule are not
    rejects, only unusable rows are.
    """

    source_name: str
    rows: pd.DataFrame
    rejects: list[Reject]
    release: str | None
    stats: dict[str, int] = field(default_factory=dict)

    def rejects_by_reason(self) -> dict[str, int]:
        """Reject counts per reason, most frequent first (for asset metadata)."""
        return dict(Counter(r.reason for r in self.rejects).most_common())


def reject_samples(rejects: Iterable[Reject], limit: int = 10) -> list[dict[str, str]]:
    """The first `limit` rejects as plain dicts, for asset metadata."""
    return [
        {"where": r.where, "reason": r.reason, "text": r.text}
        for _, r in zip(range(limit), rejects, strict=False)
    ]


class SourceFormatError(Exception):
    """A raw file that cannot be parsed at all: the load stops and the stored data stays."""

    def __init__(self, source: str, file: str, reason: str) -> None:
        self.source = source
        self.file = file
        self.reason = reason
        super().__init__(
            f"{source}: cannot parse {file}: {reason}; the previous {source} data is kept"
        )


def clip(text: object, limit: int = _REJECT_TEXT_LIMIT) -> str:
    """`text` as one short line for a reject sample."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def is_gzip(path: Path) -> bool:
    """True when the file starts with the gzip magic bytes, whatever its name says."""
    with open(path, "rb") as fh:
        return fh.read(2) == _GZIP_MAGIC


def open_text(path: Path, encoding: str = "utf-8-sig") -> IO[str]:
    """Open a raw file for reading text, transparently decompressing gzip.

    Upstreams serve some files gzip-compressed under plain names (and the raw store names files
    by hash), so the content decides, not the name. `utf-8-sig` drops a byte-order mark if one
    is present and is otherwise plain UTF-8.
    """
    if is_gzip(path):
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding=encoding, newline="")
    return open(path, encoding=encoding, newline="")


def read_bytes(path: Path) -> bytes:
    """The file's bytes, decompressed when gzip."""
    data = Path(path).read_bytes()
    if data[:2] == _GZIP_MAGIC:
        return gzip.decompress(data)
    return data


def read_text(source: str, key: str, path: Path) -> str:
    """The whole file as text (gzip sniffed); unreadable bytes are a `SourceFormatError`."""
    try:
        return read_bytes(path).decode("utf-8-sig")
    except (EOFError, OSError, zlib.error) as exc:
        raise SourceFormatError(source, key, f"unreadable or truncated file ({exc})") from exc
    except UnicodeDecodeError as exc:
        raise SourceFormatError(source, key, f"not UTF-8 text ({exc.reason})") from exc


def read_json(source: str, key: str, path: Path) -> Any:
    """Parse one JSON raw file; a truncated, corrupt or non-JSON file is a `SourceFormatError`."""
    text = read_text(source, key, path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceFormatError(
            source, key, f"invalid JSON at line {exc.lineno} column {exc.colno} ({exc.msg})"
        ) from exc


def select_files(files: RawFiles, pattern: str | re.Pattern[str]) -> dict[str, Path]:
    """The entries of `files` whose key fully matches `pattern`, in key order.

    Callers may hand every raw file of a run to every parser; each parser picks its own.
    """
    regex = re.compile(pattern) if isinstance(pattern, str) else pattern
    return {key: Path(files[key]) for key in sorted(files) if regex.fullmatch(key)}


def require_file(files: RawFiles, source: str, key: str) -> Path:
    """The path for `key`, or a `SourceFormatError` saying the file is missing."""
    if key not in files:
        raise SourceFormatError(source, key, "the file is missing from the raw files")
    return Path(files[key])


def empty_rows(columns: Iterable[str]) -> pd.DataFrame:
    """An empty rows frame with the given columns (plus the gene columns), all object dtype."""
    names = list(dict.fromkeys([*GENE_COLUMNS, *columns]))
    return pd.DataFrame({name: pd.Series([], dtype=object) for name in names})
