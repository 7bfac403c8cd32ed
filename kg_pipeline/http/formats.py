"""Is a downloaded file what its upstream promises?

Checked before a raw version is recorded, so a cut-off JSON page or an HTML error page served
with status 200 never becomes the latest good version. Row-level problems are not judged here:
the loaders skip malformed rows and count them. Gzip completeness is already verified while the
bytes stream in (`kg_pipeline.http.transport`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from kg_pipeline.raw_files import SourceFormatError, open_text, read_head

FileFormat = Literal["json", "obo", "text"]
HEAD_BYTES = 1 << 16


def file_format(key: str, api_format: FileFormat | None = None) -> FileFormat:
    """The format of a raw file `<upstream>/<relpath>`: the paged API's when it has one, else
    what the name says (`.json`, `.obo` / `.ontology`, anything else text)."""
    if api_format is not None:
        return api_format
    name = key.removesuffix(".gz")
    if name.endswith(".json"):
        return "json"
    if name.endswith((".obo", ".ontology")):
        return "obo"
    return "text"


def check_format(source: str, key: str, path: Path, kind: FileFormat) -> None:
    """Raise `SourceFormatError` (one line: source, file, what is wrong) if `path` is not a
    valid file of format `kind`."""
    if kind == "json":
        try:
            with open_text(path) as fh:
                json.load(fh)
        except ValueError as exc:
            raise SourceFormatError(source, key, f"not valid JSON ({exc})") from None
        return
    head = read_head(path, HEAD_BYTES)
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # A cut at HEAD_BYTES may split a multi-byte character; only earlier errors count.
        if exc.start < len(head) - 4:
            raise SourceFormatError(source, key, f"not UTF-8 text (byte {exc.start})") from None
        text = head[: exc.start].decode("utf-8-sig")
    if text.lstrip().lower().startswith(("<!doctype html", "<html")):
        raise SourceFormatError(source, key, "an HTML page, not a data file; retry later")
    if kind == "obo" and "[Term]" not in text and "format-version" not in text:
        raise SourceFormatError(source, key, "not an OBO ontology file")
    if kind == "text" and len([line for line in text.splitlines() if line.strip()]) < 2:
        raise SourceFormatError(source, key, "fewer than two lines of data")
