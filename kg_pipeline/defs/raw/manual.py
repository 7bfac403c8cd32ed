"""Raw files imported by hand (`kg-pipeline import-raw`): for an upstream that refuses scripts
(Descartes answers 403 to every scripted download) and for air-gapped deployments.

The files are checked as a download would be (format, then the source's own parser), stored in
the content-addressed store as one raw version with origin `manual`, and noted in the store as
the source's latest import. The source's raw asset takes an import newer than the version the
database last recorded instead of fetching, so the next refresh or rebuild loads it; a rebuild,
which starts from an empty database, takes it again.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from kg_pipeline.db.database import GeneDatabase
from kg_pipeline.db.raw_index import latest_raw_version
from kg_pipeline.db.schema import current_revision, head_revision
from kg_pipeline.db.server import DatabaseUnavailable
from kg_pipeline.defs.annotation.assets import gene_frame
from kg_pipeline.defs.raw.assets import NO_GENES, check_files, stated_release
from kg_pipeline.defs.resources import HgncReferenceCache, RawFileStore
from kg_pipeline.http.mirror import LocalFilesFetcher
from kg_pipeline.raw_files import RawVersion
from kg_pipeline.sources.hgnc.reference import HgncReference
from kg_pipeline.sources.spec import FetchJob, Source

logger = logging.getLogger("kg_pipeline.import_raw")


class ManualImportError(ValueError):
    """Files that cannot be imported as they are; the message says which and why."""


def file_keys(source: Source, arguments: list[str]) -> dict[str, Path]:
    """`[KEY=]PATH` arguments to `RawFiles` keys. KEY is a file's path under its upstream or
    its full key (`tissue_tpm/kidney.csv`, `descartes/tissue_tpm/kidney.csv`); without one, the
    file's name must match exactly one of the source's files."""
    known = source.fixed_files()
    keys: dict[str, Path] = {}
    for argument in arguments:
        named, _, path_text = argument.rpartition("=")
        path = Path(path_text).expanduser()
        if not path.is_file():
            raise ManualImportError(f"{path}: no such file")
        if named:
            matches = [k for k, rel in known.items() if named in (k, rel)]
            if not matches and source.walk is not None and "/" in named:
                matches = [named]  # a page of a paged API, named by its full key
        else:
            matches = [k for k, rel in known.items() if Path(rel).name == path.name]
        if len(matches) != 1:
            choices = ", ".join(f"{rel}=FILE" for rel in known.values()) or "<upstream>/<path>=FILE"
            what = f"{named!r} names" if named else f"{path.name!r} matches"
            raise ManualImportError(
                f"{source.key}: {what} {len(matches)} of its files; name each file: {choices}"
            )
        keys[matches[0]] = path
    return keys


def import_raw(
    source: Source,
    files: Mapping[str, Path],
    *,
    release: str | None,
    gene_db: GeneDatabase,
    raw_store: RawFileStore,
    hgnc: HgncReferenceCache,
) -> RawVersion:
    """Check `files` (by `RawFiles` key) and store them as `source`'s newest import.

    Files of the source not given are taken from its latest recorded version, so one file of a
    several-file source can be replaced; with no recorded version every file is needed.
    """
    store = raw_store.store
    previous = _latest_recorded(gene_db, source.key)
    wanted = set(source.fixed_files())
    kept: dict[str, Path] = {}
    if previous is not None:
        kept = {k: f.path for k, f in store.known_files(previous).items() if k not in files}
    missing = sorted(wanted - set(files) - set(kept))
    if missing:
        raise ManualImportError(
            f"{source.key}: no recorded version to take {', '.join(missing)} from; "
            "import every file of the source"
        )
    staging = Path(tempfile.mkdtemp(dir=store.staging_dir(source.key)))
    try:
        job = FetchJob(
            source.key, LocalFilesFetcher({**kept, **files}), staging, logger, options={}
        )
        for key in sorted({**kept, **files}):
            upstream, relpath = key.split("/", 1)
            job.download(upstream, relpath)
        # Against our genes when the database has them.
        check_files(source, job, raw_store, _genes(gene_db, hgnc))
        version = store.add(
            source.key,
            job.fetched,
            release=release or stated_release(source, job.fetched),
            fetched_at=datetime.now(UTC).isoformat(timespec="seconds"),
            details={"mode": "manual", "origin": "manual", "files_imported": sorted(files)},
        )
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    store.record_import(version)
    return version


def _latest_recorded(gene_db: GeneDatabase, source_key: str) -> RawVersion | None:
    try:
        with gene_db.engine.connect() as conn:
            if current_revision(conn) != head_revision():
                return None
            return latest_raw_version(conn, source_key)
    except (sa.exc.OperationalError, DatabaseUnavailable):
        return None  # no gene database yet: an air-gapped first import


def _genes(gene_db: GeneDatabase, hgnc: HgncReferenceCache) -> pd.DataFrame:
    try:
        reference: HgncReference = hgnc.reference()
    except (RuntimeError, sa.exc.SQLAlchemyError):
        return NO_GENES
    return gene_frame(gene_db, reference)
