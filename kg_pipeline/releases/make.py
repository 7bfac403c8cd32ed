"""Making, publishing, listing and verifying releases: the release files and the gene
database's `data_releases` rows together.

The directory is the release; its row lists it. A rebuild drops the gene schema and with it
the rows, so every operation first records the release directories the table does not know
(`adopt_releases`, from their `datapackage.json` and `PUBLISHED` marker): versions are never
reused and a published release stays published. A draft may be discarded (every rebuild makes
one); its version is then free again, as a draft was never cited.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from dataclasses import dataclass
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from kg_pipeline.db.consumption import lock_consumer
from kg_pipeline.db.raw_index import latest_raw_version
from kg_pipeline.db.releases import (
    delete_draft,
    insert_release,
    latest_published,
    list_releases,
    publish_release,
    read_release_tables,
    release_row,
    release_versions,
)
from kg_pipeline.db.schema import current_revision
from kg_pipeline.manifest import DataOrigin
from kg_pipeline.releases.changes import Changes, compare, render_markdown
from kg_pipeline.releases.package import (
    CHANGES_MD,
    SUMS,
    ReleaseError,
    ReleaseInfo,
    mark_published,
    published_marker,
    read_info,
    read_sums,
    read_tables,
    sums_checksum,
    verify_release,
    write_release,
)
from kg_pipeline.releases.r_layout import merged_gene_list
from kg_pipeline.releases.tables import SourceVersion, release_tables
from kg_pipeline.releases.version import is_version, next_version
from kg_pipeline.sources.registry import SOURCES

_LOCK = "gene_release"
"""One release operation at a time (an advisory lock on the gene database)."""


@dataclass(frozen=True)
class MadeRelease:
    info: ReleaseInfo
    path: Path
    changes: Changes
    checksums: dict[str, str]


def code_version() -> str:
    """The package version, and in a git checkout its commit (`+dirty` with local changes):
    the version number alone does not change between commits."""
    version = f"kg-pipeline {package_version('kg-pipeline')}"
    checkout = Path(__file__).resolve().parents[2]

    def git(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["git", "-C", str(checkout), *args], capture_output=True, text=True, timeout=30
        )

    try:
        commit = git("rev-parse", "--verify", "HEAD")
        if commit.returncode != 0 or not (checkout / ".git").exists():
            return version  # an installed package: no checkout around it
        dirty = git("diff", "--quiet", "HEAD", "--", "kg_pipeline", "migrations").returncode
    except (OSError, subprocess.SubprocessError):
        return version
    return f"{version} ({commit.stdout.strip()[:12]}{'+dirty' if dirty else ''})"


def source_versions(conn: sa.Connection) -> list[SourceVersion]:
    """Each source's latest good raw version, as the raw index records it."""
    versions = []
    for source in SOURCES:
        raw = latest_raw_version(conn, source.key)
        if raw is None:
            continue
        versions.append(
            SourceVersion(
                key=source.key,
                evidence_name=source.evidence.name if source.evidence else None,
                release=raw.release,
                sha256=raw.sha256,
                fetched_at=raw.fetched_at,
                origin=str(raw.details.get("origin") or raw.details.get("mode") or "unknown"),
            )
        )
    return versions


def _row(info: dict[str, Any], path: Path, notes: str) -> dict[str, Any]:
    counts = info["counts"]
    return {
        "version": info["version"],
        "release_date": dt.date.fromisoformat(info["release_date"]),
        "created_at": dt.datetime.fromisoformat(info["created_at"]),
        "previous_version": info["previous_version"],
        "gene_count": counts["genes"],
        "total_evidence_count": counts["evidence_rows"],
        "annotation_count": counts["annotated_genes"],
        "counts": counts,
        "origin": info["origin"]["kind"],
        "schema_revision": info["schema_revision"],
        "code_version": info["code_version"],
        "export_file_path": str(path),
        "export_checksum": sums_checksum(path),
        "checksums": read_sums(path),
        "release_notes": notes,
    }


def adopt_releases(conn: sa.Connection, root: Path) -> list[str]:
    """Record the release directories under `root` that the table does not list (after a
    rebuild dropped it), as published when they carry the marker; the versions recorded."""
    if not root.is_dir():
        return []
    known = release_versions(conn)
    adopted = []
    for path in sorted(root.iterdir()):
        if not is_version(path.name) or path.name in known or not (path / SUMS).is_file():
            continue
        values = _row(read_info(path), path, (path / CHANGES_MD).read_text())
        marker = published_marker(path)
        if marker is not None:
            values |= {
                "status": "published",
                "published_at": dt.datetime.fromisoformat(marker["published_at"]),
            }
        insert_release(conn, values)
        adopted.append(path.name)
    return adopted


