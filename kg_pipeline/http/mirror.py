"""Mirror mode: the same files read from a snapshot directory instead of the network.

A snapshot holds `<upstream>/<mirror_relpath(path, page)>`, so the bytes (and sha256) a mirror
fetch returns are the bytes the emulator would serve for the same request. A query written into
the path names the file with it (`submissions-export-tsv?format=new`); request parameters other
than the page do not select files in a snapshot and are ignored.
"""

from __future__ import annotations

from pathlib import Path

from kg_pipeline.http.transport import (
    CHUNK_SIZE,
    BodySink,
    Fetcher,
    UpstreamError,
    mirror_relpath,
    snapshot_path,
)
from kg_pipeline.settings import SourceMode


class MirrorFetcher(Fetcher):
    """Reads upstream files from a snapshot directory."""

    mode: SourceMode = "mirror"

    def __init__(self, snapshot_dir: Path) -> None:
        self.snapshot_dir = snapshot_dir

    def _stream(
        self, upstream: str, path: str, params: dict[str, str], page: int | None, sink: BodySink
    ) -> tuple[str, dict[str, str]]:
        source = self._existing_file(upstream, mirror_relpath(path, page))
        with source.open("rb") as src:
            while chunk := src.read(CHUNK_SIZE):
                sink.write(chunk)
        # The same completeness rules as a live body, so a damaged snapshot fails loudly.
        if sink.size == 0:
            raise self._damaged(upstream, source, "snapshot file is empty")
        if problem := sink.gzip_problem():
            raise self._damaged(
                upstream, source, f"snapshot file is a truncated or corrupt gzip: {problem}"
            )
        return str(source), {}

    def _existing_file(self, upstream: str, relpath: str) -> Path:
        source = snapshot_path(self.snapshot_dir, upstream, relpath)
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

    def _damaged(self, upstream: str, source: Path, reason: str) -> UpstreamError:
        return UpstreamError(
            upstream,
            str(source),
            reason,
            action="read",
            advice=f"regenerate the snapshot with `kg-pipeline snapshot --out {self.snapshot_dir}`",
        )
