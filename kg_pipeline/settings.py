"""Every setting of kg-pipeline, read from the environment (prefix `KG_`).

One `Settings` object, read once where a process starts (the code location, the CLI) and
turned into resources there; assets and the layers below them never read it. Secrets are
`SecretStr` so they never print.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

SourceMode = Literal["mirror", "live"]
StringNetwork = Literal["physical", "physical-detailed", "full", "full-detailed"]
"""The STRING network whose links are scored: the physical subnetwork (upstream's and the R
predecessor's) or the full functional one, plain or `.detailed`."""


DEFAULT_MAX_DECOMPRESSED_BYTES = 8 << 30
"""8 GiB: above every real upstream file uncompressed (ClinVar's variant summary is about 4 GB),
far below what a small gzip bomb inflates to."""


def _default_data_dir() -> Path:
    return Path.home() / ".local" / "share" / "kg-pipeline"


class Settings(BaseSettings):
    """Configuration from `KG_*` environment variables (see the README's Configuration table)."""

    model_config = SettingsConfigDict(env_prefix="KG_", env_nested_delimiter="__", extra="ignore")

    # Databases. Unset means: start the embedded PostgreSQL under data_dir.
    database_url: str | None = None
    dagster_pg_url: str | None = None
    gene_database_name: str = "kidney_genetics"
    dagster_database_name: str = "dagster"

    data_dir: Path = Field(default_factory=_default_data_dir)
    source_mode: SourceMode = "mirror"
    mirror_dir: Path | None = None

    # Live mode: one root URL that replaces every upstream's base URL with `<root>/<key>`
    # (how the local emulator is addressed), or per-upstream overrides:
    # KG_BASE_URLS__GNOMAD=https://mirror.example.org/gnomad (or KG_BASE_URLS as a JSON object).
    upstream_url: str | None = None
    base_urls: dict[str, str] = Field(default_factory=dict)

    ncbi_api_key: SecretStr | None = None
    pubtator_query: str = (
        '("kidney disease" OR "renal disease") AND (gene OR syndrome) AND (variant OR mutation)'
    )
    pubtator_max_pages: int = 10_000
    string_network: StringNetwork = "physical"
    # An incremental PubTator walk stops after this many pages in a row of articles it has.
    pubtator_stop_after_known_pages: int = Field(default=10, ge=1)

    # A new evidence load below this share of the previous load's genes is refused.
    evidence_floor_ratio: float = 0.5
    # ... and one below this share is written but flagged by its asset check.
    evidence_warn_ratio: float = 0.8
    # A new annotation load below this share of the previous load's genes is refused.
    annotation_floor_ratio: float = 0.5
    gene_count_min: int = 3_000
    gene_count_max: int = 8_000

    # Per-upstream request rates (KG_REQUESTS_PER_SECOND__PUBTATOR=10 with an NCBI API key);
    # unset ones keep the registry's polite default.
    requests_per_second: dict[str, float] = Field(default_factory=dict)
    # Downloads a UTC day for upstreams with a per-IP quota (KG_DAILY_DOWNLOADS__GENCC=5);
    # unset ones keep the registry's budget.
    daily_downloads: dict[str, int] = Field(default_factory=dict)
    # Replaces every upstream's request rate: for a local emulator only.
    http_requests_per_second: float | None = None

    # A raw gzip file that inflates past this many bytes is refused before it is stored.
    max_decompressed_bytes: int = Field(default=DEFAULT_MAX_DECOMPRESSED_BYTES, gt=0)

    # How long a run waits for the gene database (held by a rebuild, or by refreshes while a
    # rebuild waits) and `kg-pipeline rebuild` for a pool slot, before giving up.
    wait_timeout_s: float = Field(default=600.0, gt=0)

    http_connect_timeout_s: float = 10.0
    http_read_timeout_s: float = 120.0
    http_max_retries: int = 5
    http_backoff_base_s: float = 1.0
    http_backoff_cap_s: float = 60.0

    @classmethod
    def explicit(cls, **values: Any) -> Settings:
        """Settings from `values` and the defaults alone, whatever the environment holds: for
        runs that must not reach the user's databases or services (the benchmark, tests)."""
        return _ExplicitSettings(**values)

    @property
    def resolved_mirror_dir(self) -> Path:
        return self.mirror_dir or self.data_dir / "snapshot"

    def base_url(self, upstream: str, default: str) -> str:
        """The base URL to use for an upstream in live mode (`default`: the registry's)."""
        override = self.base_urls.get(upstream)
        if override:
            return override.rstrip("/")
        if self.upstream_url:
            return f"{self.upstream_url.rstrip('/')}/{upstream}"
        return default

    def daily_download_budget(self, upstream: str, default: int | None) -> int | None:
        """Downloads a day for an upstream (`default`: the registry's; None: no budget)."""
        budget = self.daily_downloads.get(upstream, default)
        if budget is not None and budget < 0:
            raise ValueError(f"{upstream}: daily downloads must be >= 0, got {budget}")
        return budget

    def rate(self, upstream: str, default: float) -> float:
        """Requests per second for an upstream (`default`: the registry's)."""
        rate = self.http_requests_per_second or self.requests_per_second.get(upstream, default)
        if rate <= 0:
            raise ValueError(f"{upstream}: requests per second must be > 0, got {rate}")
        return rate


class _ExplicitSettings(Settings):
    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        **_other_sources: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)
