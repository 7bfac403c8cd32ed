"""The content-addressed store of raw upstream files.

Every fetched file is kept once, as `<root>/<source>/<sha256>`. One download of a source (one
or many files) is a `kg_pipeline.raw_files.RawVersion`. Which version is the latest good one is
recorded in the gene database (`kg_pipeline.db.raw_index`), not here.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from kg_pipeline.http.transport import FILE_MODE, FetchedFile
from kg_pipeline.raw_files import RawVersion, StoredFile

_IMPORTED = "imported.json"
"""Beside a source's files: the version `kg-pipeline import-raw` stored last (files are named by
their sha256, so the name cannot clash)."""


class RawFileMissing(RuntimeError):
    """A file of a recorded raw version is gone or altered in the store."""


class RawStore:
    """Files by content under `root`; see the module docstring."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, source: str, sha256: str) -> Path:
        return self.root / source / sha256

    def add(
        self,
        source: str,
        fetched: Iterable[tuple[str, FetchedFile]],
        *,
        release: str | None,
        fetched_at: str,
        details: Mapping[str, Any] | None = None,
    ) -> RawVersion:
        """Move fetched files (key, file) into the store; return the version they make up.

        A fetched file is already read-only (`FILE_MODE`) and usually on the store's file
        system (the staging directory is under the store), so each costs one rename; the same
        bytes already stored are replaced by themselves."""
        files: dict[str, StoredFile] = {}
        folder = self.root / source
        folder.mkdir(parents=True, exist_ok=True)
        for key, item in fetched:
            target = folder / item.sha256
            # A file carried over from a stored version is already in place.
            if item.path != target:
                _adopt(item.path, target)
            files[key] = StoredFile(
                item.sha256,
                item.size,
                item.location,
                etag=item.headers.get("ETag"),
                last_modified=item.headers.get("Last-Modified"),
            )
        return RawVersion(source, files, release, fetched_at, details or {})

    def open_version(self, version: RawVersion) -> dict[str, Path]:
        """Local paths of a version's files, checking each is present with the recorded size."""
        paths: dict[str, Path] = {}
        for key, stored in version.files.items():
            path = self.path(version.source, stored.sha256)
            if not path.is_file() or path.stat().st_size != stored.size:
                raise RawFileMissing(
                    f"{version.source}: raw file {key} ({stored.sha256[:12]}) is missing from "
                    f"{self.root}; materialise raw_{version.source} again"
                )
            paths[key] = path
        return paths

    def record_import(self, version: RawVersion) -> None:
        """Note `version` (files imported by hand) as the source's latest import."""
        note = self.root / version.source / _IMPORTED
        note.parent.mkdir(parents=True, exist_ok=True)
        partial = note.with_suffix(".part")
        partial.write_text(json.dumps(version.to_json(), indent=1))
        partial.replace(note)

    def latest_import(self, source: str) -> RawVersion | None:
        """The source's latest files imported by hand, if any."""
        note = self.root / source / _IMPORTED
        if not note.is_file():
            return None
        return RawVersion.from_json(json.loads(note.read_text()))

    @property
    def downloads_dir(self) -> Path:
        """Where daily download budgets are counted (see `kg_pipeline.http.quota`)."""
        return self.root / ".downloads"

    def known_files(self, version: RawVersion) -> dict[str, FetchedFile]:
        """A stored version's files that are still in the store intact, as fetched files (not
        downloaded, headers: the validators they were sent with): what a fetch may ask the
        upstream about, and what an incremental walk may read and carry into a new version."""
        known = {}
        for key, stored in version.files.items():
            path = self.path(version.source, stored.sha256)
            if not path.is_file() or path.stat().st_size != stored.size:
                continue
            headers = {"ETag": stored.etag, "Last-Modified": stored.last_modified}
            known[key] = FetchedFile(
                relpath=key.split("/", 1)[1],
                location=stored.location,
                path=path,
                size=stored.size,
                sha256=stored.sha256,
                headers={name: value for name, value in headers.items() if value},
                downloaded=False,
            )
        return known

    def staging_dir(self, source: str) -> Path:
        """A scratch directory on the store's filesystem for downloads in progress."""
        staging = self.root / ".incoming" / source
        staging.mkdir(parents=True, exist_ok=True)
        return staging


def _adopt(path: Path, target: Path) -> None:
    """Move the fetched file `path` to `target`: a rename, or a copy from another file system
    (written beside `target`, then renamed, so `target` is only ever complete)."""
    try:
        os.replace(path, target)
        return
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
    partial = target.with_name(f".{target.name}.part")
    shutil.copyfile(path, partial)
    partial.chmod(FILE_MODE)
    partial.replace(target)
    path.unlink()
