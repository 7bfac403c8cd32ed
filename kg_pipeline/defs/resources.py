"""Every resource of the code location, and `pipeline_resources`, which configures them all from
one `Settings` object. Assets read these resources, never the settings.

Resource keys: `gene_db`, `raw_store`, `release_store`, `load_policy`, `hgnc`, and one
`<source>_upstream` client per registry source.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

import dagster as dg
from pydantic import PrivateAttr

from kg_pipeline.db.database import GeneDatabase
from kg_pipeline.db.raw_index import latest_raw_version
from kg_pipeline.http.live import Endpoint, HttpPolicy, LiveFetcher
from kg_pipeline.http.mirror import MirrorFetcher
from kg_pipeline.http.raw_store import RawStore
from kg_pipeline.http.transport import FetchedFile, Fetcher
from kg_pipeline.manifest import DataOrigin
from kg_pipeline.raw_files import RawFiles, RawVersion
from kg_pipeline.settings import DEFAULT_MAX_DECOMPRESSED_BYTES, Settings
from kg_pipeline.sources.hgnc.reference import HgncReference
from kg_pipeline.sources.records import ParsedEvidence
from kg_pipeline.sources.registry import SOURCES, UPSTREAMS, source
from kg_pipeline.sources.spec import EvidenceParser, FetchJob, Logger, Upstream


class LoadRefused(RuntimeError):
    """A new load is not a complete one; nothing was written and the previous rows stay."""


class RawFileStore(dg.ConfigurableResource):
    """The content-addressed raw-file store under `root` (`$KG_DATA_DIR/raw`); a gzip file
    that inflates past `max_decompressed_bytes` (`KG_MAX_DECOMPRESSED_BYTES`) never enters it.

    Within a run it also hands an evidence parse from the raw step, which parsed a new version
    to check it, to the evidence load that reads the same version (`keep_parse` /
    `parse_evidence`): the version's files are parsed once, not twice. The store is one
    resource instance per run, so nothing is held across runs.
    """

    root: str
    max_decompressed_bytes: int = DEFAULT_MAX_DECOMPRESSED_BYTES
    _evidence_parses: dict[tuple[str, str], ParsedEvidence] = PrivateAttr(default_factory=dict)

    @property
    def store(self) -> RawStore:
        return RawStore(Path(self.root))

    def latest(self, gene_db: GeneDatabase, source_key: str) -> tuple[RawVersion, dict[str, Path]]:
        """The latest good version of a source and its files' local paths."""
        with gene_db.engine.connect() as conn:
            version = latest_raw_version(conn, source_key)
        if version is None:
            raise RuntimeError(f"no raw {source_key} files yet: materialise raw_{source_key} first")
        return version, self.store.open_version(version)

    def keep_parse(self, version: RawVersion, parsed: ParsedEvidence) -> None:
        """Keep the evidence parse of a version just checked, for its load in this run."""
        self._evidence_parses[(version.source, version.sha256)] = parsed

    def parse_evidence(
        self, version: RawVersion, files: RawFiles, parser: EvidenceParser
    ) -> ParsedEvidence:
        """The evidence parse of `version`: the one kept by its raw step in this run (given
        once: the load owns it then), or `parser`'s parse of `files`."""
        kept = self._evidence_parses.pop((version.source, version.sha256), None)
        return kept if kept is not None else parser.parse(files)


class ReleaseStore(dg.ConfigurableResource):
    """The data releases on disk: one directory per version under `root`
    (`$KG_DATA_DIR/releases`; see `kg_pipeline/releases`)."""

    root: str

    @property
    def path(self) -> Path:
        return Path(self.root)


class HttpConfig(dg.Config):
    """Timeouts and retries of live requests, as `HttpPolicy` takes them; the defaults are the
    settings' (`KG_HTTP_*`), so none are repeated here."""

    connect_timeout_s: float
    read_timeout_s: float
    max_retries: int
    backoff_base_s: float
    backoff_cap_s: float


