"""What a source is: the typed description every registry entry fills in.

A `Source` holds everything *about* one upstream source: its canonical key (which names its raw
asset `raw_<key>`, its refresh job, its cache namespace and its API pool), the upstream host(s)
and files it is downloaded from, how often it changes, how its release is read, how a paged API
is walked, and the loads it feeds (evidence and/or annotation) with their parser entry points.
`kg_pipeline.sources.registry` lists them; the Dagster definitions, settings, checks, refresh
jobs, schedules and the dev tools iterate over that list.
"""

from __future__ import annotations

import itertools
import os
import shutil
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

import pandas as pd

from kg_pipeline.http.formats import FileFormat
from kg_pipeline.http.transport import (
    FILE_MODE,
    FetchedFile,
    NotModified,
    conditional_headers,
    mirror_relpath,
)
from kg_pipeline.raw_files import RawFiles

if TYPE_CHECKING:
    from kg_pipeline.http.transport import Fetcher
    from kg_pipeline.settings import Settings
    from kg_pipeline.sources.annotations import ParsedAnnotations
    from kg_pipeline.sources.records import ParsedEvidence

Cadence = Literal["daily", "weekly", "monthly"]
Fetched = list[tuple[str, "FetchedFile"]]
"""Files of one download: `"<upstream key>/<relpath>"` and the fetched file."""


@dataclass(frozen=True)
class Upstream:
    """One upstream host: its default base URL, the fixed files it serves, its politeness.

    Paged APIs (PanelApp, PubTator) list no fixed files; their source's `walk` fetches them.
    """

    key: str
    """Snapshot folder, emulator path prefix, `KG_BASE_URLS__<KEY>`."""
    base_url: str
    files: tuple[str, ...] = ()
    requests_per_second: float = 5.0
    release: str | None = None
    """The release when the URL itself fixes it (gnomAD v4.1, GTEx v8, STRING v12.0)."""
    api_format: FileFormat | None = None
    """The format of every response of a paged API (files are judged by their names)."""
    api_key_setting: str | None = None
    """The setting whose key is sent as `api_key` (NCBI's raises PubTator's rate limit)."""
    browser_only: bool = False
    """Refuses scripted downloads (HTTP 403): its files are downloaded in a browser and
    imported with `kg-pipeline import-raw`."""
    daily_downloads: int | None = None
    """The most downloads a UTC day this project spends on an upstream with a per-IP quota
    (`KG_DAILY_DOWNLOADS__<KEY>` overrides); None: no budget."""

    def keys(self) -> tuple[str, ...]:
        """The `RawFiles` keys of the fixed files: `"<key>/<relpath>"`."""
        return tuple(f"{self.key}/{relpath}" for relpath in self.files)


