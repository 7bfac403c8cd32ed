"""The snapshot's MANIFEST: one line per file with its format, origin, release, size and sha256.

The manifest is how a reader (the mirror, the emulator, a curator) knows which files are real
provider downloads, which were derived from real published results, and which are synthetic.
It is a TSV so that it can be read without this package.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, cast

Origin = Literal["real", "derived-from-real", "synthetic"]
ORIGINS: tuple[Origin, ...] = ("real", "derived-from-real", "synthetic")

MANIFEST_NAME = "MANIFEST"
MANIFEST_COLUMNS: tuple[str, ...] = ("file", "format", "origin", "release", "bytes", "sha256")


@dataclass(frozen=True)
class ManifestEntry:
    """One file of a snapshot. `file` is the path relative to the snapshot root, `/`-separated."""

    file: str
    format: str
    origin: Origin
    release: str
    bytes: int
    sha256: str


@dataclass
class Manifest:
    """All files of one snapshot, kept sorted by path when written."""

    entries: list[ManifestEntry] = field(default_factory=list)

    def add(self, entry: ManifestEntry) -> None:
        if entry.origin not in ORIGINS:
            raise ValueError(f"unknown origin {entry.origin!r} for {entry.file}")
        self.entries.append(entry)

    def sorted_entries(self) -> list[ManifestEntry]:
        return sorted(self.entries, key=lambda e: e.file)

    def by_file(self) -> dict[str, ManifestEntry]:
        return {e.file: e for e in self.entries}

    def files_with_origin(self, origin: Origin) -> list[str]:
        return sorted(e.file for e in self.entries if e.origin == origin)

    @property
    def total_bytes(self) -> int:
        return sum(e.bytes for e in self.entries)

    def write(self, path: Path) -> None:
        """Write the manifest TSV (header first, rows sorted by file, `\\n` line ends)."""
        lines = ["\t".join(MANIFEST_COLUMNS)]
        for e in self.sorted_entries():
            for value in (e.file, e.format, e.release):
                if "\t" in value or "\n" in value:
                    raise ValueError(f"manifest field {value!r} contains a tab or newline")
            lines.append("\t".join((e.file, e.format, e.origin, e.release, str(e.bytes), e.sha256)))
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    @classmethod
    def read(cls, path: Path) -> Manifest:
        """Read a MANIFEST written by `write`; fails clearly on a foreign or truncated file."""
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
            header = next(reader, None)
            if header is None or tuple(header) != MANIFEST_COLUMNS:
                raise ValueError(f"{path}: not a snapshot MANIFEST (header {header!r})")
            manifest = cls()
            for n, row in enumerate(reader, start=2):
                if len(row) != len(MANIFEST_COLUMNS):
                    raise ValueError(f"{path}:{n}: expected 6 columns, got {len(row)}")
                file, fmt, origin, release, size, sha = row
                if origin not in ORIGINS:
                    raise ValueError(f"{path}:{n}: unknown origin {origin!r}")
                entry = ManifestEntry(file, fmt, cast(Origin, origin), release, int(size), sha)
                manifest.add(entry)
            return manifest
