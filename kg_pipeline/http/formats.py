"""Is a downloaded file what its upstream promises?

Checked before a raw version is recorded, so a cut-off JSON page or an HTML error page served
with status 200 never becomes the latest good version. Row-level problems are not judged here:
the loaders skip malformed rows and count them. Gzip completeness is already verified while the
bytes stream in (`kg_pipeline.http.transport`).
"""

from __future__ import annotations

import gzip
import json
import zlib
from pathlib import Path
from typing import Literal

from kg_pipeline.raw_files import (
    NESTED_TOO_DEEP,
    SourceFormatError,
    is_gzip,
    not_utf8,
    open_text,
    read_head,
)

FileFormat = Literal["json", "obo", "text"]
HEAD_BYTES = 1 << 16
_INFLATE_CHUNK = 1 << 20


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


def check_format(
    source: str,
    key: str,
    path: Path,
    kind: FileFormat,
    *,
    max_decompressed_bytes: int,
    inflated_size: int | None = None,
) -> None:
    """Raise `SourceFormatError` (one line: source, file, what is wrong) if `path` is not a
    valid file of format `kind`, or a gzip file (whatever its name) that inflates past
    `max_decompressed_bytes` (`KG_MAX_DECOMPRESSED_BYTES`). `inflated_size`: what the file
    inflates to when that was counted as it arrived (then it is not inflated again)."""
    if inflated_size is not None:
        too_large = inflated_size > max_decompressed_bytes
    else:
        too_large = is_gzip(path) and _inflates_past(path, max_decompressed_bytes)
    if too_large:
        raise SourceFormatError(
            source,
            key,
            f"the gzip data inflates past {max_decompressed_bytes:,} bytes, the limit "
            "KG_MAX_DECOMPRESSED_BYTES sets (a gzip bomb?); raise it only if the file is genuine",
        )
    if kind == "json":
        try:
            with open_text(path) as fh:
                json.load(fh)
        except ValueError as exc:
            raise SourceFormatError(source, key, f"not valid JSON ({exc})") from None
        except RecursionError:
            raise SourceFormatError(source, key, NESTED_TOO_DEEP) from None
        return
    head = read_head(path, HEAD_BYTES)
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # A cut at HEAD_BYTES may split a multi-byte character; only earlier errors count.
        if len(head) < HEAD_BYTES or exc.start < len(head) - 4:
            raise SourceFormatError(source, key, not_utf8(exc)) from None
        text = head[: exc.start].decode("utf-8-sig")
    if text.lstrip().lower().startswith(("<!doctype html", "<html")):
        raise SourceFormatError(source, key, "an HTML page, not a data file; retry later")
    if kind == "obo" and "[Term]" not in text and "format-version" not in text:
        raise SourceFormatError(source, key, "not an OBO ontology file")
    if kind == "text" and len([line for line in text.splitlines() if line.strip()]) < 2:
        raise SourceFormatError(source, key, "fewer than two lines of data")


def _inflates_past(path: Path, limit: int) -> bool:
    """Whether the gzip file's content is longer than `limit` bytes. Reading stops as soon as it
    is, so a bomb costs at most `limit` bytes of inflating, never the memory to hold them. A
    broken stream is not judged here (the transfer and the readers report it)."""
    size = 0
    try:
        with gzip.open(path, "rb") as fh:
            while chunk := fh.read(_INFLATE_CHUNK):
                size += len(chunk)
                if size > limit:
                    return True
    except (EOFError, OSError, zlib.error):
        return False
    return False
