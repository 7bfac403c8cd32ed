"""The contract every fetcher and the emulator share: where a request lands in a snapshot, what a
fetched file looks like, the one error type, and the streaming integrity checks.

`mirror_relpath` is the single mapping from a request (`path`, optional `page`) to a snapshot file.
The live fetcher, the mirror fetcher and the local emulator all go through it, which is what makes
"mirror bytes == live bytes" hold.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import zlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO, Literal, Self, TypeVar
from urllib.parse import parse_qsl, urlencode

FetchMode = Literal["live", "mirror", "manual"]
"""Where a fetcher's bytes come from: the upstreams, a snapshot, or files given by hand."""

CHUNK_SIZE = 1 << 20
"""Bytes per read/write when streaming bodies and files (1 MiB)."""

MEMORY_BYTES = CHUNK_SIZE
"""A body up to this size is held in memory until complete, then written to its file at once."""

ADVICE_RETRY_LATER = (
    "the upstream is down, slow or rate-limiting; retry later or use KG_SOURCE_MODE=mirror"
)


def mirror_relpath(path: str, page: int | None = None) -> str:
    """The snapshot-relative file for a request: `path` without surrounding slashes, plus
    `/page-<n>` for one page of a paged API.

    A query written into `path` is part of the file's address (GenCC serves another export at
    `?format=new`), so it stays in the name, after the page, as `wget` would save it. Request
    parameters passed separately (`params`: PubTator's search text) never name a file.

    >>> mirror_relpath("api/v1/panels/", 2)
    'api/v1/panels/page-2'
    >>> mirror_relpath("api/v1/panels/149/")
    'api/v1/panels/149'
    >>> mirror_relpath("download/action/submissions-export-tsv?format=new")
    'download/action/submissions-export-tsv?format=new'
    """
    path, _, query = path.partition("?")
    relpath = path.strip("/")
    if page is not None:
        relpath = f"{relpath}/page-{page}" if relpath else f"page-{page}"
    if not query:
        return relpath
    # One spelling of the query, however the request encoded it.
    query = urlencode(parse_qsl(query, keep_blank_values=True))
    return f"{relpath}?{query}" if query else relpath


def snapshot_path(snapshot_dir: Path, upstream: str, relpath: str) -> Path:
    """`snapshot_dir/upstream/relpath`, refusing anything that would step outside that upstream's
    folder (`..`, absolute paths). The emulator feeds this from the network, so it must not be a
    way to read arbitrary files."""
    up = PurePosixPath(upstream)
    rel = PurePosixPath(relpath)
    if len(up.parts) != 1 or up.parts[0] in (".", "..") or up.is_absolute():
        raise ValueError(f"not an upstream name: {upstream!r}")
    if not relpath or rel.is_absolute() or ".." in rel.parts:
        raise ValueError(f"not a snapshot-relative path: {relpath!r}")
    return Path(snapshot_dir) / upstream / Path(*rel.parts)


