"""Raw upstream files as every layer sees them: the records of a stored download and how a file
is read.

Owns `RawFiles` (the mapping parsers receive), `RawVersion` (one complete download of a source
as the raw store keeps it and the gene database records it), the one error a raw file that is not
what it should be raises (`SourceFormatError`), the readers that sniff gzip and decode text
or JSON, and `read_once`, which lets a parse of a file be asked for again without reading it
again. It sits below `http`, `db` and `sources`, which all share these records.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import inspect
import io
import json
import os
import threading
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Any, Concatenate, Final, ParamSpec, TypeVar

RawFiles = Mapping[str, Path]
"""Raw files of a run: `"<upstream key>/<relpath>"` (the snapshot layout, e.g.
`"clingen/kb/gene-validity/download"`) to the local file holding its bytes. The local file name is
a content hash, so parsers take every meaning from the key, never from the path."""

_GZIP_MAGIC: Final = b"\x1f\x8b"

NESTED_TOO_DEEP: Final = (
    "JSON nested deeper than Python's recursion limit (about 1,000 levels); no upstream "
    "nests that deep, so the file is damaged or hostile"
)


class SourceFormatError(Exception):
    """A raw file that cannot be used at all: the load stops and the stored data stays."""

    def __init__(self, source: str, file: str, reason: str) -> None:
        self.source = source
        self.file = file
        self.reason = reason
        super().__init__(
            f"{source}: cannot parse {file}: {reason}; the previous {source} data is kept"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        # Dagster pickles errors across processes; the default would lose the three fields.
        return (type(self), (self.source, self.file, self.reason))


@dataclass(frozen=True)
class StoredFile:
    """One file of a raw version: its identity, where it came from, and the validators the
    upstream sent with it (`ETag`, `Last-Modified`), which the next fetch sends back so an
    unchanged file is not downloaded again."""

    sha256: str
    size: int
    location: str
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class RawVersion:
    """One complete download of a source, as stored: each file's key to its sha256.

    The version's own id is the sha256 of that mapping, so identical bytes give an identical
    version whatever the fetch time.
    """

    source: str
    files: Mapping[str, StoredFile]
    release: str | None
    fetched_at: str
    details: Mapping[str, Any] = field(default_factory=dict)

    @functools.cached_property
    def sha256(self) -> str:
        # Once per version: a run asks a dozen times (log lines, metadata, the parse kept for
        # the load), and PubTator's 5,500 files take 4 ms each time. Its files never change.
        listing = json.dumps({key: f.sha256 for key, f in sorted(self.files.items())})
        return hashlib.sha256(listing.encode()).hexdigest()

    @property
    def size(self) -> int:
        return sum(f.size for f in self.files.values())

    def with_validators_of(self, other: RawVersion) -> RawVersion:
        """This version with the validators `other` (the same bytes, fetched again) carries."""
        files = {
            key: replace(stored, etag=new.etag, last_modified=new.last_modified)
            if (new := other.files.get(key))
            else stored
            for key, stored in self.files.items()
        }
        return replace(self, files=files)

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "sha256": self.sha256,
            "release": self.release,
            "fetched_at": self.fetched_at,
            "details": dict(self.details),
            "files": {
                key: {
                    "sha256": f.sha256,
                    "size": f.size,
                    "location": f.location,
                    **({"etag": f.etag} if f.etag else {}),
                    **({"last_modified": f.last_modified} if f.last_modified else {}),
                }
                for key, f in sorted(self.files.items())
            },
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RawVersion:
        return cls(
            source=data["source"],
            files={key: StoredFile(**value) for key, value in data["files"].items()},
            release=data.get("release"),
            fetched_at=data["fetched_at"],
            details=data.get("details") or {},
        )


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


def read_head(path: Path, size: int) -> bytes:
    """The first `size` bytes of the file's content (decompressed when gzip)."""
    with gzip.open(path, "rb") if is_gzip(path) else open(path, "rb") as fh:
        return fh.read(size)


