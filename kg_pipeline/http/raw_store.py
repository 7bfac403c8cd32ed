"""The content-addressed store of raw upstream files.

Every fetched file is kept once, as `<root>/<source>/<sha256>`. One download of a source (one
or many files) is a `RawVersion`: the mapping from each file's key (`<upstream>/<relpath>`, as
in the snapshot layout) to its sha256. The version's own id is the sha256 of that mapping, so
identical bytes give an identical version whatever the fetch time. Which version is the latest
good one is recorded in the gene database (`kg_pipeline.db.raw_index`), not here.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg_pipeline.http.transport import FetchedFile


class RawFileMissing(RuntimeError):
    """A file of a recorded raw version is gone or altered in the store."""


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int
    location: str


@dataclass(frozen=True)
class RawVersion:
    """One complete download of a source, as stored."""

    source: str
    files: Mapping[str, StoredFile]
    release: str | None
    fetched_at: str
    details: Mapping[str, Any] = field(default_factory=dict)

    @property
    def sha256(self) -> str:
        listing = json.dumps({key: f.sha256 for key, f in sorted(self.files.items())})
        return hashlib.sha256(listing.encode()).hexdigest()

    @property
    def size(self) -> int:
        return sum(f.size for f in self.files.values())

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "sha256": self.sha256,
            "release": self.release,
            "fetched_at": self.fetched_at,
            "details": dict(self.details),
            "files": {
                key: {"sha256": f.sha256, "size": f.size, "location": f.location}
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
            if target.exists() and target.stat().st_size == item.size:
                item.path.unlink(missing_ok=True)
            else:
                # Same filesystem in practice (a temp dir under the store), so this is a rename.
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

    def staging_dir(self, source: str) -> Path:
        """A scratch directory on the store's filesystem for downloads in progress."""
        staging = self.root / ".incoming" / source
        staging.mkdir(parents=True, exist_ok=True)
        return staging
