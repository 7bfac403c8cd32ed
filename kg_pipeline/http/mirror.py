"""Fetchers of local files: a snapshot directory (mirror mode) and files given by hand
(`kg-pipeline import-raw`).

A snapshot holds `<upstream>/<mirror_relpath(path, page)>`, so the bytes (and sha256) a mirror
fetch returns are the bytes the emulator would serve for the same request. A query written into
the path names the file with it (`submissions-export-tsv?format=new`); request parameters other
than the page do not select files in a snapshot and are ignored.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping
from pathlib import Path

from kg_pipeline.http.transport import (
    CHUNK_SIZE,
    BodySink,
    Fetcher,
    FetchMode,
    FileRequest,
    UpstreamError,
    snapshot_path,
)


class _LocalFetcher(Fetcher):
    """Copies a local file per request, with the completeness rules of a live body, so a
    damaged file fails loudly. A local copy costs no download: nothing is asked conditionally."""

    def _stream(self, request: FileRequest, sink: BodySink) -> tuple[str, dict[str, str]]:
        upstream = request.upstream
        source = self._locate(upstream, request.relpath)
        with source.open("rb") as src:
            while chunk := src.read(CHUNK_SIZE):
                sink.write(chunk)
        problem = "is empty" if sink.size == 0 else sink.gzip_problem()
        if problem:
            if sink.size:
                problem = f"is a truncated or corrupt gzip: {problem}"
            raise UpstreamError(
                upstream,
                str(source),
                f"{self.describes} {problem}",
                action="read",
                advice=self._damage_advice(),
            )
        return str(source), {}

    describes: str
    """What the local files are, in an error: `snapshot file`, `the file`."""

    @abstractmethod
    def _locate(self, upstream: str, relpath: str) -> Path:
        """The local file answering a request; `UpstreamError` saying what to do if none."""

    @abstractmethod
    def _damage_advice(self) -> str:
        """What to do about a local file that is empty or a broken gzip."""


class MirrorFetcher(_LocalFetcher):
    """Reads upstream files from a snapshot directory."""

    mode: FetchMode = "mirror"
    describes = "snapshot file"

    def __init__(self, snapshot_dir: Path) -> None:
        self.snapshot_dir = snapshot_dir

    def _locate(self, upstream: str, relpath: str) -> Path:
        try:
            source = snapshot_path(self.snapshot_dir, upstream, relpath)
        except ValueError as exc:
            raise UpstreamError(
                upstream,
                f"{upstream}/{relpath}",
                f"{exc}: a request never reads outside the snapshot directory",
                action="read",
                advice="request a path under the upstream's folder",
            ) from None
        if source.is_file():
            return source
        if not self.snapshot_dir.is_dir():
            reason = f"the snapshot directory {self.snapshot_dir} does not exist"
        else:
            reason = f"the snapshot lacks {upstream}/{relpath}"
        raise UpstreamError(
            upstream,
            str(source),
            reason,
            action="read",
            advice=f"run `kg-pipeline snapshot --out {self.snapshot_dir}`, or set KG_MIRROR_DIR "
            "to a complete snapshot (or use KG_SOURCE_MODE=live)",
        )

    def _damage_advice(self) -> str:
        return f"regenerate the snapshot with `kg-pipeline snapshot --out {self.snapshot_dir}`"


class LocalFilesFetcher(_LocalFetcher):
    """Reads the files a user gives for a source, by `RawFiles` key (`<upstream>/<relpath>`)."""

    mode: FetchMode = "manual"
    describes = "the file"

    def __init__(self, files: Mapping[str, Path]) -> None:
        self.files = dict(files)

    def _locate(self, upstream: str, relpath: str) -> Path:
        key = f"{upstream}/{relpath}"
        if key not in self.files:
            raise UpstreamError(
                upstream, key, "no file was given for it", action="read", advice="name it"
            )
        return self.files[key]

    def _damage_advice(self) -> str:
        return "download the file again (a browser may have stopped early)"
