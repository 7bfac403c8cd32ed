"""Every setting of kg-pipeline, read from the environment (prefix `KG_`).

One `Settings` object; everything else asks it. Secrets are `SecretStr` so they never print.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from kg_pipeline.upstreams import UPSTREAMS

SourceMode = Literal["mirror", "live"]


def _default_data_dir() -> Path:
    return Path.home() / ".local" / "share" / "kg-pipeline"


class Settings(BaseSettings):
    """Configuration from `KG_*` environment variables (see the README's Configuration table)."""

    model_config = SettingsConfigDict(env_prefix="KG_", extra="ignore")

    # Databases. Unset means: start the embedded PostgreSQL under data_dir.
    database_url: str | None = None
    dagster_pg_url: str | None = None
    gene_database_name: str = "kidney_genetics"
    dagster_database_name: str = "dagster"

    data_dir: Path = Field(default_factory=_default_data_dir)
    source_mode: SourceMode = "mirror"
    mirror_dir: Path | None = None

    # Live mode: one root URL that replaces every upstream's base URL with `<root>/<key>`
    # (how the local emulator is addressed), or per-upstream overrides below.
    upstream_url: str | None = None
    hgnc_base_url: str | None = None
    panelapp_uk_base_url: str | None = None
    panelapp_au_base_url: str | None = None
    clingen_base_url: str | None = None
    gencc_base_url: str | None = None
    hpo_base_url: str | None = None
    pubtator_base_url: str | None = None
    diagnostic_panels_base_url: str | None = None
    literature_base_url: str | None = None
    gnomad_base_url: str | None = None
    gtex_base_url: str | None = None
    descartes_base_url: str | None = None
    clinvar_base_url: str | None = None
    mgi_base_url: str | None = None
    string_base_url: str | None = None

    ncbi_api_key: SecretStr | None = None
    pubtator_query: str = (
        '("kidney disease" OR "renal disease") AND (gene OR syndrome) AND (variant OR mutation)'
    )
    pubtator_max_pages: int = 10_000
    pubtator_requests_per_second: float = 3.0

    # A new evidence load below this share of the previous load's genes is refused.
    evidence_floor_ratio: float = 0.5
    # ... and one below this share is written but flagged by its asset check.
    evidence_warn_ratio: float = 0.8
    gene_count_min: int = 3_000
    gene_count_max: int = 8_000

    # Replaces every upstream's request rate (PubTator's too): for a local emulator only.
    http_requests_per_second: float | None = None

    http_connect_timeout_s: float = 10.0
    http_read_timeout_s: float = 120.0
    http_max_retries: int = 5
    http_backoff_base_s: float = 1.0
    http_backoff_cap_s: float = 60.0

    @property
    def resolved_mirror_dir(self) -> Path:
        return self.mirror_dir or self.data_dir / "snapshot"

    def base_url(self, upstream: str) -> str:
        """The base URL to use for an upstream in live mode."""
        override = getattr(self, f"{upstream}_base_url")
        if override:
            return override.rstrip("/")
        if self.upstream_url:
            return f"{self.upstream_url.rstrip('/')}/{upstream}"
        return UPSTREAMS[upstream].base_url


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
