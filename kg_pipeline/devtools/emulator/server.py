"""A local stand-in for every upstream: serves a snapshot directory at the upstreams' URL paths,
injects faults on request, and records what it was asked.

`GET /<upstream>/<path>?page=<n>` answers with `<snapshot>/<upstream>/<mirror_relpath(path, n)>`,
the same mapping the mirror fetcher reads, so live code pointed here (`KG_UPSTREAM_URL=<url>`)
sees the same bytes mirror mode would. Other query parameters select a file only when the snapshot
has one named with them (`submissions-export-tsv?format=new`); otherwise they are ignored, like
PubTator's search text. Like the real file hosts it sends `ETag` (the file's sha256) and
`Last-Modified`, answers `304 Not Modified` to validators that still hold, and counts the body
bytes it sends, so a test can tell a refresh that downloaded nothing.
"""

from __future__ import annotations

import email.utils
import hashlib
import logging
import os
import threading
import time
from collections.abc import Callable
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO, NamedTuple
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from kg_pipeline.devtools.emulator.faults import (
    Fault,
    content_type,
    make_fault,
    malform,
    recolumn,
)
from kg_pipeline.http.transport import CHUNK_SIZE, mirror_relpath, snapshot_path

logger = logging.getLogger("kg_pipeline.devtools.emulator")

_POLL_INTERVAL_S = 0.05
"""How often the serving loop checks for shutdown; small so tests stop the emulator promptly."""


class RequestRecord(NamedTuple):
    """One request as the emulator saw it."""

    time: float
    """`time.monotonic()` when the request arrived (before any injected delay)."""
    upstream: str
    path: str
    """The path under the upstream as requested, without the leading slash."""
    query: dict[str, str]
    headers: dict[str, str]
    """The request's headers, as sent (`Cookie`, `Authorization`, validators)."""
    status: int | None
    """The status answered; None while the request waits (a "slow" fault) or when the connection
    was closed without a response."""


