"""The snapshot's MANIFEST: one line per file with its format, origin, release, size and sha256.

The manifest is how a reader (the mirror, the emulator, a curator) knows which files are real
provider downloads, which were derived from real published results, and which are synthetic.
It is a TSV so that it can be read without this package. The snapshot generator writes it; the
mirror reads it to say what the data of a run is (`DataOrigin`).
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
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
                if not _inside(file):
                    raise ValueError(
                        f"{path}:{n}: {file!r} is not a path inside the snapshot (no `..`, "
                        "not absolute); regenerate the snapshot with `kg-pipeline snapshot`"
                    )
                entry = ManifestEntry(file, fmt, cast(Origin, origin), release, int(size), sha)
                manifest.add(entry)
            return manifest


def _inside(file: str) -> bool:
    """Whether a MANIFEST's `file` names a path under the snapshot root: a MANIFEST comes with
    a snapshot from anywhere, and its paths must never lead a reader out of the snapshot."""
    relative = PurePosixPath(file)
    return bool(relative.parts) and not relative.is_absolute() and ".." not in relative.parts


@dataclass(frozen=True)
class DataOrigin:
    """What the data of a run (or of one raw download) is: live, imported by hand, or read
    from a snapshot whose files are real, derived from real results, or synthetic."""

    mode: str
    """`live`, `manual` or `mirror`."""
    files: Mapping[str, int] = field(default_factory=dict)
    """In mirror mode: files by origin (`real`, `derived-from-real`, `synthetic`)."""

    @classmethod
    def of_snapshot(cls, snapshot_dir: Path, files: Iterable[str] | None = None) -> DataOrigin:
        """The origin counts of a snapshot's MANIFEST, of all its files or of `files`
        (`<upstream>/<relpath>`); all unknown when it has no MANIFEST."""
        path = snapshot_dir / MANIFEST_NAME
        if not path.is_file():
            return cls("mirror")
        by_file = Manifest.read(path).by_file()
        chosen = by_file.values() if files is None else (by_file[f] for f in files if f in by_file)
        return cls("mirror", dict(Counter(e.origin for e in chosen)))

    @property
    def kind(self) -> str:
        """`live`, `manual`, or the least real origin of a snapshot's files."""
        if self.mode != "mirror":
            return self.mode
        for origin in ("synthetic", "derived-from-real", "real"):
            if self.files.get(origin):
                return origin
        return "unknown"

    @property
    def is_real(self) -> bool:
        """True for data from the live sources, imported by hand, or an all-real snapshot."""
        return self.kind in ("live", "manual", "real")

    def describe(self) -> str:
        """One line for a user: what the data is and, for a snapshot that is not all real,
        that it is not for curation."""
        if self.mode == "live":
            return "live: downloaded from the real sources"
        if self.mode == "manual":
            return "manual: files imported with `kg-pipeline import-raw`"
        total = sum(self.files.values())
        if not total:
            return "offline snapshot without a MANIFEST: origin unknown — not for curation"
        counts = ", ".join(
            f"{self.files[o]:,} {o}"
            for o in ("real", "derived-from-real", "synthetic")
            if o in self.files
        )
        real = self.files.get("real", 0)
        line = f"{self.kind} offline snapshot: {real:,} of {total:,} files real ({counts})"
        if self.is_real:
            return line
        return f"{line} — not for curation; `--mode live` loads the real sources"
