"""Is a downloaded file what its upstream promises, and which release does it state?

Checked before a raw version is recorded, so a cut-off JSON page or an HTML error page served
with status 200 never becomes the latest good version. Row-level problems are not judged here:
the loaders skip malformed rows and count them. Gzip completeness is already verified while the
bytes stream in (`kg_pipeline.http.transport`).
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from kg_pipeline.http.transport import FetchedFile
from kg_pipeline.sources.records import is_gzip, open_text
from kg_pipeline.upstreams import UPSTREAMS

HEAD_BYTES = 1 << 16


class RawFormatError(ValueError):
    """A fetched file does not parse as its format."""


def file_format(key: str) -> str:
    """`json`, `obo` or `text` for a raw file key `<upstream>/<relpath>`."""
    name = key.removesuffix(".gz")
    if name.endswith(".json") or "/api/v1/panels/" in name or name.startswith("pubtator/"):
        return "json"
    if name.endswith((".obo", ".ontology")):
        return "obo"
    return "text"


def _head(path: Path) -> bytes:
    with gzip.open(path, "rb") if is_gzip(path) else path.open("rb") as fh:
        return fh.read(HEAD_BYTES)


def read_json(source: str, key: str, path: Path) -> Any:
    """A JSON document fetched from an API, or a one-line `RawFormatError` saying what is wrong."""
    try:
        with path.open("rb") as fh:
            return json.load(fh)
    except ValueError as exc:
        raise RawFormatError(
            f"{source}: {key} is not valid JSON ({exc}); the previous version is kept"
        ) from None


def check_format(source: str, key: str, path: Path) -> None:
    """Raise `RawFormatError` (one line: source, file, what is wrong) if `path` is not valid."""
    kind = file_format(key)
    if kind == "json":
        read_json(source, key, path)
        return
    head = _head(path)
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # A cut at HEAD_BYTES may split a multi-byte character; only earlier errors count.
        if exc.start < len(head) - 4:
            raise RawFormatError(
                f"{source}: {key} is not UTF-8 text (byte {exc.start}); the previous version "
                "is kept"
            ) from None
        text = head[: exc.start].decode("utf-8-sig")
    if text.lstrip().lower().startswith(("<!doctype html", "<html")):
        raise RawFormatError(f"{source}: {key} is an HTML page, not a data file; retry later")
    if kind == "obo" and "[Term]" not in text and "format-version" not in text:
        raise RawFormatError(f"{source}: {key} is not an OBO ontology file")
    if kind == "text" and len([line for line in text.splitlines() if line.strip()]) < 2:
        raise RawFormatError(f"{source}: {key} has fewer than two lines of data")


_RELEASE_PATTERNS: Mapping[str, tuple[str, re.Pattern[str]]] = {
    "clingen": ("clingen/", re.compile(r"FILE CREATED:\s*(\d{4}-\d{2}-\d{2})")),
    "hpo": ("hpo/hp.obo", re.compile(r"data-version:\s*(?:hp/releases/)?(\S+)")),
    "clinvar": ("clinvar/", re.compile(r"dated\s+([A-Za-z]+ \d{1,2}, \d{4})")),
}


def _iso(value: str) -> str:
    try:
        return datetime.strptime(value, "%B %d, %Y").date().isoformat()
    except ValueError:
        return value


def _newest_panel(fetched: list[tuple[str, FetchedFile]]) -> str | None:
    dates = []
    for key, item in fetched:
        if "/page-" in key:
            listing = read_json("panelapp", key, item.path)
            dates += [r.get("version_created", "")[:10] for r in listing.get("results", [])]
    return max(filter(None, dates), default=None)


def _hgnc_modified(fetched: list[tuple[str, FetchedFile]]) -> str | None:
    (_, item), *_ = fetched
    with open_text(item.path) as fh:
        header = fh.readline().rstrip("\n").split("\t")
        if "date_modified" not in header:
            return None
        column = header.index("date_modified")
        return max(
            (f[column] for f in (line.split("\t") for line in fh) if len(f) > column),
            default=None,
        )


def stated_release(source: str, fetched: list[tuple[str, FetchedFile]]) -> str | None:
    """The release a download states: in its content, its URL, or its Last-Modified header."""
    upstream_release = {UPSTREAMS[k].release for k, _ in (key.split("/", 1) for key, _ in fetched)}
    fixed = next(iter(upstream_release)) if len(upstream_release) == 1 else None
    if fixed:
        return fixed
    if source == "panelapp":
        return _newest_panel(fetched)
    if source == "hgnc":
        return _hgnc_modified(fetched)
    if source in _RELEASE_PATTERNS:
        prefix, pattern = _RELEASE_PATTERNS[source]
        for key, item in fetched:
            if key.startswith(prefix):
                found = pattern.search(_head(item.path).decode("utf-8", "replace"))
                if found:
                    return _iso(found.group(1))
    modified = [item.headers.get("Last-Modified") for _, item in fetched]
    return next((m for m in modified if m), None)
