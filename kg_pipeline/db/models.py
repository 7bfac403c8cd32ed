"""SQLAlchemy models of the gene database, matching migration head exactly.

The migrations in `migrations/versions/` own the schema; these models mirror the result of
the head revision so that Alembic autogenerate finds no difference, and `VIEWS` names every view
and its columns (a test and an asset check verify both). Every key is BIGINT, every timestamp
TIMESTAMPTZ, every document JSONB.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NOW = sa.text("now()")


class Base(DeclarativeBase):
    pass


def _pk() -> Mapped[int]:
    return mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)


def _created() -> Mapped[dt.datetime]:
    return mapped_column(sa.DateTime(timezone=True), nullable=False, server_default=NOW)


def _updated() -> Mapped[dt.datetime]:
    return mapped_column(sa.DateTime(timezone=True), nullable=False, server_default=NOW)


class SourceStatus(enum.Enum):
    idle = "idle"
    running = "running"
    completed = "completed"
    failed = "failed"
    paused = "paused"


class Gene(Base):
    __tablename__ = "genes"
    __table_args__ = (sa.Index("idx_genes_approved_symbol", "approved_symbol"),)

    id: Mapped[int] = _pk()
    hgnc_id: Mapped[str | None] = mapped_column(sa.String(50), unique=True)
    approved_symbol: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    aliases: Mapped[list[str] | None] = mapped_column(ARRAY(sa.Text))
    previous_symbols: Mapped[list[str] | None] = mapped_column(ARRAY(sa.Text))
    created_at: Mapped[dt.datetime] = _created()
    updated_at: Mapped[dt.datetime] = _updated()


class GeneEvidence(Base):
    __tablename__ = "gene_evidence"
    __table_args__ = (
        sa.UniqueConstraint("gene_id", "source_name", name="uq_gene_evidence_gene_source"),
        sa.Index("idx_gene_evidence_gene_id", "gene_id"),
        sa.Index("idx_gene_evidence_source_name", "source_name"),
    )

    id: Mapped[int] = _pk()
    gene_id: Mapped[int] = mapped_column(
        sa.BigInteger, sa.ForeignKey("genes.id", ondelete="CASCADE"), nullable=False
    )
    source_name: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    source_detail: Mapped[str | None] = mapped_column(sa.String(255))
    evidence_data: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    evidence_date: Mapped[dt.date | None] = mapped_column(sa.Date)
    created_at: Mapped[dt.datetime] = _created()
    updated_at: Mapped[dt.datetime] = _updated()


class GeneAnnotation(Base):
    __tablename__ = "gene_annotations"
    __table_args__ = (
        sa.UniqueConstraint("gene_id", "source", name="unique_gene_source"),
        sa.Index("idx_gene_annotations_gene_id", "gene_id"),
        sa.Index("idx_gene_annotations_source", "source"),
        sa.Index("idx_gene_annotations_annotations", "annotations", postgresql_using="gin"),
    )

    id: Mapped[int] = _pk()
    gene_id: Mapped[int] = mapped_column(
        sa.BigInteger, sa.ForeignKey("genes.id", ondelete="CASCADE"), nullable=False
    )
    source: Mapped[str] = mapped_column(sa.String(50), nullable=False)
    version: Mapped[str | None] = mapped_column(sa.String(20))
    annotations: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    source_metadata: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    created_at: Mapped[dt.datetime] = _created()
    updated_at: Mapped[dt.datetime] = _updated()


class AnnotationSource(Base):
    __tablename__ = "annotation_sources"

    id: Mapped[int] = _pk()
    source_name: Mapped[str] = mapped_column(sa.Text, nullable=False, unique=True)
    display_name: Mapped[str | None] = mapped_column(sa.Text)
    version: Mapped[str | None] = mapped_column(sa.Text)
    description: Mapped[str | None] = mapped_column(sa.Text)
    url: Mapped[str | None] = mapped_column(sa.Text)
    base_url: Mapped[str | None] = mapped_column(sa.Text)
    is_active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, server_default=sa.true())
    priority: Mapped[int] = mapped_column(sa.Integer, nullable=False, server_default="0")
    update_frequency: Mapped[str | None] = mapped_column(sa.Text)
    last_update: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    next_update: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    config: Mapped[dict[str, Any]] = mapped_column(
        JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")
    )
    cache_ttl_days: Mapped[int] = mapped_column(sa.Integer, nullable=False, server_default="90")
    row_count: Mapped[int | None] = mapped_column(sa.Integer)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[dt.datetime] = _created()
    updated_at: Mapped[dt.datetime] = _updated()


class AnnotationHistory(Base):
    __tablename__ = "annotation_history"
    __table_args__ = (sa.Index("idx_annotation_history_gene_source", "gene_id", "source"),)

    id: Mapped[int] = _pk()
    gene_id: Mapped[int] = mapped_column(
        sa.BigInteger, sa.ForeignKey("genes.id", ondelete="CASCADE"), nullable=False
    )
    source: Mapped[str] = mapped_column(sa.String(50), nullable=False)
    operation: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    old_data: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    new_data: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    changed_by: Mapped[str | None] = mapped_column(sa.String(100))
    changed_at: Mapped[dt.datetime] = _created()
    change_reason: Mapped[str | None] = mapped_column(sa.Text)


class GeneCuration(Base):
    __tablename__ = "gene_curations"

    id: Mapped[int] = _pk()
    gene_id: Mapped[int] = mapped_column(
        sa.BigInteger, sa.ForeignKey("genes.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    evidence_count: Mapped[int] = mapped_column(sa.Integer, nullable=False, server_default="0")
    source_count: Mapped[int] = mapped_column(sa.Integer, nullable=False, server_default="0")
    panelapp_panels: Mapped[list[str] | None] = mapped_column(ARRAY(sa.Text))
    literature_refs: Mapped[list[str] | None] = mapped_column(ARRAY(sa.Text))
    diagnostic_panels: Mapped[list[str] | None] = mapped_column(ARRAY(sa.Text))
    hpo_terms: Mapped[list[str] | None] = mapped_column(ARRAY(sa.Text))
    pubtator_pmids: Mapped[list[str] | None] = mapped_column(ARRAY(sa.Text))
    omim_data: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    clinvar_data: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    constraint_scores: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    expression_data: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    evidence_score: Mapped[float | None] = mapped_column(sa.Float)
    classification: Mapped[str | None] = mapped_column(sa.String(50))
    created_at: Mapped[dt.datetime] = _created()
    updated_at: Mapped[dt.datetime] = _updated()


class GeneNormalizationStaging(Base):
    __tablename__ = "gene_normalization_staging"
    __table_args__ = (
        sa.UniqueConstraint("source_name", "original_text", name="uq_staging_source_text"),
        sa.Index("idx_staging_status", "status"),
    )

    id: Mapped[int] = _pk()
    original_text: Mapped[str] = mapped_column(sa.Text, nullable=False)
    source_name: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    original_data: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    normalization_log: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    status: Mapped[str] = mapped_column(
        sa.String(50), nullable=False, server_default="pending_review"
    )
    priority_score: Mapped[int] = mapped_column(sa.Integer, nullable=False, server_default="0")
    requires_expert_review: Mapped[bool] = mapped_column(
        sa.Boolean, nullable=False, server_default=sa.false()
    )
    resolved_gene_id: Mapped[int | None] = mapped_column(
        sa.BigInteger, sa.ForeignKey("genes.id", ondelete="SET NULL")
    )
    resolution_method: Mapped[str | None] = mapped_column(sa.String(50))
    reviewed_by: Mapped[str | None] = mapped_column(sa.String(100))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = _created()
    updated_at: Mapped[dt.datetime] = _updated()
    # A curator's review in the upstream web application writes these; the pipeline does not.
    review_notes: Mapped[str | None] = mapped_column(sa.Text)
    manual_approved_symbol: Mapped[str | None] = mapped_column(sa.String(100))
    manual_hgnc_id: Mapped[str | None] = mapped_column(sa.String(50))
    manual_aliases: Mapped[list[str] | None] = mapped_column(JSONB)
    is_duplicate_submission: Mapped[bool] = mapped_column(
        sa.Boolean, nullable=False, server_default=sa.false()
    )


class GeneNormalizationLog(Base):
    __tablename__ = "gene_normalization_log"
    __table_args__ = (sa.Index("idx_normalization_log_source", "source_name"),)

    id: Mapped[int] = _pk()
    original_text: Mapped[str] = mapped_column(sa.Text, nullable=False)
    source_name: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    success: Mapped[bool] = mapped_column(sa.Boolean, nullable=False)
    approved_symbol: Mapped[str | None] = mapped_column(sa.String(100))
    hgnc_id: Mapped[str | None] = mapped_column(sa.String(50))
    normalization_log: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    final_gene_id: Mapped[int | None] = mapped_column(
        sa.BigInteger, sa.ForeignKey("genes.id", ondelete="SET NULL")
    )
    staging_id: Mapped[int | None] = mapped_column(
        sa.BigInteger, sa.ForeignKey("gene_normalization_staging.id", ondelete="SET NULL")
    )
    api_calls_made: Mapped[int] = mapped_column(sa.Integer, nullable=False, server_default="0")
    processing_time_ms: Mapped[int | None] = mapped_column(sa.Integer)
    created_at: Mapped[dt.datetime] = _created()


class PipelineRun(Base):
    __tablename__ = "pipeline_runs"

    id: Mapped[int] = _pk()
    dagster_run_id: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    job_name: Mapped[str | None] = mapped_column(sa.String(100))
    status: Mapped[str] = mapped_column(sa.String(50), nullable=False)
    started_at: Mapped[dt.datetime] = _created()
    completed_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    stats: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    error_log: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[dt.datetime] = _created()
    updated_at: Mapped[dt.datetime] = _updated()


class DataSourceProgress(Base):
    __tablename__ = "data_source_progress"

    id: Mapped[int] = _pk()
    source_name: Mapped[str] = mapped_column(sa.String(100), nullable=False, unique=True)
    status: Mapped[SourceStatus] = mapped_column(
        sa.Enum(SourceStatus, name="source_status"), nullable=False, server_default="idle"
    )
    current_page: Mapped[int | None] = mapped_column(sa.Integer)
    total_pages: Mapped[int | None] = mapped_column(sa.Integer)
    current_item: Mapped[int | None] = mapped_column(sa.Integer)
    total_items: Mapped[int | None] = mapped_column(sa.Integer)
    items_processed: Mapped[int] = mapped_column(sa.Integer, nullable=False, server_default="0")
    items_added: Mapped[int] = mapped_column(sa.Integer, nullable=False, server_default="0")
    items_updated: Mapped[int] = mapped_column(sa.Integer, nullable=False, server_default="0")
    items_failed: Mapped[int] = mapped_column(sa.Integer, nullable=False, server_default="0")
    progress_percentage: Mapped[float] = mapped_column(sa.Float, nullable=False, server_default="0")
    # "metadata" is reserved on declarative classes; the column keeps upstream's name.
    metadata_: Mapped[dict[str, Any] | None] = mapped_column("metadata", JSONB)
    current_operation: Mapped[str | None] = mapped_column(sa.Text)
    error_message: Mapped[str | None] = mapped_column(sa.Text)
    last_error_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    started_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    completed_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    last_update_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    estimated_completion: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    last_successful_item: Mapped[str | None] = mapped_column(sa.Text)
    rate_limit_remaining: Mapped[int | None] = mapped_column(sa.Integer)
    rate_limit_reset: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = _created()
    updated_at: Mapped[dt.datetime] = _updated()


class StaticSource(Base):
    __tablename__ = "static_sources"

    id: Mapped[int] = _pk()
    source_type: Mapped[str] = mapped_column(sa.String(50), nullable=False)
    source_name: Mapped[str] = mapped_column(sa.String(100), nullable=False, unique=True)
    display_name: Mapped[str | None] = mapped_column(sa.String(255))
    description: Mapped[str | None] = mapped_column(sa.Text)
    source_metadata: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    scoring_metadata: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    is_active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, server_default=sa.true())
    created_by: Mapped[str | None] = mapped_column(sa.String(100))
    created_at: Mapped[dt.datetime] = _created()
    updated_at: Mapped[dt.datetime] = _updated()


class StaticEvidenceUpload(Base):
    __tablename__ = "static_evidence_uploads"
    __table_args__ = (sa.Index("idx_static_uploads_source_hash", "source_id", "file_hash"),)

    id: Mapped[int] = _pk()
    source_id: Mapped[int] = mapped_column(
        sa.BigInteger, sa.ForeignKey("static_sources.id", ondelete="CASCADE"), nullable=False
    )
    file_name: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    file_path: Mapped[str | None] = mapped_column(sa.Text)
    evidence_name: Mapped[str | None] = mapped_column(sa.String(255))
    file_hash: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    original_filename: Mapped[str | None] = mapped_column(sa.String(255))
    content_type: Mapped[str | None] = mapped_column(sa.String(100))
    upload_status: Mapped[str] = mapped_column(
        sa.String(50), nullable=False, server_default="pending"
    )
    processing_log: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    gene_count: Mapped[int] = mapped_column(sa.Integer, nullable=False, server_default="0")
    genes_normalized: Mapped[int] = mapped_column(sa.Integer, nullable=False, server_default="0")
    genes_failed: Mapped[int] = mapped_column(sa.Integer, nullable=False, server_default="0")
    genes_staged: Mapped[int] = mapped_column(sa.Integer, nullable=False, server_default="0")
    upload_metadata: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    uploaded_by: Mapped[str | None] = mapped_column(sa.String(100))
    processed_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = _created()
    updated_at: Mapped[dt.datetime] = _updated()


class StaticSourceAudit(Base):
    __tablename__ = "static_source_audit"

    id: Mapped[int] = _pk()
    source_id: Mapped[int] = mapped_column(
        sa.BigInteger, sa.ForeignKey("static_sources.id", ondelete="CASCADE"), nullable=False
    )
    upload_id: Mapped[int | None] = mapped_column(
        sa.BigInteger, sa.ForeignKey("static_evidence_uploads.id", ondelete="SET NULL")
    )
    action: Mapped[str] = mapped_column(sa.String(50), nullable=False)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    performed_by: Mapped[str | None] = mapped_column(sa.String(100))
    performed_at: Mapped[dt.datetime] = _created()


class CacheEntry(Base):
    __tablename__ = "cache_entries"
    __table_args__ = (
        sa.UniqueConstraint("cache_key", name="uq_cache_entries_cache_key"),
        sa.Index("idx_cache_entries_namespace", "namespace"),
        sa.Index("idx_cache_entries_expires_at", "expires_at"),
    )

    id: Mapped[int] = _pk()
    cache_key: Mapped[str] = mapped_column(sa.Text, nullable=False)
    namespace: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    data: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    data_size: Mapped[int | None] = mapped_column(sa.Integer)
    access_count: Mapped[int] = mapped_column(sa.Integer, nullable=False, server_default="0")
    metadata_: Mapped[dict[str, Any] | None] = mapped_column("metadata", JSONB)
    created_at: Mapped[dt.datetime] = _created()
    expires_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    last_accessed: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))


class User(Base):
    """An account of the upstream web application (schema only: the pipeline seeds none)."""

    __tablename__ = "users"
    __table_args__ = (
        sa.Index("idx_users_role", "role"),
        sa.Index("idx_users_is_active", "is_active"),
    )

    id: Mapped[int] = _pk()
    email: Mapped[str] = mapped_column(sa.String(255), nullable=False, unique=True)
    username: Mapped[str] = mapped_column(sa.String(50), nullable=False, unique=True)
    hashed_password: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    full_name: Mapped[str | None] = mapped_column(sa.String(255))
    role: Mapped[str] = mapped_column(sa.String(20), nullable=False, server_default="viewer")
    permissions: Mapped[Any | None] = mapped_column(JSONB)
    is_active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, server_default=sa.true())
    is_verified: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, server_default=sa.false())
    is_admin: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, server_default=sa.false())
    last_login: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    failed_login_attempts: Mapped[int] = mapped_column(
        sa.Integer, nullable=False, server_default="0"
    )
    locked_until: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    refresh_token: Mapped[str | None] = mapped_column(sa.Text)
    password_reset_token: Mapped[str | None] = mapped_column(sa.String(255))
    password_reset_expires: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    email_verification_token: Mapped[str | None] = mapped_column(sa.String(255))
    created_at: Mapped[dt.datetime] = _created()
    updated_at: Mapped[dt.datetime] = _updated()


class SystemLog(Base):
    """The upstream web application's request and audit log."""

    __tablename__ = "system_logs"
    __table_args__ = (
        sa.Index("idx_system_logs_timestamp_level", "timestamp", "level"),
        sa.Index("idx_system_logs_logger", "logger"),
        sa.Index("idx_system_logs_request_id", "request_id"),
        sa.Index("idx_system_logs_user_id", "user_id"),
    )

    id: Mapped[int] = _pk()
    timestamp: Mapped[dt.datetime] = _created()
    level: Mapped[str] = mapped_column(sa.Text, nullable=False)
    logger: Mapped[str] = mapped_column(sa.Text, nullable=False)
    message: Mapped[str] = mapped_column(sa.Text, nullable=False)
    context: Mapped[dict[str, Any]] = mapped_column(
        JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")
    )
    request_id: Mapped[str | None] = mapped_column(sa.Text)
    user_id: Mapped[int | None] = mapped_column(
        sa.BigInteger, sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    ip_address: Mapped[str | None] = mapped_column(sa.Text)
    user_agent: Mapped[str | None] = mapped_column(sa.Text)
    path: Mapped[str | None] = mapped_column(sa.Text)
    method: Mapped[str | None] = mapped_column(sa.Text)
    status_code: Mapped[int | None] = mapped_column(sa.Integer)
    duration_ms: Mapped[float | None] = mapped_column(sa.Float)
    error_type: Mapped[str | None] = mapped_column(sa.Text)
    error_message: Mapped[str | None] = mapped_column(sa.Text)
    stack_trace: Mapped[str | None] = mapped_column(sa.Text)


class DataRelease(Base):
    """A release directory under `$KG_DATA_DIR/releases` (migration 004): a published row is
    immutable (a trigger refuses to change or delete it)."""

    __tablename__ = "data_releases"
    __table_args__ = (
        sa.CheckConstraint("status IN ('draft', 'published')", name="ck_data_releases_status"),
    )

    id: Mapped[int] = _pk()
    version: Mapped[str] = mapped_column(sa.String(20), nullable=False, unique=True)
    status: Mapped[str] = mapped_column(sa.String(20), nullable=False, server_default="draft")
    release_date: Mapped[dt.date] = mapped_column(sa.Date, nullable=False)
    created_at: Mapped[dt.datetime] = _created()
    published_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    previous_version: Mapped[str | None] = mapped_column(sa.String(20))
    gene_count: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    total_evidence_count: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    annotation_count: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    counts: Mapped[Any] = mapped_column(JSONB, nullable=False)
    origin: Mapped[str] = mapped_column(sa.Text, nullable=False)
    schema_revision: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    code_version: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    export_file_path: Mapped[str] = mapped_column(sa.Text, nullable=False)
    export_checksum: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    checksums: Mapped[Any] = mapped_column(JSONB, nullable=False)
    release_notes: Mapped[str | None] = mapped_column(sa.Text)


@dataclass(frozen=True)
class View:
    """A view of the head revision: its columns in order, and whether it is materialised."""

    columns: tuple[str, ...]
    materialized: bool = False


_SCORE_COLUMNS = ("evidence_id", "gene_id", "source_name")

GNOMAD_CONSTRAINT_COLUMNS: Final = (
    "pli",
    "oe_lof",
    "oe_lof_lower",
    "oe_lof_upper",
    "lof_z",
    "mis_z",
    "syn_z",
    "oe_mis",
    "oe_syn",
)
"""The gnomAD constraint values `gene_annotations_summary` lifts out of the gnomAD annotation."""

VIEWS: dict[str, View] = {
    "evidence_source_counts": View(
        ("evidence_id", "gene_id", "approved_symbol", "source_name", "source_count")
    ),
    "evidence_count_percentiles": View(
        (
            "evidence_id",
            "gene_id",
            "approved_symbol",
            "source_name",
            "source_count",
            "percentile_score",
        )
    ),
    "evidence_classification_weights": View(
        (*_SCORE_COLUMNS, "classification_weight", "approved_symbol")
    ),
    "evidence_normalized_scores": View((*_SCORE_COLUMNS, "normalized_score", "approved_symbol")),
    "combined_evidence_scores": View(
        (*_SCORE_COLUMNS, "normalized_score", "display_name", "source_type", "approved_symbol")
    ),
    "gene_scores": View(
        (
            "gene_id",
            "hgnc_id",
            "approved_symbol",
            "source_count",
            "evidence_count",
            "raw_score",
            "total_active_sources",
            "percentage_score",
            "source_scores",
            "evidence_tier",
            "evidence_group",
        ),
        materialized=True,
    ),
    "gene_annotations_summary": View(
        (
            "gene_id",
            "hgnc_id",
            "approved_symbol",
            "ncbi_gene_id",
            "ensembl_gene_id",
            "mane_select",
            *GNOMAD_CONSTRAINT_COLUMNS,
            "annotation_source_count",
            "annotation_sources",
            "mane_select_transcript",
        ),
        materialized=True,
    ),
    "cache_stats": View(
        (
            "namespace",
            "total_entries",
            "total_size_bytes",
            "total_accesses",
            "avg_accesses",
            "active_entries",
            "expired_entries",
            "last_access_time",
            "oldest_entry",
            "newest_entry",
        )
    ),
    "string_ppi_percentiles": View(("gene_id", "approved_symbol", "ppi_score", "percentile_rank")),
    "admin_logs_filtered": View(
        (
            "id",
            "timestamp",
            "level",
            "logger",
            "message",
            "request_id",
            "user_id",
            "user_email",
            "ip_address",
            "user_agent",
            "path",
            "method",
            "status_code",
            "duration_ms",
            "error_type",
            "action",
            "endpoint",
            "status_category",
            "log_date",
            "log_hour",
        )
    ),
    "datasource_metadata_panelapp": View(
        (
            "gene_id",
            "gene_symbol",
            "source_region",
            "panel_count",
            "panels",
            "max_confidence",
            "mode_of_inheritance",
            "created_at",
            "updated_at",
        )
    ),
    "datasource_metadata_gencc": View(
        (
            "gene_id",
            "gene_symbol",
            "classification_count",
            "classifications",
            "disease_id",
            "disease_title",
            "created_at",
            "updated_at",
        )
    ),
    "evidence_summary_view": View(
        (
            "id",
            "gene_id",
            "approved_symbol",
            "hgnc_id",
            "source_name",
            "evidence_data",
            "normalized_score",
            "classification",
            "last_curated",
        )
    ),
    "gene_list_detailed": View(
        (
            "gene_id",
            "hgnc_id",
            "gene_symbol",
            "alias_symbols",
            "total_score",
            "percentage_score",
            "classification",
            "source_count",
            "sources",
            "annotation_count",
            "annotation_sources",
            "created_at",
            "updated_at",
        )
    ),
}