def read_bytes(path: Path) -> bytes:
    """The file's bytes, decompressed when gzip."""
    with open(path, "rb") as fh:
        return _content(fh.read())


def _content(data: bytes) -> bytes:
    """A raw file's content from its bytes: inflated when they are gzip, whatever the name."""
    return gzip.decompress(data) if data[:2] == _GZIP_MAGIC else data


def read_text(source: str, key: str, path: Path) -> str:
    """The whole file as text (gzip sniffed); unreadable bytes are a `SourceFormatError`."""
    try:
        # `open`, not `Path(path).read_bytes()`: a parser may read thousands of small pages,
        # and building a Path for each costs about as much as reading it.
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise SourceFormatError(source, key, _unreadable(exc)) from exc
    return content_text(source, key, data)


def content_text(source: str, key: str, data: bytes) -> str:
    """A raw file's bytes, already in hand, as `read_text` reads the file: gzip sniffed and
    inflated, UTF-8 decoded; unreadable bytes are a `SourceFormatError`."""
    try:
        content = _content(data)
    except (EOFError, OSError, zlib.error) as exc:
        raise SourceFormatError(source, key, _unreadable(exc)) from exc
    return decode_utf8(source, key, content)


def _unreadable(exc: BaseException) -> str:
    return f"unreadable or truncated file ({exc})"


def decode_utf8(source: str, key: str, data: bytes) -> str:
    """UTF-8 bytes (a byte-order mark dropped) as text. Bytes that are not UTF-8 refuse the
    whole file, naming the first bad byte's offset: a file in another encoding would otherwise
    load with every accented or Greek letter silently replaced."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceFormatError(source, key, not_utf8(exc)) from exc


def not_utf8(exc: UnicodeDecodeError, offset: int = 0) -> str:
    """The reason for refusing a file that is not UTF-8: the bad byte and its offset (`offset`:
    where the decoded data began in the file's content)."""
    bad = exc.object[exc.start : exc.start + 1].hex()
    return f"not UTF-8 text: byte 0x{bad} at offset {offset + exc.start:,} ({exc.reason})"


def read_json(source: str, key: str, path: Path) -> Any:
    """Parse one JSON raw file; a truncated, corrupt or non-JSON file is a `SourceFormatError`."""
    return parse_json(source, key, read_text(source, key, path))


def parse_json(source: str, key: str, text: str) -> Any:
    """Parse the text of one JSON raw file, as `read_json` does."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceFormatError(
            source, key, f"not valid JSON at line {exc.lineno} column {exc.colno} ({exc.msg})"
        ) from exc
    except RecursionError:
        raise SourceFormatError(source, key, NESTED_TOO_DEEP) from None


_P = ParamSpec("_P")
_R = TypeVar("_R")


def read_once(
    read: Callable[Concatenate[Path, _P], _R],
) -> Callable[Concatenate[Path, _P], _R]:
    """`read` (a parse of one raw file into a value its callers do not change), remembering its
    last result in this process by the file's identity: device, inode, size and modification
    time.

    A raw step checks a new file in the fetch's staging folder and moves it into the store by a
    rename, which keeps all four, so the loads after it in the same run (which open the stored
    file) get the check's parse instead of reading it again. The store never changes a file in
    place: different bytes are another file. Only the last result is kept, and a read that
    raises is not kept.
    """
    last: dict[tuple[Any, ...], _R] = {}
    lock = threading.Lock()
    signature = inspect.signature(read)

    @functools.wraps(read)
    def wrapper(path: Path, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            stat = os.stat(path)
        except OSError:
            return read(path, *args, **kwargs)  # which says, in its own words, what is wrong
        # The same arguments however they were passed (a default left out or spelt out).
        bound = signature.bind(path, *args, **kwargs)
        bound.apply_defaults()
        arguments = tuple(bound.arguments.items())[1:]
        key = (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns, arguments)
        with lock:
            if key in last:
                return last[key]
        result = read(path, *args, **kwargs)
        with lock:
            last.clear()
            last[key] = result
        return result

    return wrapper