def make_release(
    engine: sa.Engine, root: Path, *, origin: DataOrigin, now: dt.datetime
) -> MadeRelease:
    """Write the next release of the gene database's current content under `root` as a draft,
    with its changes against the latest published release, and record it."""
    with engine.begin() as conn:
        lock_consumer(conn, _LOCK)
        adopt_releases(conn, root)
        taken = release_versions(conn) | {p.name for p in root.glob("*") if is_version(p.name)}
        version = next_version(now.date(), taken)
        previous = latest_published(conn)
        versions = source_versions(conn)
        revision = current_revision(conn) or "none"
        tables = release_tables(
            read_release_tables(engine),
            {v.evidence_name: v for v in versions if v.evidence_name},
        )
        previous_tables = None
        if previous is not None:
            if not (root / previous / SUMS).is_file():
                raise ReleaseError(
                    f"the previous published release {previous} is not under {root}; restore "
                    "it there (KG_DATA_DIR/releases) to compare the new release with it"
                )
            previous_tables = read_tables(root / previous)
        changes = compare(version, tables, previous, previous_tables)
        counts = {
            "genes": len(tables.genes),
            "evidence_rows": len(tables.evidence),
            "annotated_genes": len(tables.annotations),
            "genes_per_source": tables.evidence.groupby("source_name").size().to_dict(),
            "tiers": tables.genes["evidence_tier"].value_counts().to_dict(),
            "changes": {c: changes.count(c) for c in ("added", "removed", "tier", "score")},
        }
        info = ReleaseInfo(
            version=version,
            release_date=now.date().isoformat(),
            created_at=now.isoformat(),
            previous_version=previous,
            origin={
                "kind": origin.kind,
                "mode": origin.mode,
                "describe": origin.describe(),
                "files": dict(origin.files),
            },
            sources=versions,
            schema_revision=revision,
            code_version=code_version(),
            counts=counts,
        )
        checksums = write_release(root, info, tables, changes, merged_gene_list(tables.evidence))
        path = root / version
        insert_release(conn, _row(info.to_json(), path, render_markdown(changes)))
    return MadeRelease(info, path, changes, checksums)


def _listed_row(conn: sa.Connection, root: Path, version: str) -> sa.Row:
    """Release `version`'s row, under the release lock, after adopting the directories the
    table lacks; one line saying where to look when there is none."""
    lock_consumer(conn, _LOCK)
    adopt_releases(conn, root)
    row = release_row(conn, version)
    if row is None:
        raise ReleaseError(
            f"no release {version} under {root}; `kg-pipeline release list` shows them"
        )
    return row


def publish(engine: sa.Engine, root: Path, version: str, *, now: dt.datetime) -> None:
    """Publish draft `version` once it verifies; a published release is never published (or
    changed) again."""
    with engine.begin() as conn:
        row = _listed_row(conn, root, version)
        if row.status == "published":
            raise ReleaseError(
                f"release {version} was published at {row.published_at:%Y-%m-%d %H:%M UTC}: "
                "a published release is never changed; the release job makes a new version"
            )
        problems = verify(engine, root, version, conn=conn)
        if problems:
            raise ReleaseError(
                f"release {version} does not verify ({problems[0]}; {len(problems)} problem(s)): "
                "not published; make a new one with the release job"
            )
        publish_release(conn, version, now)
        # In the transaction: if the marker cannot be written, the row stays a draft.
        mark_published(root / version, version, now.isoformat())


def discard(engine: sa.Engine, root: Path, version: str) -> None:
    """Delete draft `version`: its directory and its row. A published release is never
    removed."""
    with engine.begin() as conn:
        row = _listed_row(conn, root, version)
        if row.status == "published":
            raise ReleaseError(
                f"release {version} is published: a published release is never removed"
            )
        delete_draft(conn, version)
        # In the transaction: if the files cannot be removed, the row stays and says so.
        shutil.rmtree(root / version)


def verify(
    engine: sa.Engine, root: Path, version: str, *, conn: sa.Connection | None = None
) -> list[str]:
    """The problems of release `version` (`verify_release`), plus a `SHA256SUMS` that differs
    from the one its row recorded."""
    path = root / version
    if not path.is_dir():
        return [f"no release directory {path}"]
    problems = verify_release(path)
    if conn is None:
        with engine.connect() as own:
            row = release_row(own, version)
    else:
        row = release_row(conn, version)
    if row is not None and (path / SUMS).is_file() and row.export_checksum != sums_checksum(path):
        problems.append(f"{SUMS}: sha256 differs from the one recorded in data_releases")
    return problems


def list_rows(engine: sa.Engine, root: Path) -> list[sa.Row]:
    """Every release, oldest first (after adopting the directories the table lacks)."""
    with engine.begin() as conn:
        adopt_releases(conn, root)
        return list_releases(conn)