class UpstreamClient(dg.ConfigurableResource):
    """Downloads one registry source's raw files, live or from the mirror.

    Live, each of the source's upstreams is reached at `base_urls[key]` at
    `requests_per_second[key]`; mirrored, the same files are read from `mirror_dir`. A source
    with a paged API is walked by its registry entry's `walk`; any other gets its upstreams'
    fixed files.
    """

    source: str
    mode: Literal["mirror", "live"] = "mirror"
    mirror_dir: str = ""
    base_urls: dict[str, str] = {}
    requests_per_second: dict[str, float] = {}
    daily_downloads: dict[str, int] = {}
    ledger_dir: str = ""
    """Where daily download budgets are counted (`<raw store>/.downloads`)."""
    api_key: str | None = None
    options: dict[str, str] = {}
    http: HttpConfig

    def fetcher(self) -> Fetcher:
        if self.mode == "mirror":
            return MirrorFetcher(Path(self.mirror_dir))
        endpoints = {
            upstream.key: Endpoint(
                base_url=self.base_urls.get(upstream.key, upstream.base_url),
                requests_per_second=self.requests_per_second.get(
                    upstream.key, upstream.requests_per_second
                ),
                api_key=self.api_key if upstream.api_key_setting else None,
                api_key_setting=upstream.api_key_setting,
                daily_downloads=self.daily_downloads.get(upstream.key),
                forbidden_advice=_browser_advice(self.source, upstream)
                if upstream.browser_only
                else None,
            )
            for upstream in source(self.source).upstreams
        }
        return LiveFetcher(
            endpoints,
            HttpPolicy(**self.http.model_dump()),
            ledger_dir=Path(self.ledger_dir) if self.ledger_dir else None,
        )

    def origin(self, keys: Iterable[str]) -> DataOrigin:
        """What the files with these `RawFiles` keys are: live, or by the snapshot's MANIFEST."""
        if self.mode == "live":
            return DataOrigin("live")
        return DataOrigin.of_snapshot(Path(self.mirror_dir), keys)

    def fetch(
        self,
        staging: Path,
        log: Logger,
        known: Mapping[str, FetchedFile],
        *,
        incremental: bool = False,
    ) -> FetchJob:
        """Every file of one download into `staging`, asking conditionally about the `known`
        files of the latest stored version; returns the finished job (its files, its fetcher's
        mode, what the walk reported). `incremental`: a walk may stop early and carry known
        files over."""
        entry = source(self.source)
        with self.fetcher() as fetcher:
            job = FetchJob(
                self.source, fetcher, staging, log, self.options, known, incremental=incremental
            )
            if entry.walk is not None:
                entry.walk(job)
            else:
                for upstream in entry.upstreams:
                    for relpath in upstream.files:
                        job.download(upstream.key, relpath)
        return job


def _browser_advice(source_key: str, upstream: Upstream) -> str:
    """How to get the files of an upstream that refuses scripts: by hand, then import them."""
    urls = " and ".join(f"{upstream.base_url}/{relpath}" for relpath in upstream.files)
    files = " ".join(f"{relpath}=FILE" for relpath in upstream.files)
    return (
        f"{upstream.key} refuses scripted downloads: open {urls} in a browser, then run "
        f"`kg-pipeline import-raw {source_key} {files}`; the previous data stays until then"
    )


class LoadPolicy(dg.ConfigurableResource):
    """When a load is refused (below a floor of the previous load) or flagged by its check."""

    evidence_floor_ratio: float = 0.5
    evidence_warn_ratio: float = 0.8
    annotation_floor_ratio: float = 0.5
    gene_count_min: int = 3_000
    gene_count_max: int = 8_000

    def require_complete(
        self, name: str, rows: int, previous: int, *, annotation: bool, raw_asset: str
    ) -> int:
        """The floor the new load had to reach; `LoadRefused` when it is empty or below it."""
        ratio = self.annotation_floor_ratio if annotation else self.evidence_floor_ratio
        setting = "KG_ANNOTATION_FLOOR_RATIO" if annotation else "KG_EVIDENCE_FLOOR_RATIO"
        floor = int(previous * ratio)
        if rows == 0 or rows < floor:
            raise LoadRefused(
                f"{name}: the new load has {rows} genes, below the floor of {floor} "
                f"({ratio:.0%} of the {previous} loaded before); nothing was written and the "
                f"previous rows stay. Check the raw input ({raw_asset}) or lower {setting} if "
                "the drop is real"
            )
        return floor


