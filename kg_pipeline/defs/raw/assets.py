"""Raw-file assets: `raw_<source>` for every registry source, all built by `raw_asset`.

A raw asset asks its source's client resource for the files (live or from the mirror), checks
each is what its format promises, moves them into the content-addressed store, and records the
new version as the source's latest good one in `cache_entries`. Anything that fails before that
record leaves the previous version in place. Identical bytes are reported as unchanged.

A source that can walk incrementally (PubTator) takes the run config `incremental`: its walk
then reads the latest stored version, stops at pages it already holds and carries the rest of
that version over, so the new version is again complete. Without the config (`rebuild`, a
refresh launched by hand, the full-walk schedule) every page is fetched.
"""

import shutil
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg

from kg_pipeline.db.database import GeneDatabase
from kg_pipeline.db.raw_index import latest_raw_version, record_raw_version
from kg_pipeline.defs.cadence import freshness_policy
from kg_pipeline.defs.resources import RawFileStore, UpstreamClient
from kg_pipeline.http.formats import check_format, file_format
from kg_pipeline.http.raw_store import RawStore
from kg_pipeline.http.transport import FetchedFile
from kg_pipeline.raw_files import RawVersion
from kg_pipeline.sources.registry import SOURCES, UPSTREAMS
from kg_pipeline.sources.spec import Fetched, Source


def stated_release(source: Source, fetched: Fetched) -> str | None:
    """The release a download states: in its URL, its content, or its Last-Modified header."""
    release = source.fixed_release()
    if release is None and source.read_release is not None:
        release = source.read_release({key: item.path for key, item in fetched})
    if release is None:
        modified = (item.headers.get("Last-Modified") for _, item in fetched)
        release = next((m for m in modified if m), None)
    return release


def _file_table(version: RawVersion) -> dg.MetadataValue:
    return dg.MetadataValue.md(
        "| file | bytes | sha256 |\n|---|---:|---|\n"
        + "\n".join(
            f"| {key} | {f.size:,} | `{f.sha256[:16]}` |"
            for key, f in sorted(version.files.items())[:200]
        )
    )


INCREMENTAL_CONFIG: dg.Field = dg.Field(
    bool,
    default_value=False,
    description="Walk incrementally: stop at pages the latest stored version already holds and "
    "carry its other pages over (with none stored yet, walk everything).",
)
"""`incremental`, the run config of a raw asset whose source can refresh incrementally."""


def raw_asset(source: Source) -> dg.AssetsDefinition:
    """The `raw_<source>` asset, fetching through the resource `<source>_upstream`; with the
    config `incremental` when its source can walk incrementally."""
    client_key = f"{source.key}_upstream"

    @dg.asset(
        name=source.raw_asset,
        group_name="raw",
        kinds={"file"},
        deps=["database_schema"],
        pool=f"{source.key}_api",
        description=source.raw_description,
        required_resource_keys={client_key, "gene_db", "raw_store"},
        output_required=False,
        freshness_policy=freshness_policy(source),
        config_schema={"incremental": INCREMENTAL_CONFIG} if source.incremental else None,
    )
    def _raw(context: dg.AssetExecutionContext) -> Iterator[dg.MaterializeResult]:
        gene_db: GeneDatabase = context.resources.gene_db
        raw_store: RawFileStore = context.resources.raw_store
        client: UpstreamClient = getattr(context.resources, client_key)
        gene_db.require_schema_at_head()

        store = raw_store.store
        fetched_at = datetime.now(UTC).isoformat(timespec="seconds")
        staging = Path(tempfile.mkdtemp(dir=store.staging_dir(source.key)))
        try:
            stored = _previous_files(context, gene_db, store, source.key)
            job = client.fetch(staging, context.log, stored)
            fetched, mode = job.fetched, job.fetcher.mode
            for key, item in fetched:
                upstream = UPSTREAMS[key.split("/", 1)[0]]
                check_format(source.key, key, item.path, file_format(key, upstream.api_format))
            release = stated_release(source, fetched)
            version = store.add(
                source.key,
                fetched,
                release=release,
                fetched_at=fetched_at,
                details={"mode": mode, **job.details},
            )
        finally:
            shutil.rmtree(staging, ignore_errors=True)

        with gene_db.begin() as conn:
            previous = latest_raw_version(conn, source.key)
            unchanged = previous is not None and previous.sha256 == version.sha256
            if not unchanged:
                record_raw_version(conn, version)
        context.log.info(
            "%s: %d file(s), %.1f MB, sha256 %s, release %s, %s",
            source.key,
            len(version.files),
            version.size / 1e6,
            version.sha256[:12],
            release or "not stated",
            "unchanged" if unchanged else "new version recorded",
        )
        locations = sorted({f.location for f in version.files.values()})
        metadata = {
            "sha256": version.sha256,
            "release": release or "not stated",
            "bytes": version.size,
            "files": len(version.files),
            "fetched_at": fetched_at,
            "mode": mode,
            "unchanged": unchanged,
            "previous_sha256": previous.sha256 if previous else "none",
            "location": locations[0] if len(locations) == 1 else f"{len(locations)} locations",
        }
        if job.details:
            metadata["walk"] = dg.MetadataValue.json(job.details)
        if unchanged:
            context.log_event(dg.AssetObservation(asset_key=context.asset_key, metadata=metadata))
            return
        yield dg.MaterializeResult(
            metadata={**metadata, "file_list": _file_table(version)},
            data_version=dg.DataVersion(version.sha256),
        )

    return _raw


def _previous_files(
    context: dg.AssetExecutionContext, gene_db: GeneDatabase, store: RawStore, source_key: str
) -> dict[str, FetchedFile] | None:
    """For an incremental walk, the files of the source's latest stored version."""
    if not (context.op_execution_context.op_config or {}).get("incremental"):
        return None
    with gene_db.engine.connect() as conn:
        previous = latest_raw_version(conn, source_key)
    if previous is None:
        context.log.info(f"{source_key}: no stored version yet, so the walk covers every page")
        return None
    return store.stored_files(previous)


raw_assets = [raw_asset(source) for source in SOURCES]
