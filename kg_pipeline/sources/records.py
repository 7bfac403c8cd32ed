"""The contract of the pure parsing layer: raw files in, parsed rows out.

Owns the records every parser returns (`ParsedRows`, `ParsedEvidence`, `Reject`), the helpers all
parsers share (selecting one upstream's files from a `RawFiles` mapping, reading a delimited
table as text, reject samples) and the one JSON-value clean-up (`json_value`). Reading raw
files is `kg_pipeline.raw_files`. Nothing here knows about HTTP, the database or Dagster.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path
from typing import Any, Final, TypeVar

import numpy as np
import orjson
import pandas as pd

from kg_pipeline.raw_files import RawFiles, SourceFormatError, read_head

GENE_COLUMNS: Final[tuple[str, ...]] = ("symbol", "reported_hgnc_id")
"""Columns every parser's rows carry: the gene text as the source gives it, and the HGNC id the
source reports for it (or None)."""

_REJECT_TEXT_LIMIT: Final = 200
NUL_REASON: Final = "NUL byte in a text (PostgreSQL cannot store one)"
RELEASE_HEAD_BYTES: Final = 1 << 16


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
class ParsedRows:
    """What every parser returns: usable rows, the rows it could not use, and counts.

    `release` is the upstream's own release label (a date or version) when the files carry one.
    `stats` holds counts worth reporting as asset metadata (files read, rows left out by the
    source's rules as `skipped_<reason>`, ...); rows left out by a rule are not rejects, only
    unusable rows are. `rejects` may be a sample; `reject_counts`, when given, counts them all.
    """

    source: str
    rows: pd.DataFrame
    rejects: list[Reject]
    release: str | None
    stats: dict[str, int] = field(default_factory=dict)
    reject_counts: dict[str, int] = field(default_factory=dict)
    flagged: dict[str, int] = field(default_factory=dict)
    """Rows kept but worth a curator's look, counted per reason (GenCC: a classification outside
    the weight table, kept at weight 0). The load's check warns while there are any."""

    def rejects_by_reason(self) -> dict[str, int]:
        """Reject counts per reason, most frequent first (for asset metadata)."""
        counts = self.reject_counts or Counter(r.reason for r in self.rejects)
        return dict(Counter(counts).most_common())

    def skipped_by_reason(self) -> dict[str, int]:
        """Rows left out by a rule (`skipped_<reason>` in `stats`), per reason."""
        prefix = "skipped_"
        return {k[len(prefix) :]: v for k, v in self.stats.items() if k.startswith(prefix)}


@dataclass
class ParsedEvidence(ParsedRows):
    """What an evidence parser returns: `rows` has at least the columns `symbol` and
    `reported_hgnc_id`, plus source-specific columns that the source's `aggregate` reads.
    File-based sources also give each row's raw `file` key and each file's own release in
    `file_releases`, so every file's upload can be recorded."""

    file_releases: dict[str, str | None] = field(default_factory=dict)


def reject_samples(rejects: Iterable[Reject], limit: int = 10) -> list[dict[str, str]]:
    """The first `limit` rejects as plain dicts, for asset metadata."""
    return [
        {"where": r.where, "reason": r.reason, "text": r.text}
        for _, r in zip(range(limit), rejects, strict=False)
    ]


