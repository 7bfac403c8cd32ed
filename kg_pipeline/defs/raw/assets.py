"""Raw-file assets: `raw_<source>` for every registry source, all built by `raw_asset`.

A raw asset asks its source's client resource for the files (live or from the mirror), checks
each is what its format promises, moves them into the content-addressed store, and records the
new version as the source's latest good one in `cache_entries`. Anything that fails before that
record leaves the previous version in place. Identical bytes are reported as unchanged (an
observation: the loads after it in the run are skipped), unless an asset after it in the run is
behind its inputs (a previous run died before its load committed): then the raw asset
materialises, says why in its `behind` metadata and log, and the loads run.

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
from typing import Final

import dagster as dg
import pandas as pd

from kg_pipeline.db.crash_point import crash_point
from kg_pipeline.db.database import GeneDatabase
from kg_pipeline.db.raw_index import latest_raw_version, record_raw_version
from kg_pipeline.defs.cadence import freshness_policy
from kg_pipeline.defs.consumption import behind_in_run
from kg_pipeline.defs.resources import RawFileStore, UpstreamClient
from kg_pipeline.http.formats import check_format, file_format
from kg_pipeline.http.transport import FetchedFile
from kg_pipeline.manifest import DataOrigin
from kg_pipeline.raw_files import RawVersion, SourceFormatError
from kg_pipeline.sources.records import ParsedEvidence
from kg_pipeline.sources.registry import SOURCES, UPSTREAMS
from kg_pipeline.sources.spec import Fetched, FetchJob, Source


def stated_release(source: Source, fetched: Fetched) -> str | None:
    """The release a download states: in its URL, its content, or its Last-Modified header."""
    release = source.fixed_release()
    if release is None and source.read_release is not None:
        release = source.read_release({key: item.path for key, item in fetched})
    if release is None:
        modified = (item.headers.get("Last-Modified") for _, item in fetched)
        release = next((m for m in modified if m), None)
    return release


NO_GENES: Final = pd.DataFrame(
    columns=["gene_id", "hgnc_id", "approved_symbol", "entrez_id", "ensembl_gene_id"]
)
"""The genes frame of a check without our genes: an annotator still reads every row."""


def check_files(
    source: Source, job: FetchJob, raw_store: RawFileStore, genes: pd.DataFrame = NO_GENES
) -> ParsedEvidence | None:
    """Each file the job downloaded is what its format promises and inflates to no more than
    the store accepts (a stored one, answered 304 or carried over, was checked when it arrived;
    one the walk parsed in its format as it arrived is not parsed again), then the source's own
    parser reads them all, so a renamed or missing column or key fails here and the version is
    never recorded (`SourceFormatError` naming the file if not). Malformed rows are the
    parser's rejects and pass; the load counts them. `genes`: what an annotator matches against
    (none by default). Returns the evidence parse, if there was one, for the load to reuse."""
    fetched = job.fetched
    for key, item in fetched:
        if not item.downloaded or key in job.format_checked:
            # Answered 304 or carried over: a stored file, checked when it arrived. Or parsed
            # by the walk: a search page's JSON, read from the bytes in hand.
            continue
        upstream = UPSTREAMS[key.split("/", 1)[0]]
        check_format(
            source.key,
            key,
            item.path,
            file_format(key, upstream.api_format),
            max_decompressed_bytes=raw_store.max_decompressed_bytes,
            inflated_size=item.inflated_size,
        )
    if not any(item.downloaded for _, item in fetched):
        # All answered 304 or were carried over: the stored version's bytes, parsed when they
        # arrived. Parsing them again would make every no-change refresh read every file.
        return None
    paths = {key: item.path for key, item in fetched}
    parsed = None
    if source.evidence is not None:
        parsed = source.evidence.parser.parse(paths)
        if parsed.rows.empty:
            raise SourceFormatError(
                source.key,
                ", ".join(sorted(paths)) if len(paths) <= 3 else f"its {len(paths)} files",
                "the files parse but hold no evidence rows (a renamed or missing column or key?)",
            )
    if source.annotation is not None:
        # The scores only weight what is kept; none are needed to read every row.
        inputs = {"scores": {}} if "scores" in source.annotation.inputs else {}
        source.annotation.annotator.annotate(paths, genes, **inputs)
    return parsed


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
        with gene_db.engine.connect() as conn:
            previous = latest_raw_version(conn, source.key)
        imported = store.latest_import(source.key)
        if imported is not None and (previous is None or imported.fetched_at > previous.fetched_at):
            yield _take_import(context, gene_db, source, imported)
            return
        known = store.known_files(previous) if previous else {}
        fetched_at = datetime.now(UTC).isoformat(timespec="seconds")
        staging = Path(tempfile.mkdtemp(dir=store.staging_dir(source.key)))
        try:
            incremental = _incremental(context, source.key, previous, known)
            job = client.fetch(staging, context.log, known, incremental=incremental)
            crash_point(f"{source.raw_asset}:fetched")
            fetched, mode = job.fetched, job.fetcher.mode
            parsed = check_files(source, job, raw_store)
            release = stated_release(source, fetched)
            origin = client.origin(key for key, _ in fetched)
            details = {"mode": mode, "origin": origin.kind, "origin_files": dict(origin.files)}
            version = store.add(
                source.key,
                fetched,
                release=release,
                fetched_at=fetched_at,
                details={**details, **job.details},
            )
        finally:
            shutil.rmtree(staging, ignore_errors=True)

        unchanged = previous is not None and previous.sha256 == version.sha256
        if unchanged and previous is not None:
            # Same bytes: the version keeps its first fetch time, but takes the validators the
            # upstream sent now, which the next conditional request must repeat.
            version = previous.with_validators_of(version)
        with gene_db.begin() as conn:
            if version != previous:
                record_raw_version(conn, version)
            crash_point(f"{source.raw_asset}:before_commit")
        crash_point(f"{source.raw_asset}:after_commit")
        # Same bytes, but an asset after this one in the run never finished with them (a run
        # killed before its load committed): materialise, so that it runs now.
        lagging = behind_in_run(context, gene_db) if unchanged else {}
        downloaded = [item for _, item in fetched if item.downloaded]
        downloaded_bytes = sum(item.size for item in downloaded)
        context.log.info(
            "%s: %d file(s), %.1f MB, sha256 %s, release %s, %s; %d downloaded (%.1f MB), "
            "%d not downloaded (HTTP 304, or carried over)",
            source.key,
            len(version.files),
            version.size / 1e6,
            version.sha256[:12],
            release or "not stated",
            "unchanged" if unchanged else "new version recorded",
            len(downloaded),
            downloaded_bytes / 1e6,
            len(fetched) - len(downloaded),
        )
        locations = sorted({f.location for f in version.files.values()})
        metadata = {
            "sha256": version.sha256,
            "release": release or "not stated",
            "bytes": version.size,
            "files": len(version.files),
            "fetched_at": fetched_at,
            "mode": mode,
            "origin": origin.describe(),
            "unchanged": unchanged,
            "files_downloaded": len(downloaded),
            "bytes_downloaded": downloaded_bytes,
            "files_not_modified": len(fetched) - len(downloaded),
            "previous_sha256": previous.sha256 if previous else "none",
            "location": locations[0] if len(locations) == 1 else f"{len(locations)} locations",
        }
        if job.details:
            metadata["walk"] = dg.MetadataValue.json(job.details)
        if lagging:
            metadata["behind"] = dg.MetadataValue.json(lagging)
            context.log.warning(
                "%s: unchanged, but %d asset(s) after it did not finish with this version (%s); "
                "materialising so that they run",
                source.key,
                len(lagging),
                "; ".join(f"{name}: {reason}" for name, reason in sorted(lagging.items())),
            )
        if unchanged and not lagging:
            context.log_event(dg.AssetObservation(asset_key=context.asset_key, metadata=metadata))
            return
        if parsed is not None:
            # The evidence load after this step in the run reads the same version.
            raw_store.keep_parse(version, parsed)
        yield dg.MaterializeResult(
            metadata={**metadata, "file_list": _file_table(version)},
            data_version=dg.DataVersion(version.sha256),
        )

    return _raw


def _incremental(
    context: dg.AssetExecutionContext,
    source_key: str,
    previous: RawVersion | None,
    known: dict[str, FetchedFile],
) -> bool:
    """Whether this run walks incrementally: asked for by the run config, and possible only
    with every file of the latest stored version still in the store."""
    if not (context.op_execution_context.op_config or {}).get("incremental"):
        return False
    if previous is None or len(known) < len(previous.files):
        context.log.info(
            f"{source_key}: no complete stored version to build on, so the walk covers every page"
        )
        return False
    return True


def _take_import(
    context: dg.AssetExecutionContext, gene_db: GeneDatabase, source: Source, imported: RawVersion
) -> dg.MaterializeResult:
    """Record the files imported by hand as the latest version, instead of fetching."""
    with gene_db.begin() as conn:
        record_raw_version(conn, imported)
    context.log.info(
        "%s: taking the %d file(s) imported by hand at %s (sha256 %s) instead of fetching",
        source.key,
        len(imported.files),
        imported.fetched_at,
        imported.sha256[:12],
    )
    return dg.MaterializeResult(
        metadata={
            "sha256": imported.sha256,
            "release": imported.release or "not stated",
            "bytes": imported.size,
            "files": len(imported.files),
            "fetched_at": imported.fetched_at,
            "mode": "manual",
            "origin": DataOrigin("manual").describe(),
            "file_list": _file_table(imported),
        },
        data_version=dg.DataVersion(imported.sha256),
    )


raw_assets = [raw_asset(source) for source in SOURCES]
