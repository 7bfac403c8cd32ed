"""Raw-file assets: one per source, all built by `raw_asset` so they behave the same.

A raw asset asks its source's client resource for the files (live or from the mirror), checks
each is what its format promises, moves them into the content-addressed store, and records the
new version as the source's latest good one in `cache_entries`. Anything that fails before that
record leaves the previous version in place. Identical bytes are reported as unchanged.
"""

import shutil
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
from pydantic import PrivateAttr

from kg_pipeline.db.database import GeneDatabase
from kg_pipeline.db.raw_index import latest_raw_version, record_raw_version
from kg_pipeline.defs.refresh import freshness_policy
from kg_pipeline.defs.schema.assets import database_schema
from kg_pipeline.http import FetchedFile, Fetcher, make_fetcher
from kg_pipeline.http.formats import check_format, stated_release
from kg_pipeline.http.raw_store import RawStore, RawVersion
from kg_pipeline.settings import Settings, get_settings
from kg_pipeline.upstreams import UPSTREAMS

Fetched = list[tuple[str, FetchedFile]]


class UpstreamClient(dg.ConfigurableResource):
    """Downloads one source's raw files from its upstream(s), live or from the mirror.

    The mode and locations come from settings (`KG_SOURCE_MODE`, `KG_MIRROR_DIR`,
    `KG_UPSTREAM_URL`); the optional fields override them, which is how tests and the benchmark
    point a client at a local emulator. This base class fetches an upstream's fixed files;
    paged APIs subclass it.
    """

    upstreams: list[str]
    source_mode: str | None = None
    """`mirror` or `live`; unset means KG_SOURCE_MODE."""
    upstream_url: str | None = None
    mirror_dir: str | None = None

    def settings(self) -> Settings:
        overrides = {
            "source_mode": self.source_mode,
            "upstream_url": self.upstream_url,
            "mirror_dir": Path(self.mirror_dir) if self.mirror_dir else None,
        }
        # Validated again, so a wrong source_mode fails here rather than deep in a fetch.
        return Settings.model_validate(
            get_settings().model_dump() | {k: v for k, v in overrides.items() if v is not None}
        )

    def fetcher(self) -> Fetcher:
        return make_fetcher(self.settings())

    def fetch(self, fetcher: Fetcher, staging: Path, log: dg.DagsterLogManager) -> Fetched:
        fetched: Fetched = []
        for upstream in self.upstreams:
            for relpath in UPSTREAMS[upstream].files:
                dest = staging / f"{len(fetched):06d}"
                item = fetcher.download(upstream, relpath, dest)
                fetched.append((f"{upstream}/{item.relpath}", item))
        return fetched


class RawFileStore(dg.ConfigurableResource):
    """The content-addressed raw-file store (default `$KG_DATA_DIR/raw`)."""

    root: str | None = None
    _store: RawStore | None = PrivateAttr(default=None)

    @property
    def store(self) -> RawStore:
        if self._store is None:
            self._store = RawStore(Path(self.root or get_settings().data_dir / "raw"))
        return self._store

    def latest(self, gene_db: GeneDatabase, source: str) -> tuple[RawVersion, dict[str, Path]]:
        """The latest good version of `source` and its files' local paths."""
        with gene_db.engine.connect() as conn:
            version = latest_raw_version(conn, source)
        if version is None:
            raise RuntimeError(f"no raw {source} files yet: materialise raw_{source} first")
        return version, self.store.open_version(version)


def raw_asset(source: str, client_key: str, description: str, pool: str) -> dg.AssetsDefinition:
    """The `raw_<source>` asset, fetching through the resource `client_key`."""

    @dg.asset(
        name=f"raw_{source}",
        group_name="raw",
        kinds={"file"},
        deps=[database_schema],
        pool=pool,
        description=description,
        required_resource_keys={client_key, "gene_db", "raw_store"},
        output_required=False,
        freshness_policy=freshness_policy(source),
    )
    def _raw(context: dg.AssetExecutionContext) -> Iterator[dg.MaterializeResult]:
        gene_db: GeneDatabase = context.resources.gene_db
        store: RawStore = context.resources.raw_store.store
        client: UpstreamClient = getattr(context.resources, client_key)
        gene_db.require_schema_at_head()

        fetched_at = datetime.now(UTC).isoformat(timespec="seconds")
        incoming = store.root / ".incoming"
        incoming.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f"{source}-", dir=incoming))
        try:
            fetcher = client.fetcher()
            with fetcher:
                fetched = client.fetch(fetcher, staging, context.log)
            for key, item in fetched:
                check_format(source, key, item.path)
            release = stated_release(source, fetched)
            version = store.add(
                source,
                fetched,
                release=release,
                fetched_at=fetched_at,
                details={"mode": fetcher.mode},
            )
        finally:
            shutil.rmtree(staging, ignore_errors=True)

        with gene_db.begin() as conn:
            previous = latest_raw_version(conn, source)
            unchanged = previous is not None and previous.sha256 == version.sha256
            if not unchanged:
                record_raw_version(conn, version)
        context.log.info(
            "%s: %d file(s), %.1f MB, sha256 %s, release %s, %s",
            source,
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
            "mode": fetcher.mode,
            "unchanged": unchanged,
            "previous_sha256": previous.sha256 if previous else "none",
            "location": locations[0] if len(locations) == 1 else f"{len(locations)} locations",
        }
        if unchanged:
            context.log_event(dg.AssetObservation(asset_key=context.asset_key, metadata=metadata))
            return
        yield dg.MaterializeResult(
            metadata={
                **metadata,
                "file_list": dg.MetadataValue.md(
                    "| file | bytes | sha256 |\n|---|---:|---|\n"
                    + "\n".join(
                        f"| {key} | {f.size:,} | `{f.sha256[:16]}` |"
                        for key, f in sorted(version.files.items())[:200]
                    )
                ),
            },
            data_version=dg.DataVersion(version.sha256),
        )

    return _raw
