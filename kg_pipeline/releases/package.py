"""A release directory on disk: writing it once, reading its tables back, verifying it.

Layout of `<root>/<version>/`: `<table>.parquet` and `<table>.csv.gz` for genes, evidence and
annotations, `changes.parquet`, `CHANGES.md`, `A_MergeAnalysesSources.<date>.csv.gz`,
`datapackage.json` (Frictionless: every file, its schema, and the release's provenance under
`kg:release`), `SHA256SUMS` (`sha256sum -c` reads it) and, once published, `PUBLISHED`.

A directory is written under a temporary name and renamed into place, and never over an
existing one: a version's files are written exactly once.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import shutil
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Final

import pandas as pd

from kg_pipeline.releases.changes import CHANGES, Changes, render_markdown
from kg_pipeline.releases.r_layout import R_TABLE, file_name, r_csv_gz
from kg_pipeline.releases.tables import TABLES, ReleaseTables, SourceVersion, Table, typed

DATAPACKAGE: Final = "datapackage.json"
SUMS: Final = "SHA256SUMS"
PUBLISHED: Final = "PUBLISHED"
CHANGES_MD: Final = "CHANGES.md"
CHANGES_PARQUET: Final = "changes.parquet"


class ReleaseError(RuntimeError):
    """A release cannot be written, published or read as asked (one line, what to do)."""


@dataclass(frozen=True)
class ReleaseInfo:
    """What a release is, beyond its tables: written into `datapackage.json` as `kg:release`,
    and enough to list the release again from its directory alone."""

    version: str
    release_date: str
    created_at: str
    previous_version: str | None
    origin: Mapping[str, Any]
    """`kind` (live, manual, real, derived-from-real, synthetic), `describe`, `files`."""
    sources: Sequence[SourceVersion]
    schema_revision: str
    code_version: str
    counts: Mapping[str, Any]

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["sources"] = [asdict(s) for s in self.sources]
        return data


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _schema(table: Table) -> dict[str, Any]:
    return {
        "fields": [
            {"name": f.name, "type": f.type, "description": f.description} for f in table.fields
        ],
        "primaryKey": list(table.primary_key),
    }


CSV_GZIP_LEVEL: Final = 6
"""zlib's default: level 9 (gzip.compress's default) takes twice as long on the evidence table
(16 MB of CSV) for files 2 % smaller."""


def _csv_gz(frame: pd.DataFrame) -> bytes:
    return gzip.compress(
        frame.to_csv(index=False, lineterminator="\n").encode(),
        compresslevel=CSV_GZIP_LEVEL,
        mtime=0,
    )


def _parquet(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False, engine="pyarrow")
    return buffer.getvalue()


def descriptor(info: ReleaseInfo, resources: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "name": f"kidney-genetics-{info.version}",
        "title": f"Kidney genetics gene list, release {info.version}",
        "version": info.version,
        "created": info.created_at,
        "description": "Genes linked to kidney disease with their evidence, scores, tiers and "
        f"annotations. Data: {info.origin.get('describe', info.origin.get('kind'))}.",
        "sources": [
            {
                "title": s.key,
                "version": s.release or "not stated",
                "kg:sha256": s.sha256,
                "kg:fetched_at": s.fetched_at,
                "kg:origin": s.origin,
            }
            for s in info.sources
        ],
        "resources": resources,
        "kg:release": info.to_json(),
    }


def write_release(
    root: Path,
    info: ReleaseInfo,
    tables: ReleaseTables,
    changes: Changes,
    r_merged: pd.DataFrame,
) -> dict[str, str]:
    """Write release `info.version` under `root`; its files' sha256 by name. Refuses when the
    version's directory exists: nothing is ever written over a release."""
    target = root / info.version
    if target.exists():
        raise ReleaseError(f"release {info.version} already exists at {target}; never rewritten")
    files: dict[str, bytes] = {}
    resources: list[dict[str, Any]] = []
    for table in (*TABLES, CHANGES):
        frame = changes.genes if table is CHANGES else typed(tables.frame(table), table)
        files[f"{table.name}.parquet"] = _parquet(frame)
        resources.append(
            {
                "name": f"{table.name}-parquet",
                "title": table.title,
                "path": f"{table.name}.parquet",
                "format": "parquet",
                "schema": _schema(table),
            }
        )
        if table is CHANGES:
            continue
        files[f"{table.name}.csv.gz"] = _csv_gz(frame)
        resources.append(
            {
                "name": f"{table.name}-csv",
                "title": table.title,
                "path": f"{table.name}.csv.gz",
                "format": "csv",
                "compression": "gz",
                "schema": _schema(table),
            }
        )
    r_name = file_name(pd.Timestamp(info.release_date).date())
    files[r_name] = r_csv_gz(r_merged)
    resources.append(
        {
            "name": R_TABLE.name.replace("_", "-"),
            "title": R_TABLE.title,
            "path": r_name,
            "format": "csv",
            "compression": "gz",
            "schema": {
                **_schema(R_TABLE),
                "missingValues": ["NULL"],
                "fields": [
                    {
                        "name": f.name,
                        "type": f.type,
                        "description": f.description,
                        **(
                            {"trueValues": ["TRUE"], "falseValues": ["FALSE"]}
                            if f.type == "boolean"
                            else {}
                        ),
                    }
                    for f in R_TABLE.fields
                ],
            },
        }
    )
    files[CHANGES_MD] = render_markdown(changes).encode()
    resources.append(
        {
            "name": "changes-md",
            "title": "What changed since the previous published release, and why",
            "path": CHANGES_MD,
            "type": "text",
            "format": "md",
            "mediatype": "text/markdown",
        }
    )
    files[DATAPACKAGE] = (json.dumps(descriptor(info, resources), indent=2) + "\n").encode()
    sums = {name: _sha256(data) for name, data in sorted(files.items())}
    files[SUMS] = "".join(f"{sha}  {name}\n" for name, sha in sums.items()).encode()

    root.mkdir(parents=True, exist_ok=True)
    partial = root / f".{info.version}.partial-{uuid.uuid4().hex[:8]}"
    partial.mkdir()
    try:
        for name, data in files.items():
            (partial / name).write_bytes(data)
        # rename() onto an existing non-empty directory fails: no release is overwritten even
        # by a writer racing this one.
        os.rename(partial, target)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return {**sums, SUMS: _sha256(files[SUMS])}


