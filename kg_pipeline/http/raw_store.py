"""The content-addressed store of raw upstream files.

Every fetched file is kept once, as `<root>/<source>/<sha256>`. One download of a source (one
or many files) is a `kg_pipeline.raw_files.RawVersion`. Which version is the latest good one is
recorded in the gene database (`kg_pipeline.db.raw_index`), not here.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from kg_pipeline.http.transport import FetchedFile
from kg_pipeline.raw_files import RawVersion, StoredFile


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
        """Move fetched files (key, file) into the store; return the version they make up."""
        files: dict[str, StoredFile] = {}
        for key, item in fetched:
            target = self.path(source, item.sha256)
            target.parent.mkdir(parents=True, exist_ok=True)
            # A file carried over from a stored version is already in place.
            if item.path != target:
                if target.exists() and target.stat().st_size == item.size:
                    item.path.unlink(missing_ok=True)
                else:
                    # Same filesystem in practice (a temp dir under the store): a rename.
                    shutil.move(item.path, target)
                    os.chmod(target, 0o444)
            files[key] = StoredFile(item.sha256, item.size, item.location)
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

    def stored_files(self, version: RawVersion) -> dict[str, FetchedFile]:
        """A stored version's files as fetched files (checked present), so that a walk can read
        them and carry them into a new version without fetching them again."""
        paths = self.open_version(version)
        return {
            key: FetchedFile(
                relpath=key.split("/", 1)[1],
                location=stored.location,
                path=paths[key],
                size=stored.size,
                sha256=stored.sha256,
            )
            for key, stored in version.files.items()
        }

    def staging_dir(self, source: str) -> Path:
        """A scratch directory on the store's filesystem for downloads in progress."""
        staging = self.root / ".incoming" / source
        staging.mkdir(parents=True, exist_ok=True)
        return staging
