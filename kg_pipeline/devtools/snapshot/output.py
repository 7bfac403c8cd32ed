"""Writing snapshot files: deterministic bytes, streamed to disk, hashed on the way.

Every file of a snapshot goes through `SnapshotWriter`, which places it at
`<out>/<upstream key>/<relpath>`, computes its sha256 and size while writing (so large files
are never held in memory or read back), and records it in the manifest. Gzip output uses
mtime 0 and no file name so the same content always gives the same bytes.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO, TypedDict, Unpack

from kg_pipeline.manifest import Manifest, ManifestEntry, Origin
from kg_pipeline.sources.registry import UPSTREAMS

# Any fixed level gives deterministic bytes; level 1 compresses ~5x faster than zlib's default
# 6 for ~10 % larger files, which matters for the full-scale STRING and GTEx files.
GZIP_LEVEL = 1
_COPY_CHUNK = 1 << 20


class _HashingSink(io.RawIOBase):
    """A write-only file that forwards bytes to disk while hashing and counting them."""

    def __init__(self, fh: BinaryIO) -> None:
        self._fh = fh
        self.sha = hashlib.sha256()
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        view = memoryview(data)
        self._fh.write(view)
        self.sha.update(view)
        self.size += view.nbytes
        return view.nbytes


class TextSink:
    """Line-oriented text output; `write` takes already-terminated text."""

    def __init__(self, stream: io.TextIOWrapper) -> None:
        self._stream = stream

    def write(self, text: str) -> None:
        self._stream.write(text)

    def writelines(self, lines: Iterable[str]) -> None:
        self._stream.writelines(lines)


class FileMeta(TypedDict):
    """What the manifest says of a file besides its place, size and hash; every writing method
    takes these as keywords."""

    format: str
    origin: Origin
    release: str


class SnapshotWriter:
    """Creates snapshot files under `root` and records each one in `manifest`."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.manifest = Manifest()

    def path_for(self, upstream: str, relpath: str) -> Path:
        if upstream not in UPSTREAMS:
            raise KeyError(f"unknown upstream {upstream!r}")
        if relpath.startswith("/") or ".." in Path(relpath).parts:
            raise ValueError(f"relpath must stay inside the upstream directory: {relpath!r}")
        return self.root / upstream / relpath

    @contextmanager
    def open_binary(
        self, upstream: str, relpath: str, *, gzipped: bool = False, **meta: Unpack[FileMeta]
    ) -> Iterator[BinaryIO]:
        """Open a file for streaming bytes; on success it is hashed and added to the manifest."""
        path = self.path_for(upstream, relpath)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as raw:
            sink = _HashingSink(raw)
            if gzipped:
                # filename="" keeps the name out of the gzip header; mtime=0 keeps time out.
                with gzip.GzipFile(
                    filename="", mode="wb", fileobj=sink, compresslevel=GZIP_LEVEL, mtime=0
                ) as gz:
                    yield gz  # type: ignore[misc]
            else:
                buffered = io.BufferedWriter(sink, buffer_size=_COPY_CHUNK)
                yield buffered  # type: ignore[misc]
                buffered.flush()
        self.manifest.add(
            ManifestEntry(
                file=f"{upstream}/{relpath}",
                **meta,
                bytes=sink.size,
                sha256=sink.sha.hexdigest(),
            )
        )

    @contextmanager
    def open_text(
        self,
        upstream: str,
        relpath: str,
        *,
        gzipped: bool = False,
        encoding: str = "utf-8",
        **meta: Unpack[FileMeta],
    ) -> Iterator[TextSink]:
        """Open a text file for streaming; lines end in `\\n` exactly as written."""
        with self.open_binary(upstream, relpath, gzipped=gzipped, **meta) as fh:
            stream = io.TextIOWrapper(
                fh, encoding=encoding, newline="", write_through=False, line_buffering=False
            )
            yield TextSink(stream)
            stream.flush()
            stream.detach()

    def write_bytes(
        self,
        upstream: str,
        relpath: str,
        data: bytes,
        *,
        gzipped: bool = False,
        **meta: Unpack[FileMeta],
    ) -> None:
        with self.open_binary(upstream, relpath, gzipped=gzipped, **meta) as fh:
            fh.write(data)

    def write_text(
        self,
        upstream: str,
        relpath: str,
        text: str,
        *,
        gzipped: bool = False,
        **meta: Unpack[FileMeta],
    ) -> None:
        self.write_bytes(upstream, relpath, text.encode("utf-8"), gzipped=gzipped, **meta)

    def write_json(
        self,
        upstream: str,
        relpath: str,
        obj: Any,
        *,
        style: str = "compact",
        **meta: Unpack[FileMeta],
    ) -> None:
        """Write JSON in one of the providers' styles.

        `compact`: PanelApp/PubTator API bodies (no spaces, UTF-8, no final newline);
        `compact-nl`: the same with a final newline (PanelApp detail files);
        `seed`: the kidney-genetics-db seed files (indent 2, ASCII escapes, no final newline).
        """
        if style == "seed":
            text = json.dumps(obj, indent=2, ensure_ascii=True)
        elif style in ("compact", "compact-nl"):
            text = json.dumps(obj, separators=(",", ":"), ensure_ascii=False)
            if style == "compact-nl":
                text += "\n"
        else:
            raise ValueError(f"unknown JSON style {style!r}")
        self.write_text(upstream, relpath, text, **meta)

    def copy_file(
        self,
        upstream: str,
        relpath: str,
        source: Path,
        *,
        decompress: bool = False,
        **meta: Unpack[FileMeta],
    ) -> None:
        """Copy a file unchanged (or gunzipped), streaming in chunks."""
        opener = gzip.open if decompress else open
        with (
            opener(source, "rb") as src,  # type: ignore[operator]
            self.open_binary(upstream, relpath, **meta) as dst,
        ):
            while chunk := src.read(_COPY_CHUNK):
                dst.write(chunk)
