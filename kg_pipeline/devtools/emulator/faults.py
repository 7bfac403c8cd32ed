"""The faults the emulator can inject, their options, and how a "malformed" body is made.

Each fault stands for a failure seen from a real upstream: 429 storms with Retry-After, 5xx,
responses slower than the read timeout, connections dropped mid-body, junk rows, cut-off JSON,
empty 200s and hosts that hang up without answering.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from dataclasses import dataclass, field
from typing import Any, Final

from kg_pipeline.http.transport import mirror_relpath

FAULT_DEFAULTS: Final[dict[str, dict[str, Any]]] = {
    "rate_limit": {"retry_after": 1},
    "server_error": {"status": 503},
    "forbidden": {},
    "slow": {"delay": 3.0},
    "truncate": {"fraction": 0.5, "content_length": True},
    "malformed": {"every": 10},
    "empty": {},
    "down": {},
    "renamed_column": {"column": None},
    "missing_column": {"column": None},
}
"""Fault kinds and their options with defaults.

- `rate_limit`: 429 with `Retry-After: <retry_after>` (seconds, or any string such as an HTTP
  date, sent as is).
- `server_error`: a 5xx `status`.
- `forbidden`: 403, as a host answers a client it refuses (Descartes' CDN refuses scripts).
- `slow`: wait `delay` seconds, then answer normally.
- `truncate`: send the first `fraction` of the body, then close the connection; the
  Content-Length header announces the full size unless `content_length=False`.
- `malformed`: every `every`-th data line (after the header line) replaced by junk; a JSON body
  is cut in half instead; `.gz` files are corrupted inside and recompressed.
- `empty`: 200 with Content-Length 0.
- `down`: close the connection without any response.
- `renamed_column`: the header cell `column` of a tabular file (tab- or comma-separated, the
  first header line naming it; `.gz` recompressed) renamed to `<column>_renamed`; in a JSON
  body every key `column` renamed so. A file without that column or key is sent unchanged, so
  one fault can cover an upstream of several files.
- `missing_column`: as `renamed_column`, but the column is removed from the header and from
  every row after it (the JSON key is removed), as an upstream that drops a column would.
"""

COLUMN_FAULTS: Final = frozenset({"renamed_column", "missing_column"})
_HEADER_SEARCH_LINES: Final = 100
"""How far into a tabular file the header naming a column is looked for (banners come first)."""

JUNK_LINE: Final = b"\x00garbage\tnot\ta\trow"


@dataclass
class Fault:
    """One injected fault and how many more requests it applies to (-1: forever)."""

    upstream: str
    kind: str
    remaining: int
    path: str | None
    options: dict[str, Any] = field(default_factory=dict)

    def matches(self, upstream: str, relpath: str, paged_relpath: str) -> bool:
        if self.remaining == 0 or upstream != self.upstream:
            return False
        # A fault on "api/v1/panels/" hits every page; one on ".../page-2" only that page.
        return self.path is None or self.path in (relpath, paged_relpath)


def make_fault(
    upstream: str, kind: str, *, times: int, path: str | None, options: dict[str, Any]
) -> Fault:
    """Validate an injection request; typos in kinds or options fail here, not silently."""
    if kind not in FAULT_DEFAULTS:
        raise ValueError(f"unknown fault {kind!r}; known: {', '.join(FAULT_DEFAULTS)}")
    if times == 0 or times < -1:
        raise ValueError(f"times must be a positive count or -1 (forever), got {times}")
    unknown = set(options) - set(FAULT_DEFAULTS[kind])
    if unknown:
        allowed = ", ".join(FAULT_DEFAULTS[kind]) or "none"
        raise ValueError(f"fault {kind!r} takes options {allowed}; got {', '.join(unknown)}")
    merged = {**FAULT_DEFAULTS[kind], **options}
    if kind == "server_error" and not 500 <= int(merged["status"]) <= 599:
        raise ValueError(f"server_error status must be 5xx, got {merged['status']}")
    if kind == "truncate" and not 0 <= float(merged["fraction"]) < 1:
        raise ValueError(f"truncate fraction must be in [0, 1), got {merged['fraction']}")
    if kind in COLUMN_FAULTS and not merged["column"]:
        raise ValueError(f"fault {kind!r} needs the option column (a header cell or JSON key)")
    if kind == "malformed" and int(merged["every"]) < 1:
        raise ValueError(f"malformed every must be >= 1, got {merged['every']}")
    return Fault(
        upstream=upstream,
        kind=kind,
        remaining=times,
        path=None if path is None else mirror_relpath(path),
        options=merged,
    )


def looks_like_json(head: bytes) -> bool:
    return head.lstrip()[:1] in (b"{", b"[")


def content_type(name: str, head: bytes) -> str:
    """The Content-Type the emulator sends for a file, from its name and first bytes."""
    if name.lower().endswith(".gz"):
        return "application/gzip"
    if looks_like_json(head):
        return "application/json"
    return "text/plain; charset=utf-8"


def malform(body: bytes, name: str, every: int) -> bytes:
    """`body` damaged the way real upstream files break: junk rows, or cut-off JSON."""
    if name.lower().endswith(".gz"):
        # Damage the content, not the compression, so the client's gzip check passes and the
        # parser downstream is what has to notice.
        return gzip.compress(malform(gzip.decompress(body), name[:-3], every), mtime=0)
    if looks_like_json(body[:64]):
        return body[: max(1, len(body) // 2)]
    lines = body.splitlines(keepends=True)
    for index in range(every, len(lines), every):
        line = lines[index]
        ending = line[len(line.rstrip(b"\r\n")) :]
        lines[index] = JUNK_LINE + ending
    return b"".join(lines)


def recolumn(body: bytes, name: str, column: str, *, drop: bool) -> bytes:
    """`body` with the header column (or JSON key) `column` renamed, or removed with its cells
    (`drop`); unchanged when the file has no such column."""
    if name.lower().endswith(".gz"):
        changed = recolumn(gzip.decompress(body), name[:-3], column, drop=drop)
        return gzip.compress(changed, mtime=0)
    if looks_like_json(body[:64]):
        return json.dumps(_rekey(json.loads(body), column, drop=drop)).encode()
    lines = body.decode("utf-8").splitlines(keepends=True)
    for number, line in enumerate(lines[:_HEADER_SEARCH_LINES]):
        sep = "\t" if "\t" in line else ","
        cells = _cells(line, sep)
        names = [cell.strip().lstrip("#").strip() for cell in cells]
        if column not in names:
            continue
        position = names.index(column)
        if not drop:
            cells[position] = cells[position].replace(column, f"{column}_renamed", 1)
            lines[number] = _join(cells, sep, line)
            return "".join(lines).encode()
        for index in range(number, len(lines)):
            row = _cells(lines[index], sep)
            if len(row) > position:
                del row[position]
                lines[index] = _join(row, sep, lines[index])
        return "".join(lines).encode()
    return body


def _cells(line: str, sep: str) -> list[str]:
    text = line.rstrip("\r\n")
    if sep == "\t":
        return text.split("\t")
    return next(csv.reader([text]), [])


def _join(cells: list[str], sep: str, original: str) -> str:
    ending = original[len(original.rstrip("\r\n")) :]
    if sep == "\t":
        return "\t".join(cells) + ending
    out = io.StringIO()
    quoting = csv.QUOTE_ALL if original.startswith('"') else csv.QUOTE_MINIMAL
    csv.writer(out, quoting=quoting, lineterminator="").writerow(cells)
    return out.getvalue() + ending


def _rekey(value: Any, key: str, *, drop: bool) -> Any:
    if isinstance(value, list):
        return [_rekey(item, key, drop=drop) for item in value]
    if not isinstance(value, dict):
        return value
    renamed: dict[str, Any] = {}
    for name, item in value.items():
        if name == key and drop:
            continue
        renamed[f"{key}_renamed" if name == key else name] = _rekey(item, key, drop=drop)
    return renamed