class HgncReferenceCache(dg.ConfigurableResource):
    """The HGNC reference of the latest good raw HGNC version, parsed once per run."""

    gene_db: GeneDatabase
    raw_store: RawFileStore
    _reference: HgncReference | None = PrivateAttr(default=None)

    def reference(self) -> HgncReference:
        version, files = self.raw_store.latest(self.gene_db, "hgnc")
        if self._reference is None or self._reference.version.sha256 != version.sha256:
            self._reference = HgncReference.from_files(version, files)
        return self._reference


def _secret(name: str, value: str | None) -> Any:
    """A secret as resource config: by its environment variable when it came from there, so the
    UI and run storage show the variable's name, never the value."""
    if value and os.environ.get(name) == value:
        return dg.EnvVar(name)
    return value


def pipeline_resources(settings: Settings) -> dict[str, Any]:
    """Every resource, configured from `settings` (the code location, the CLI and tests)."""
    unknown = sorted(set(settings.base_urls) - set(UPSTREAMS))
    if unknown:
        raise ValueError(
            f"KG_BASE_URLS names unknown upstream(s) {', '.join(unknown)}; "
            f"known: {', '.join(UPSTREAMS)}"
        )
    mirror_dir = str(settings.resolved_mirror_dir)
    gene_db = GeneDatabase(
        url=_secret("KG_DATABASE_URL", settings.database_url),
        data_dir=str(settings.data_dir),
        database_name=settings.gene_database_name,
        source_mode=settings.source_mode,
        mirror_dir=mirror_dir,
        wait_timeout_s=settings.wait_timeout_s,
    )
    raw_store = RawFileStore(
        root=str(settings.data_dir / "raw"),
        max_decompressed_bytes=settings.max_decompressed_bytes,
    )
    http = HttpConfig(
        connect_timeout_s=settings.http_connect_timeout_s,
        read_timeout_s=settings.http_read_timeout_s,
        max_retries=settings.http_max_retries,
        backoff_base_s=settings.http_backoff_base_s,
        backoff_cap_s=settings.http_backoff_cap_s,
    )
    api_key = settings.ncbi_api_key.get_secret_value() if settings.ncbi_api_key else None
    clients = {
        f"{entry.key}_upstream": UpstreamClient(
            source=entry.key,
            mode=settings.source_mode,
            mirror_dir=mirror_dir,
            base_urls={u.key: settings.base_url(u.key, u.base_url) for u in entry.upstreams},
            requests_per_second={
                u.key: settings.rate(u.key, u.requests_per_second) for u in entry.upstreams
            },
            daily_downloads={
                u.key: budget
                for u in entry.upstreams
                if (budget := settings.daily_download_budget(u.key, u.daily_downloads)) is not None
            },
            ledger_dir=str(raw_store.store.downloads_dir),
            api_key=_secret("KG_NCBI_API_KEY", api_key),
            options=entry.options(settings) if entry.options else {},
            http=http,
        )
        for entry in SOURCES
    }
    return {
        "gene_db": gene_db,
        "raw_store": raw_store,
        "release_store": ReleaseStore(root=str(settings.data_dir / "releases")),
        "hgnc": HgncReferenceCache(gene_db=gene_db, raw_store=raw_store),
        "load_policy": LoadPolicy(
            evidence_floor_ratio=settings.evidence_floor_ratio,
            evidence_warn_ratio=settings.evidence_warn_ratio,
            annotation_floor_ratio=settings.annotation_floor_ratio,
            gene_count_min=settings.gene_count_min,
            gene_count_max=settings.gene_count_max,
        ),
        **clients,
    }