def clip(text: object, limit: int = _REJECT_TEXT_LIMIT) -> str:
    """`text` as one short line for a reject sample (a NUL byte spelled `\\x00`)."""
    flat = " ".join(str(text).replace("\x00", "\\x00").split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


P = TypeVar("P", bound=ParsedRows)


def _nul_texts(value: object) -> Iterator[str]:
    """The texts holding a NUL byte inside `value` (keys too, at any depth), lazily: the mask
    over every row stops at the first, only a rejected row's are all read."""
    if isinstance(value, str):
        if "\x00" in value:
            yield value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _nul_texts(key)
            yield from _nul_texts(item)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            yield from _nul_texts(item)


_SCALARS: Final = frozenset({int, float, bool, type(None)})

_PLAIN_JSON: Final = (
    orjson.OPT_PASSTHROUGH_DATETIME
    | orjson.OPT_PASSTHROUGH_DATACLASS
    | orjson.OPT_PASSTHROUGH_SUBCLASS
)
"""orjson's options under which it writes a document only when it holds nothing but plain dicts
with str keys, lists, tuples, str, int (64 bits), float, bool, None, enum members and UUIDs
(as the text `str` gives), nested at most 254 deep; anything else (numpy values, pandas NA,
sets, other mappings, other keys, dates, decimals, dataclasses, subclasses, lone surrogates) it
refuses with `JSONEncodeError`. It writes NaN and inf as null and every NUL byte as `\\u0000`.
(Its own `orjson.Fragment`, written as the JSON it holds, nothing here makes.)"""

_NUL_ESCAPE: Final = b"\\u0000"


def _holds_nul(value: object) -> bool:
    """Whether `_nul_texts(value)` finds any text. The mask walks every row of a load (every
    annotation dict) and nearly all hold no NUL: orjson writes a plain document in C, and a
    document whose JSON has no NUL escape holds none. One it refuses, or whose JSON has one
    (the NUL, or a text spelling `\\u0000`), is walked."""
    kind = type(value)
    if kind is str:
        return "\x00" in value
    if kind in _SCALARS:
        return False
    if kind is dict or kind is list:
        try:
            if _NUL_ESCAPE not in orjson.dumps(value, option=_PLAIN_JSON):
                return False
        except orjson.JSONEncodeError:
            pass
    return any(True for _ in _nul_texts(value))


def reject_nul_rows(parsed: P) -> P:
    """`parsed` without the rows holding a NUL byte in any text (at any depth), each one a
    reject (`NUL_REASON`). PostgreSQL's text and JSONB cannot hold the character, and dropping it
    silently would store a text the source never wrote; one such row must not fail the load.
    A reject's text is the row's own texts, then the nested ones holding the NUL (an
    annotation's dict)."""
    rows = parsed.rows
    mask = np.zeros(len(rows), dtype=bool)
    for column in rows.columns:
        if rows[column].dtype == object:
            mask |= np.fromiter(map(_holds_nul, rows[column]), dtype=bool, count=len(rows))
    if not mask.any():
        return parsed
    bad = rows[mask]
    where = bad["file"] if "file" in bad.columns else pd.Series(parsed.source, index=bad.index)
    rejects = [
        Reject(
            f"{file}:parsed row {position}",
            NUL_REASON,
            clip(
                " | ".join(
                    text for v in values for text in ([v] if isinstance(v, str) else _nul_texts(v))
                )
            ),
        )
        for position, file, values in zip(
            np.flatnonzero(mask), where, bad.itertuples(index=False), strict=True
        )
    ]
    counts = dict(parsed.reject_counts)
    if counts:
        counts[NUL_REASON] = counts.get(NUL_REASON, 0) + len(rejects)
    return replace(
        parsed,
        rows=rows[~mask].reset_index(drop=True),
        rejects=[*parsed.rejects, *rejects],
        reject_counts=counts,
    )


def select_files(files: RawFiles, pattern: str | re.Pattern[str]) -> dict[str, Path]:
    """The entries of `files` whose key fully matches `pattern`, in key order.

    Callers may hand every raw file of a run to every parser; each parser picks its own.
    """
    regex = re.compile(pattern) if isinstance(pattern, str) else pattern
    return {key: Path(files[key]) for key in sorted(files) if regex.fullmatch(key)}


_DELIMITERS: Final[dict[str, str]] = {
    "\t": "tab",
    ",": "comma",
    ";": "semicolon",
    "|": "pipe",
    " ": "space",
}


def layout_error(source: str, key: str, expected: str, found: str) -> SourceFormatError:
    """The one refusal of a file in a layout its parser does not read (another release's
    columns, another delimiter): one line naming the file, the layout expected and what the
    file has, so it is never read as zero rows and left for the floor check to catch.

    `expected` says the layout (`"tab-separated, with the columns a, b"`); `found` is the
    header line (or first line) as the file has it."""
    # Spaces appear inside column names; they count only when nothing else separates.
    counts = {name: found.count(char) for char, name in _DELIMITERS.items() if char != " "}
    if not any(counts.values()):
        counts = {"space": found.count(" ")}
    looks = max(counts, key=lambda name: counts[name]) if any(counts.values()) else None
    hint = ""
    if looks and f"{looks}-separated" not in expected:
        hint = f" (it looks {looks}-separated)"
    # repr, so a tab shows as \t and the delimiter the file uses is visible.
    shown = found if len(found) <= 120 else f"{found[:119]}…"
    return SourceFormatError(
        source, key, f"not the layout expected ({expected}); the file has {shown!r}{hint}"
    )


def require_columns(
    source: str,
    key: str,
    header: Iterable[str],
    required: Iterable[str],
    *,
    delimiter: str = "\t",
) -> None:
    """`layout_error` unless every `required` column is in `header` (already split at
    `delimiter`)."""
    names = list(header)
    wanted = list(required)
    missing = [c for c in wanted if c not in names]
    if missing:
        kind = _DELIMITERS.get(delimiter, repr(delimiter))
        raise layout_error(
            source,
            key,
            f"{kind}-separated, with the columns {', '.join(wanted)}; missing {', '.join(missing)}",
            delimiter.join(names),
        )


def require_file(files: RawFiles, source: str, key: str) -> Path:
    """The path for `key`, or a `SourceFormatError` saying the file is missing."""
    if key not in files:
        raise SourceFormatError(source, key, "the file is missing from the raw files")
    return Path(files[key])


def read_table(
    source: str,
    key: str,
    data: str | bytes,
    *,
    sep: str = "\t",
    quoting: int = csv.QUOTE_MINIMAL,
    usecols: Callable[[str], bool] | None = None,
) -> pd.DataFrame:
    """A delimited table (UTF-8 bytes or text) with a header, every cell as text: no type
    guessing, an empty cell is "" and never NaN. Raises `SourceFormatError` when pandas cannot
    read it as a table."""
    buffer = io.BytesIO(data) if isinstance(data, bytes) else io.StringIO(data)
    try:
        return pd.read_csv(
            buffer,
            sep=sep,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            quoting=quoting,
            usecols=usecols,
            encoding="utf-8",
        )
    except ValueError as exc:  # pandas' ParserError and EmptyDataError among them
        kind = "tab-separated" if sep == "\t" else "delimited"
        raise SourceFormatError(source, key, f"not a {kind} table ({exc})") from exc


def empty_rows(columns: Iterable[str]) -> pd.DataFrame:
    """An empty rows frame with the given columns (plus the gene columns), all object dtype."""
    names = list(dict.fromkeys([*GENE_COLUMNS, *columns]))
    return pd.DataFrame({name: pd.Series([], dtype=object) for name in names})


_JSON_LEAVES: Final = frozenset({str, int, bool, type(None)})
"""Types `json_value` returns as they are (exactly these: a subclass may need converting)."""


def json_value(value: Any) -> Any:
    """`value` made storable as JSONB, deterministically: NaN/inf and pandas NA become None,
    numpy scalars plain Python numbers, enum members their value, tuples lists, sets sorted
    lists, dict keys strings, and anything else (dates, decimals) its text."""
    kind = type(value)
    if kind is dict or kind is list:
        # Loads clean dicts of thousands of values per gene. What orjson writes of a plain
        # document is its clean value (NaN as null, tuples as lists, enum members as their
        # value), and reading it back builds the copy in C, in about 60 % of the walk's time
        # on a rebuild's annotations; the walk takes the documents orjson refuses.
        try:
            return orjson.loads(orjson.dumps(value, option=_PLAIN_JSON))
        except orjson.JSONEncodeError:
            pass
    return _json_walk(value)


def _json_walk(value: Any) -> Any:
    """`json_value` of any value, in Python."""
    kind = type(value)
    if kind in _JSON_LEAVES:
        return value
    if kind is float:
        return value if math.isfinite(value) else None
    # The common containers, their plain leaves kept without a call.
    if kind is dict:
        return {str(k): v if type(v) in _JSON_LEAVES else _json_walk(v) for k, v in value.items()}
    if kind is list:
        return [v if type(v) in _JSON_LEAVES else _json_walk(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _json_walk(v) for k, v in value.items()}
    if isinstance(value, (set, frozenset)):
        try:
            ordered = sorted(value)
        except TypeError:  # mixed types: any stable order will do
            ordered = sorted(value, key=str)
        return [_json_walk(v) for v in ordered]
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_json_walk(v) for v in value]
    if isinstance(value, Enum):  # as orjson writes one (an IntEnum's too, not the member)
        return _json_walk(value.value)
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, int | str | bool):
        return value
    return str(value)


def release_in_head(files: RawFiles, key: str, pattern: re.Pattern[str]) -> str | None:
    """The first group of `pattern` in the first 64 KiB of file `key` (a banner or header
    line stating the release), or None."""
    path = files.get(key)
    if path is None:
        return None
    found = pattern.search(read_head(path, RELEASE_HEAD_BYTES).decode("utf-8", "replace"))
    return found.group(1) if found else None