def read_tables(directory: Path) -> ReleaseTables:
    """A release's genes, evidence and annotation tables, read back from its Parquet files."""
    frames = {
        table.name: typed(pd.read_parquet(directory / f"{table.name}.parquet"), table)
        for table in TABLES
    }
    return ReleaseTables(**frames)


def read_info(directory: Path) -> dict[str, Any]:
    """The `kg:release` block of a release's datapackage."""
    return json.loads((directory / DATAPACKAGE).read_text())["kg:release"]


def read_sums(directory: Path) -> dict[str, str]:
    sums: dict[str, str] = {}
    for line in (directory / SUMS).read_text().splitlines():
        sha, _, name = line.partition("  ")
        sums[name] = sha
    return sums


def sums_checksum(directory: Path) -> str:
    return _sha256((directory / SUMS).read_bytes())


def published_marker(directory: Path) -> dict[str, Any] | None:
    path = directory / PUBLISHED
    return json.loads(path.read_text()) if path.is_file() else None


def mark_published(directory: Path, version: str, published_at: str) -> None:
    """Write the `PUBLISHED` marker (the version, when, and the sha256 of `SHA256SUMS`) and
    make the directory and its files read-only. The marker is not in `SHA256SUMS`: it is
    added once, beside files that never change."""
    marker = {"version": version, "published_at": published_at, SUMS: sums_checksum(directory)}
    (directory / PUBLISHED).write_text(json.dumps(marker, indent=2) + "\n")
    for path in directory.iterdir():
        path.chmod(0o444)
    directory.chmod(0o555)


def verify_release(directory: Path) -> list[str]:
    """Every problem of a release directory, each in one line; empty when it is intact:
    each file's sha256 against `SHA256SUMS`, no file missing or unlisted, a `PUBLISHED`
    marker matching `SHA256SUMS`, and the datapackage valid (`_validate_package`)."""
    if not (directory / SUMS).is_file():
        return [f"{directory}: no {SUMS}: not a release directory"]
    problems: list[str] = []
    sums = read_sums(directory)
    present = {p.name for p in directory.iterdir()} - {SUMS, PUBLISHED}
    for name in sorted(present - sums.keys()):
        problems.append(f"{name}: not listed in {SUMS}")
    for name, sha in sums.items():
        path = directory / name
        if not path.is_file():
            problems.append(f"{name}: missing")
        elif _sha256(path.read_bytes()) != sha:
            problems.append(f"{name}: sha256 differs from {SUMS}")
    marker = published_marker(directory)
    if marker is not None and marker.get(SUMS) != sums_checksum(directory):
        problems.append(f"{SUMS}: sha256 differs from the one recorded in {PUBLISHED}")
    if not problems:  # a damaged file would only repeat itself as schema errors
        problems += _validate_package(directory)
    return problems


def _validate_package(directory: Path) -> list[str]:
    """The datapackage's problems by the Frictionless library: its descriptor, and every
    resource's rows against its schema (types, required values, primary keys).

    Parquet rows are read with pyarrow and handed to Frictionless as inline data: its own
    Parquet reader goes through a pandas row loop that takes seconds per thousand rows.
    """
    import frictionless  # imported here: slow to import, needed only to verify
    import pyarrow.parquet as pq

    try:
        package = frictionless.Package(str(directory / DATAPACKAGE))
    except frictionless.FrictionlessException as exc:
        return [f"{DATAPACKAGE}: {exc.error.message}"]
    problems: list[str] = []
    for resource in package.resources:
        if resource.format == "parquet":
            table = pq.read_table(directory / resource.path)
            rows = [list(row.values()) for row in table.to_pylist()]
            resource = frictionless.Resource(
                data=[table.column_names, *rows], schema=resource.schema, name=resource.name
            )
        report = resource.validate()
        problems += [f"{resource.name}: {error.message}" for error in report.errors]
        for task in report.tasks:
            problems += [f"{resource.name}: {error.message}" for error in task.errors[:5]]
    return problems