class UpstreamEmulator:
    """Serves `snapshot_dir` over HTTP on a background thread while used as a context manager.

    The port is bound on construction (port 0 picks a free one), so `.url` is known before
    `start()`. Faults are injected with `inject()` and apply to the next matching requests.
    """

    def __init__(self, snapshot_dir: Path, host: str = "127.0.0.1", port: int = 0) -> None:
        self.snapshot_dir = Path(snapshot_dir)
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._requests: list[RequestRecord] = []
        self._bytes_sent: dict[str, int] = {}
        self._etags: dict[tuple[str, int, int], str] = {}
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._server = _Server((host, port), self)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        host = host.decode() if isinstance(host, bytes) else host
        return f"http://{host}:{port}"

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> UpstreamEmulator:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": _POLL_INTERVAL_S},
                name=f"upstream-emulator-{self._server.server_address[1]}",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port; injected delays are cut short."""
        self._stopping.set()
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._server.server_close()

    def serve_forever(self) -> None:
        """Serve on the calling thread until interrupted (Ctrl-C), then release the port."""
        try:
            self._server.serve_forever(poll_interval=_POLL_INTERVAL_S)
        except KeyboardInterrupt:
            pass
        finally:
            self._stopping.set()
            self._server.server_close()

    def __enter__(self) -> UpstreamEmulator:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- faults and the request log ----------------------------------------------------------

    def inject(
        self,
        upstream: str,
        fault: str,
        *,
        times: int = 1,
        path: str | None = None,
        **options: Any,
    ) -> None:
        """Make the next `times` requests to `upstream` (and `path`, if given) fail with `fault`;
        `times=-1` keeps failing until `clear_faults()`. Kinds and options: `FAULT_DEFAULTS`.
        Several injections queue up in order."""
        new = make_fault(upstream, fault, times=times, path=path, options=options)
        with self._lock:
            self._faults.append(new)

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    @property
    def requests(self) -> list[RequestRecord]:
        """Every request so far, in arrival order (a copy)."""
        with self._lock:
            return sorted(self._requests, key=lambda r: r.time)

    def requests_for(self, upstream: str) -> list[RequestRecord]:
        return [r for r in self.requests if r.upstream == upstream]

    def bytes_sent(self, upstream: str | None = None) -> int:
        """Body bytes sent so far, to every upstream's clients or to `upstream`'s."""
        with self._lock:
            if upstream is not None:
                return self._bytes_sent.get(upstream, 0)
            return sum(self._bytes_sent.values())

    def _count_sent(self, upstream: str, size: int) -> None:
        with self._lock:
            self._bytes_sent[upstream] = self._bytes_sent.get(upstream, 0) + size

    def _etag(self, key: tuple[str, int, int], first: bytes, rest: BinaryIO) -> str:
        """The sha256 of `first` and the rest of its file as a quoted entity tag, hashed once
        per file state (`key`: path, size, mtime). Hashing reads `rest` to its end and puts it
        back right after `first`."""
        with self._lock:
            cached = self._etags.get(key)
        if cached is None:
            digest = hashlib.sha256(first)
            while chunk := rest.read(CHUNK_SIZE):
                digest.update(chunk)
            rest.seek(len(first))
            cached = f'"{digest.hexdigest()}"'
            with self._lock:
                self._etags[key] = cached
        return cached

    def _take_fault(self, upstream: str, relpath: str, paged_relpath: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.matches(upstream, relpath, paged_relpath):
                    if fault.remaining > 0:
                        fault.remaining -= 1
                    return fault
            return None

    def _arrive(self, record: RequestRecord) -> int:
        # Logged on arrival so waiting requests are visible too; the index lets the status be
        # filled in when the answer is chosen.
        with self._lock:
            self._requests.append(record)
            return len(self._requests) - 1

    def _settle(self, index: int, status: int) -> None:
        # Set before the response is written: a client that has its answer must find the
        # status in the log already.
        with self._lock:
            self._requests[index] = self._requests[index]._replace(status=status)

    # -- answering ---------------------------------------------------------------------------

    def _open(
        self, upstream: str, path: str, pairs: list[tuple[str, str]], page: int | None
    ) -> tuple[str, BinaryIO | None]:
        """The snapshot file a request maps to, and that file opened (None when there is none):
        the one named with its query (the page aside) when the snapshot has it, else the one
        named by its path alone."""
        plain = mirror_relpath(path, page)
        query = urlencode([(name, value) for name, value in pairs if name != "page"])
        for relpath in (mirror_relpath(f"{path}?{query}", page), plain) if query else (plain,):
            try:
                return relpath, snapshot_path(self.snapshot_dir, upstream, relpath).open("rb")
            except (ValueError, FileNotFoundError, IsADirectoryError, NotADirectoryError):
                continue  # outside the snapshot, or no such file
        return plain, None

    def _answer(self, handler: _Handler, *, head: bool) -> None:
        try:
            self._dispatch(handler, head=head)
        except ConnectionError:
            # The client hung up first (e.g. it timed out while a "slow" fault waited).
            handler.close_connection = True

    def _dispatch(self, handler: _Handler, *, head: bool) -> None:
        arrived = time.monotonic()
        split = urlsplit(handler.path)
        pairs = parse_qsl(split.query, keep_blank_values=True)
        query = dict(pairs)
        upstream, _, path = unquote(split.path).lstrip("/").partition("/")
        request_headers = dict(handler.headers.items())
        index = self._arrive(RequestRecord(arrived, upstream, path, query, request_headers, None))

        def sent(size: int) -> None:
            self._count_sent(upstream, size)

        def reply(status: int, body: bytes = b"", **headers: str) -> None:
            self._settle(index, status)
            _send(handler, status, body, head=head, headers=headers, sent=sent)

        try:
            page = int(query["page"]) if "page" in query else None
        except ValueError:
            reply(400, b"page must be an integer\n")
            return
        # Opened once: its stat, first bytes, hash and body all come from this handle.
        paged, file = self._open(upstream, path, pairs, page)
        try:
            fault = self._take_fault(upstream, mirror_relpath(path), paged)
            kind = fault.kind if fault else None
            options = fault.options if fault else {}
            if kind == "down":
                handler.close_connection = True
                return
            if kind == "rate_limit":
                reply(429, b"rate limited\n", **{"Retry-After": str(options["retry_after"])})
                return
            if kind == "server_error":
                reply(int(options["status"]), b"upstream failure\n")
                return
            if kind == "forbidden":
                reply(403, b"Forbidden\n")
                return
            if kind == "slow" and self._stopping.wait(float(options["delay"])):
                handler.close_connection = True
                return
            if file is None:
                reply(404, f"not in the snapshot: {upstream}/{paged}\n".encode())
                return

            stat = os.fstat(file.fileno())
            # The whole of most files; a larger one is read on from `file`.
            first = file.read(CHUNK_SIZE)
            etag = self._etag((file.name, stat.st_size, stat.st_mtime_ns), first, file)
            name = PurePosixPath(paged).name
            headers = {
                "Content-Type": content_type(name, first[:64]),
                "Last-Modified": email.utils.formatdate(stat.st_mtime, usegmt=True),
                "ETag": etag,
            }
            # A body fault stands for an upstream that sends broken bytes whatever it is asked,
            # so only a request without one is answered by its validators.
            if kind is None and _not_modified(handler.headers, etag, stat.st_mtime):
                reply(304, b"", ETag=etag, **{"Last-Modified": headers["Last-Modified"]})
                return
            if kind == "empty":
                reply(200, b"", **headers)
            elif kind == "malformed":
                reply(200, malform(first + file.read(), name, int(options["every"])), **headers)
            elif kind in ("renamed_column", "missing_column"):
                body = recolumn(
                    first + file.read(), name, options["column"], drop=kind == "missing_column"
                )
                reply(200, body, **headers)
            elif kind == "truncate":
                self._settle(index, 200)
                if options["content_length"]:
                    headers["Content-Length"] = str(stat.st_size)
                cut = int(stat.st_size * float(options["fraction"]))
                _send_file(handler, first, file, headers, head=head, limit=cut, sent=sent)
                handler.close_connection = True
            else:
                self._settle(index, 200)
                headers["Content-Length"] = str(stat.st_size)
                _send_file(handler, first, file, headers, head=head, limit=stat.st_size, sent=sent)
        finally:
            if file is not None:
                file.close()


def _not_modified(request: Message, etag: str, mtime: float) -> bool:
    """Whether the request's validators still hold (RFC 9110: `If-None-Match` wins over
    `If-Modified-Since` when both are sent)."""
    if_none_match = request.get("If-None-Match")
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or etag in tags
    if_modified_since = request.get("If-Modified-Since")
    if if_modified_since is None:
        return False
    try:
        since = email.utils.parsedate_to_datetime(if_modified_since).timestamp()
    except (TypeError, ValueError):
        return False
    # HTTP dates have whole seconds.
    return int(mtime) <= since


def _send(
    handler: _Handler,
    status: int,
    body: bytes,
    *,
    head: bool,
    headers: dict[str, str],
    sent: Callable[[int], None],
) -> None:
    handler.send_response(status)
    headers.setdefault("Content-Type", "text/plain; charset=utf-8")
    for name, value in headers.items():
        handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    if not head:
        # Counted before writing: a client that has the bytes must find them counted.
        sent(len(body))
        handler.wfile.write(body)


def _send_file(
    handler: _Handler,
    first: bytes,
    rest: BinaryIO,
    headers: dict[str, str],
    *,
    head: bool,
    limit: int,
    sent: Callable[[int], None],
) -> None:
    """Send status 200, `headers`, and the first `limit` bytes of a file: `first`, then what
    `rest` still holds, streamed."""
    handler.send_response(200)
    for name, value in headers.items():
        handler.send_header(name, value)
    handler.end_headers()
    if head:
        return
    chunk, remaining = first[:limit], limit
    while chunk:
        sent(len(chunk))
        handler.wfile.write(chunk)
        remaining -= len(chunk)
        chunk = rest.read(min(CHUNK_SIZE, remaining)) if remaining > 0 else b""
    handler.wfile.flush()


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    # HTTP/1.1 keeps connections open between requests, as the real hosts do (a walk of
    # thousands of pages would otherwise spend a connection on each). "down", "slow" and
    # "truncate" close the connection of the request they hit.
    protocol_version = "HTTP/1.1"
    # A response is buffered and sent when the request is handled (or the buffer fills), so an
    # API page's headers and body leave in one write and reach the client as one segment.
    wbufsize = 64 * 1024
    # Without Nagle's algorithm: the body of a larger response, written apart from the
    # headers, would otherwise wait for the client's delayed ACK (tens of ms a request).
    disable_nagle_algorithm = True
    server_version = "kg-pipeline-emulator"

    def do_GET(self) -> None:
        self.server.emulator._answer(self, head=False)

    def do_HEAD(self) -> None:
        self.server.emulator._answer(self, head=True)

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: the request log is `UpstreamEmulator.requests`, not stderr."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], emulator: UpstreamEmulator) -> None:
        self.emulator = emulator
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # The default prints a traceback to stderr for every client that hangs up mid-answer.
        logger.debug("emulator: error answering %s", client_address, exc_info=True)


def serve(
    snapshot_dir: Path,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Serve `snapshot_dir` until interrupted. Prints nothing; `on_ready` receives the URL once
    the port is bound (useful with `port=0`), so the caller can print it."""
    emulator = UpstreamEmulator(snapshot_dir, host, port)
    if on_ready is not None:
        on_ready(emulator.url)
    emulator.serve_forever()