class UpstreamError(Exception):
    """A fetch that failed for good: after the retries, or at once when retrying cannot help.

    `str()` is one line saying which upstream and location failed, why, and what to do. Messages
    never contain API keys: the live fetcher redacts them before building this error.
    """

    def __init__(
        self,
        upstream: str,
        url: str,
        reason: str,
        *,
        advice: str = ADVICE_RETRY_LATER,
        action: str = "GET",
        attempts: int = 1,
        status: int | None = None,
    ) -> None:
        self.upstream = upstream
        self.url = url
        self.reason = _one_line(reason)
        self.advice = _one_line(advice)
        self.action = action
        self.attempts = attempts
        self.status = status
        super().__init__(str(self))

    def __str__(self) -> str:
        after = f" after {self.attempts} attempts" if self.attempts > 1 else ""
        return (
            f"{self.upstream}: {self.action} {self.url} failed{after}: {self.reason}; {self.advice}"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only fields would be lost by Exception's default pickling (Dagster pickles
        # errors across processes).
        return (
            _rebuild_upstream_error,
            (
                self.upstream,
                self.url,
                self.reason,
                self.advice,
                self.action,
                self.attempts,
                self.status,
            ),
        )


def _rebuild_upstream_error(
    upstream: str,
    url: str,
    reason: str,
    advice: str,
    action: str,
    attempts: int,
    status: int | None,
) -> UpstreamError:
    return UpstreamError(
        upstream, url, reason, advice=advice, action=action, attempts=attempts, status=status
    )


class NotModified(Exception):
    """The upstream answered 304 to the validators sent: the stored file is still current, and
    no byte of it was downloaded."""

    def __init__(self, location: str) -> None:
        super().__init__(f"not modified: {location}")
        self.location = location


def _one_line(text: str) -> str:
    return " ".join(text.split())


def conditional_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The request headers that ask for a file only if it changed since it was sent with these
    response headers (`ETag`, `Last-Modified`)."""
    asked = {"ETag": "If-None-Match", "Last-Modified": "If-Modified-Since"}
    return {asked[name]: value for name, value in headers.items() if name in asked and value}


@dataclass(frozen=True)
class FileRequest:
    """One file or page asked of an upstream, as `Fetcher.download` passes it to a mode."""

    upstream: str
    path: str
    """Under the upstream's base URL."""
    params: dict[str, str]
    page: int | None
    validators: dict[str, str]
    """`If-None-Match` / `If-Modified-Since` of the stored file; empty: ask unconditionally."""

    @property
    def relpath(self) -> str:
        return mirror_relpath(self.path, self.page)


@dataclass(frozen=True)
class FetchedFile:
    """One file as fetched: where it came from, where its bytes now are, and their identity."""

    relpath: str
    """The snapshot-relative path (`mirror_relpath` of the request)."""
    location: str
    """The URL requested (without secrets), or the mirror file read."""
    path: Path
    """The local file the bytes were written to, read-only (`FILE_MODE`)."""
    size: int
    sha256: str
    headers: dict[str, str] = field(default_factory=dict)
    """`Last-Modified` / `ETag` as sent by a live upstream; empty in mirror mode."""
    downloaded: bool = True
    """False when the upstream answered 304 and the bytes are the stored file's."""
    inflated_size: int | None = None
    """The bytes a `.gz` body inflated to, counted while its completeness was checked as it
    arrived; None for other files and for a stored file."""
    content: bytes | None = field(default=None, repr=False, compare=False)
    """The bytes themselves when the body was small enough to arrive in memory (an API page,
    up to `MEMORY_BYTES`), so a walk reads the page it just fetched without reading the file
    back; None for a larger body and for a stored file."""


class Fetcher(ABC):
    """Fetches upstream files and API pages, live or from a snapshot.

    `download` is the same for every mode: the bytes stream into a `BodySink` (memory, then a
    temporary file next to `dest`; `dest` holds the body only once it is complete) while their
    size, sha256 and gzip completeness are kept; each mode says only where the bytes come from
    (`_stream`).
    """

    mode: FetchMode

    def download(
        self,
        upstream: str,
        path: str,
        dest: Path,
        *,
        params: dict[str, str] | None = None,
        page: int | None = None,
        validators: Mapping[str, str] | None = None,
    ) -> FetchedFile:
        """Stream one file to `dest` and describe it. `validators` (`If-None-Match`,
        `If-Modified-Since`) make the request conditional: `NotModified` when the upstream
        says the file it described then has not changed."""
        relpath = mirror_relpath(path, page)
        sink = BodySink(dest, check_gzip=is_gzip_name(relpath))
        request = FileRequest(upstream, path, params or {}, page, dict(validators or {}))
        try:
            location, headers = self._stream(request, sink)
            content, inflated = sink.content, sink.inflated_size
            sink.save()
        except BaseException:
            sink.discard()
            raise
        return FetchedFile(
            relpath,
            location,
            dest,
            sink.size,
            sink.sha256,
            headers,
            inflated_size=inflated,
            content=content,
        )

    @abstractmethod
    def _stream(self, request: FileRequest, sink: BodySink) -> tuple[str, dict[str, str]]:
        """Write the complete body of one request to `sink`; return where it came from (shown
        to users, without secrets) and the provenance headers (`Last-Modified`, `ETag`). A mode
        that can ask conditionally raises `NotModified` instead when the validators hold."""

    def close(self) -> None:  # noqa: B027 (a fetcher without connections has nothing to close)
        """Release connections; the fetcher must not be used afterwards."""

    def __enter__(self) -> Self:
        """`with fetcher:` closes it at the end of the block."""
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class GzipCheck:
    """Checks, chunk by chunk, that bytes form complete gzip members, without keeping the
    decompressed data. A missing end or a broken stream is how a truncated `.gz` download shows
    when the server sends no Content-Length, or lies about it."""

    # Caps decompressed output per call: a 1 MiB chunk of a highly compressed file could
    # otherwise expand to hundreds of MiB in one go.
    _MAX_OUTPUT = 4 * CHUNK_SIZE

    def __init__(self) -> None:
        self._inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        self._member_has_input = False
        self._members = 0
        self._padding = False
        self._error: str | None = None
        self.inflated = 0
        """Bytes the members fed so far inflate to."""

    def feed(self, data: bytes) -> None:
        pending = data
        while pending and self._error is None:
            if not self._member_has_input and self._members and pending[:1] == b"\x00":
                # gzip(1) tolerates NUL padding after the last member (tape blocks); so do we.
                self._padding = True
            if self._padding:
                if pending.strip(b"\x00"):
                    self._error = "data after the end of the gzip stream"
                return
            self._member_has_input = True
            try:
                self.inflated += len(self._inflater.decompress(pending, self._MAX_OUTPUT))
            except zlib.error as exc:
                self._error = f"broken gzip stream ({exc})"
                return
            if self._inflater.eof:
                self._members += 1
                pending = self._inflater.unused_data
                self._inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
                self._member_has_input = False
            else:
                pending = self._inflater.unconsumed_tail

    def problem(self) -> str | None:
        """Why the bytes fed so far are not a complete gzip file, or None if they are."""
        if self._error:
            return self._error
        if self._member_has_input:
            return "gzip stream ends before its end marker"
        if self._members == 0:
            return "no gzip data"
        return None


class BodySink:
    """Receives a body as it streams and keeps its size, sha256 and (for `.gz` names) gzip
    completeness. The bytes stay in memory up to `MEMORY_BYTES` and go to a temporary file next
    to `dest` beyond; `save()` puts the complete body at `dest`, `discard()` drops it, so a
    failed download never leaves a partial file where a complete one is expected. An API page
    is thus written to disk once, complete, and a retry (`reset()`) of one touches no file.

    The file is created read-only (`FILE_MODE`), as the raw store keeps it, so adopting it into
    the store is a rename. A body held in memory is written straight to a `dest` that does not
    exist yet (a fetch's staging name): one create, no temporary name, no rename."""

    def __init__(self, dest: Path, *, check_gzip: bool) -> None:
        self._dest = dest
        self._check_gzip = check_gzip
        self._file: BinaryIO | None = None
        self._tmp: Path | None = None
        self.reset()

    def reset(self) -> None:
        self._held: list[bytes] = []
        if self._file is not None:
            self._file.seek(0)
            self._file.truncate()
        self._hash = hashlib.sha256()
        self._gzip = GzipCheck() if self._check_gzip else None
        self.size = 0

    def write(self, chunk: bytes) -> None:
        if self._file is None and self.size + len(chunk) > MEMORY_BYTES:
            self._spill()
        if self._file is not None:
            self._file.write(chunk)
        else:
            self._held.append(chunk)
        self._hash.update(chunk)
        if self._gzip is not None:
            self._gzip.feed(chunk)
        self.size += len(chunk)

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()

    @property
    def content(self) -> bytes | None:
        """The body so far when it is still in memory, else None."""
        return b"".join(self._held) if self._file is None else None

    def gzip_problem(self) -> str | None:
        return self._gzip.problem() if self._gzip is not None else None

    @property
    def inflated_size(self) -> int | None:
        """What a complete gzip body inflates to; None when it is not checked as gzip or is
        not complete."""
        if self._gzip is None or self._gzip.problem() is not None:
            return None
        return self._gzip.inflated

    def save(self) -> None:
        """Put the body received so far at `dest`, replacing any file there."""
        if self._file is None:
            try:
                self._write_new_dest()
                return
            except FileExistsError:
                self._spill()  # replaced only once complete, like a large body
        assert self._file is not None and self._tmp is not None
        self._file.close()
        os.replace(self._tmp, self._dest)
        self._file = self._tmp = None

    def discard(self) -> None:
        """Drop the body received so far (and its temporary file)."""
        if self._file is not None:
            self._file.close()
        if self._tmp is not None:
            self._tmp.unlink(missing_ok=True)
        self._file = self._tmp = None
        self._held = []

    def _write_new_dest(self) -> None:
        """Write the body held in memory to `dest` as a new file; `FileExistsError` when there
        is one already. A write that fails removes the file it began."""
        fd = _create(self._dest, lambda path: os.open(path, _NEW_FILE_FLAGS, FILE_MODE))
        try:
            with open(fd, "wb") as file:
                os.fchmod(fd, FILE_MODE)  # whatever the umask
                file.writelines(self._held)
        except BaseException:
            self._dest.unlink(missing_ok=True)
            raise
        self._held = []

    def _spill(self) -> None:
        """Move the body held in memory to a new temporary file next to `dest`."""
        prefix, parent = f".{self._dest.name}.", self._dest.parent
        fd, tmp_name = _create(
            self._dest,
            lambda _: tempfile.mkstemp(dir=parent, prefix=prefix, suffix=".part"),
        )
        self._tmp = Path(tmp_name)
        self._file = os.fdopen(fd, "wb")
        # mkstemp creates 0600; raw upstream files are shared data, not secrets.
        os.fchmod(fd, FILE_MODE)
        self._file.writelines(self._held)
        self._held = []


FILE_MODE = 0o444
"""Every fetched file's mode: read-only, as the raw store keeps its files."""

_NEW_FILE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC

_T = TypeVar("_T")


def _create(dest: Path, create: Callable[[Path], _T]) -> _T:
    """`create(dest)`, making `dest`'s directory first when it is missing (asked only then:
    most files go to a directory that exists)."""
    try:
        return create(dest)
    except FileNotFoundError:
        dest.parent.mkdir(parents=True, exist_ok=True)
        return create(dest)


def is_gzip_name(name: str) -> bool:
    """True for a `.gz` file name or path (a query after it does not count)."""
    return name.partition("?")[0].lower().endswith(".gz")