@dataclass
class FetchJob:
    """A source's download in progress: the source's key, the fetcher, a scratch directory, the
    source's fetch options, the files of its latest stored version (`known`, by `RawFiles` key,
    as fetched files whose headers hold the validators the upstream sent), and the files
    fetched so far.

    Each request for a known file carries that file's validators; when the upstream answers
    304, the stored bytes stand in for the body, so a walk reads them as it would a download.
    An incremental walk (`incremental`) may also read known files and carry them into the new
    version without asking at all. `details`: what the walk reports about itself (pages
    fetched, carried, failed), recorded with the new raw version and in the raw asset's
    metadata.
    """

    source: str
    fetcher: Fetcher
    staging: Path
    log: Logger
    options: Mapping[str, str]
    known: Mapping[str, FetchedFile] = field(default_factory=dict)
    incremental: bool = False
    fetched: Fetched = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    format_checked: set[str] = field(default_factory=set)
    """Keys of downloaded files the walk has parsed in their format as they arrived (a search
    page's JSON): the raw step's format check does not parse them again."""
    _numbers: itertools.count = field(default_factory=itertools.count, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    """A paged walk downloads from several threads: staging names and `fetched` are shared."""

    def download(
        self,
        upstream: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        page: int | None = None,
    ) -> tuple[str, FetchedFile]:
        """Fetch one file into the staging directory and add it to `fetched` (safe to call from
        several threads at once)."""
        with self._lock:
            dest = self.staging / f"{next(self._numbers):06d}"
        key = f"{upstream}/{mirror_relpath(path, page)}"
        known = self.known.get(key)
        try:
            item = self.fetcher.download(
                upstream,
                path,
                dest,
                params=params,
                page=page,
                validators=conditional_headers(known.headers) if known else None,
            )
        except NotModified:
            assert known is not None  # only a conditional request can be answered 304
            item = _stored_copy(known, mirror_relpath(path, page), dest)
        with self._lock:
            # The files hold the bytes: a walk's thousands of pages are not kept in memory too.
            self.fetched.append((key, replace(item, content=None)))
        return key, item

    def mark_format_checked(self, key: str) -> None:
        """Record that the walk parsed the downloaded file `key` in its format."""
        with self._lock:
            self.format_checked.add(key)

    def discard(self, key: str) -> None:
        """Drop a fetched file that turned out unusable (or was not needed), and its bytes."""
        with self._lock:
            self.format_checked.discard(key)
            for k, item in self.fetched:
                if k == key:
                    item.path.unlink(missing_ok=True)
            self.fetched = [(k, item) for k, item in self.fetched if k != key]

    def carry(self, key: str, relpath: str) -> None:
        """Add the known file `key` to this download as `relpath` of the same upstream, without
        fetching it (its bytes stay where the raw store keeps them)."""
        if not self.incremental:
            raise ValueError(f"{self.source}: only an incremental walk carries files over")
        upstream = key.split("/", 1)[0]
        item = replace(self.known[key], relpath=relpath)
        with self._lock:
            self.fetched.append((f"{upstream}/{relpath}", item))


def _stored_copy(known: FetchedFile, relpath: str, dest: Path) -> FetchedFile:
    """The stored file as the fetched one: a hard link into the staging directory (the store
    and the staging directory share a filesystem), a read-only copy where links are refused."""
    try:
        os.link(known.path, dest)
    except OSError:
        shutil.copyfile(known.path, dest)
        dest.chmod(FILE_MODE)
    return replace(known, relpath=relpath, path=dest)


class Logger(Protocol):
    """The logging calls a walk makes (a Dagster log manager or a `logging.Logger`)."""

    def info(self, msg: str, *args: Any) -> Any: ...

    def warning(self, msg: str, *args: Any) -> Any: ...


class WalkPages(Protocol):
    """A download that is more than the fixed files: every page and detail document of a paged
    API, or the files the fetch options choose (STRING's network)."""

    def __call__(self, job: FetchJob) -> None: ...


class ReadRelease(Protocol):
    """The release a download states in its content (a banner, a date column), or None."""

    def __call__(self, files: RawFiles) -> str | None: ...


class EvidenceParser(Protocol):
    """An evidence source's parse module: its name in the database, `parse` and `aggregate`."""

    @property
    def SOURCE(self) -> str: ...

    def parse(self, files: RawFiles) -> ParsedEvidence: ...

    def aggregate(self, rows: pd.DataFrame) -> pd.DataFrame: ...


class Annotator(Protocol):
    """An annotation source's module: its name in the database and `annotate` (raw files and
    our genes in, one row per matched gene out; `inputs` are the extra inputs the load
    declares)."""

    @property
    def SOURCE(self) -> str: ...

    def annotate(
        self, files: RawFiles, genes: pd.DataFrame, **inputs: Any
    ) -> ParsedAnnotations: ...


AnnotationInput = Literal["complete_set", "scores"]
"""Extra inputs an annotation may need: the parsed HGNC complete set, or the gene scores (which
also makes the load depend on `gene_scores`)."""


@dataclass(frozen=True)
class EvidenceLoad:
    """A source's gene evidence: the `<key>_evidence` asset writing `gene_evidence` rows."""

    parser: EvidenceParser
    description: str
    staging_priority: int = 10
    """Base priority of this source's unresolved symbols in the curators' staging queue."""
    file_based: bool = False
    """File uploads upstream (DiagnosticPanels, Literature): each file goes to
    `static_evidence_uploads`."""

    @property
    def name(self) -> str:
        """`gene_evidence.source_name`, e.g. `PanelApp`."""
        return self.parser.SOURCE


@dataclass(frozen=True)
class StatCheck:
    """A warning check an annotation load declares besides its coverage check: one stat of its
    parser (`ParsedAnnotations.stats`) must reach `minimum`. The stat is also recorded in the
    asset's metadata."""

    name: str
    stat: str
    minimum: int
    description: str


@dataclass(frozen=True)
class AnnotationLoad:
    """A source's gene annotation: the `<name>_annotations` asset writing `gene_annotations`."""

    annotator: Annotator
    description: str
    coverage_floor: float
    """The check warns below this share of our genes annotated."""
    inputs: tuple[AnnotationInput, ...] = ()
    stat_checks: tuple[StatCheck, ...] = ()
    """Further checks of this load, each on one parser stat (gnomAD: genes on chrX)."""

    @property
    def name(self) -> str:
        """`annotation_sources.source_name`, e.g. `string_ppi`."""
        return self.annotator.SOURCE


@dataclass(frozen=True)
class Source:
    """One registry entry; see the module docstring."""

    key: str
    raw_description: str
    upstreams: tuple[Upstream, ...]
    cadence: Cadence
    evidence: EvidenceLoad | None = None
    annotation: AnnotationLoad | None = None
    walk: WalkPages | None = None
    """How a paged API is downloaded, or which files the options choose; None: every
    upstream's fixed files."""
    read_release: ReadRelease | None = None
    options: Callable[[Settings], dict[str, str]] | None = None
    """Fetch options read from the settings (PubTator's query and page limit, STRING's
    network)."""
    reference: bool = False
    """Every source is normalised against it (HGNC): its refresh re-runs all downstream."""
    full_walk_cadence: Cadence | None = None
    """A paged source whose walk can stop at pages it already has (PubTator): its scheduled
    refresh at `cadence` walks incrementally (from its latest stored version), and a full walk
    is scheduled at this cadence. `rebuild` and a refresh launched without config walk all."""

    @property
    def raw_asset(self) -> str:
        return f"raw_{self.key}"

    @property
    def incremental(self) -> bool:
        """Whether the source's walk can refresh incrementally."""
        return self.full_walk_cadence is not None

    def load_assets(self) -> list[str]:
        """The asset names of the loads this source feeds."""
        names = [f"{self.key}_evidence"] if self.evidence else []
        if self.annotation:
            names.append(f"{self.annotation.name}_annotations")
        return names

    def fixed_files(self) -> dict[str, str]:
        """The `RawFiles` key of each fixed file of every upstream, to its path under the
        upstream (`descartes/tissue_tpm/kidney.csv` to `tissue_tpm/kidney.csv`)."""
        return {f"{u.key}/{relpath}": relpath for u in self.upstreams for relpath in u.files}

    def fixed_release(self) -> str | None:
        """The release every upstream's URL fixes, when they agree on one."""
        releases = {u.release for u in self.upstreams}
        return releases.pop() if len(releases) == 1 else None
