"""The complete pipeline schema: every table of the September-2025 consolidation.

BIGINT identity keys, TIMESTAMPTZ timestamps and JSONB documents throughout. Web-app tables
(users, system logs) are not part of the pipeline and are left out. Seeds the eight annotation
sources and the two file-based (static) evidence sources.

Revision ID: 001_modern_complete
Revises:
Create Date: 2025-09-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from kg_pipeline.db.migration_guard import refuse_data_loss, rows

revision: str = "001_modern_complete"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOW = sa.text("now()")

ANNOTATION_SOURCES = [
    # source_name, display_name, version, base_url, priority, description
    (
        "hgnc",
        "HGNC",
        "2024.01",
        "https://www.genenames.org",
        10,
        "Gene identifiers, names, locus types and gene groups",
    ),
    (
        "gnomad",
        "gnomAD",
        "v4.1.0",
        "https://gnomad.broadinstitute.org",
        9,
        "Loss-of-function and missense constraint metrics",
    ),
    ("gtex", "GTEx", "v8", "https://gtexportal.org", 8, "Median expression (TPM) per tissue"),
    (
        "clinvar",
        "ClinVar",
        "2.0",
        "https://www.ncbi.nlm.nih.gov/clinvar",
        7,
        "Variant counts by clinical significance",
    ),
    (
        "hpo",
        "HPO",
        "1.0",
        "https://hpo.jax.org",
        6,
        "Human phenotype annotations with kidney, syndromic and onset groups",
    ),
    (
        "mpo_mgi",
        "MPO/MGI",
        "1.0",
        "https://www.informatics.jax.org",
        5,
        "Mouse orthologue phenotypes with kidney MP terms flagged",
    ),
    (
        "string_ppi",
        "STRING PPI",
        "12.0",
        "https://string-db.org",
        4,
        "Protein interactions among kidney genes weighted by their scores",
    ),
    (
        "descartes",
        "Descartes",
        "human_gtex",
        "https://descartes.brotmanbaty.org",
        3,
        "Fetal kidney expression (TPM and percentage of expressing cells)",
    ),
]

STATIC_SOURCES = [
    (
        "DiagnosticPanels",
        "Diagnostic Panels",
        "Genes listed on commercial kidney diagnostic panels",
    ),
    ("Literature", "Literature", "Genes reported in curated kidney-genetics publications"),
]


def _pk() -> sa.Column:
    return sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True)


def _timestamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
    ]


def _gene_fk(ondelete: str = "CASCADE", nullable: bool = False, name: str = "gene_id"):
    return sa.Column(
        name, sa.BigInteger, sa.ForeignKey("genes.id", ondelete=ondelete), nullable=nullable
    )


def upgrade() -> None:
    op.create_table(
        "genes",
        _pk(),
        sa.Column("hgnc_id", sa.String(50), unique=True),
        sa.Column("approved_symbol", sa.String(100), nullable=False),
        sa.Column("aliases", ARRAY(sa.Text)),
        *_timestamps(),
    )
    op.create_index("idx_genes_approved_symbol", "genes", ["approved_symbol"])

    op.create_table(
        "gene_evidence",
        _pk(),
        _gene_fk(),
        sa.Column("source_name", sa.String(100), nullable=False),
        sa.Column("source_detail", sa.String(255)),
        sa.Column("evidence_data", JSONB, nullable=False),
        sa.Column("evidence_date", sa.Date),
        *_timestamps(),
        sa.UniqueConstraint(
            "gene_id", "source_name", "source_detail", name="gene_evidence_source_idx"
        ),
    )
    op.create_index("idx_gene_evidence_gene_id", "gene_evidence", ["gene_id"])
    op.create_index("idx_gene_evidence_source_name", "gene_evidence", ["source_name"])

    op.create_table(
        "gene_annotations",
        _pk(),
        _gene_fk(),
        sa.Column("source", sa.String(50), nullable=False),
        sa.Column("version", sa.String(20)),
        sa.Column("annotations", JSONB),
        sa.Column("source_metadata", JSONB),
        *_timestamps(),
        sa.UniqueConstraint("gene_id", "source", "version", name="unique_gene_source_version"),
    )
    op.create_index("idx_gene_annotations_gene_id", "gene_annotations", ["gene_id"])
    op.create_index("idx_gene_annotations_source", "gene_annotations", ["source"])
    op.create_index(
        "idx_gene_annotations_annotations",
        "gene_annotations",
        ["annotations"],
        postgresql_using="gin",
    )

    annotation_sources = op.create_table(
        "annotation_sources",
        _pk(),
        sa.Column("source_name", sa.Text, nullable=False, unique=True),
        sa.Column("display_name", sa.Text),
        sa.Column("version", sa.Text),
        sa.Column("description", sa.Text),
        sa.Column("url", sa.Text),
        sa.Column("base_url", sa.Text),
        sa.Column("is_active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("priority", sa.Integer, nullable=False, server_default="0"),
        sa.Column("update_frequency", sa.Text),
        sa.Column("last_update", sa.DateTime(timezone=True)),
        sa.Column("next_update", sa.DateTime(timezone=True)),
        sa.Column("config", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
        *_timestamps(),
    )

    op.create_table(
        "annotation_history",
        _pk(),
        _gene_fk(),
        sa.Column("source", sa.String(50), nullable=False),
        sa.Column("operation", sa.String(20), nullable=False),
        sa.Column("old_data", JSONB),
        sa.Column("new_data", JSONB),
        sa.Column("changed_by", sa.String(100)),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        sa.Column("change_reason", sa.Text),
    )
    op.create_index(
        "idx_annotation_history_gene_source", "annotation_history", ["gene_id", "source"]
    )

    op.create_table(
        "gene_curations",
        _pk(),
        sa.Column(
            "gene_id",
            sa.BigInteger,
            sa.ForeignKey("genes.id", ondelete="CASCADE"),
            nullable=False,
            unique=True,
        ),
        sa.Column("evidence_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("source_count", sa.Integer, nullable=False, server_default="0"),
        *(
            sa.Column(name, ARRAY(sa.Text))
            for name in (
                "panelapp_panels",
                "literature_refs",
                "diagnostic_panels",
                "hpo_terms",
                "pubtator_pmids",
            )
        ),
        *(
            sa.Column(name, JSONB)
            for name in ("omim_data", "clinvar_data", "constraint_scores", "expression_data")
        ),
        sa.Column("evidence_score", sa.Float),
        sa.Column("classification", sa.String(50)),
        *_timestamps(),
    )

    op.create_table(
        "gene_normalization_staging",
        _pk(),
        sa.Column("original_text", sa.Text, nullable=False),
        sa.Column("source_name", sa.String(100), nullable=False),
        sa.Column("original_data", JSONB),
        sa.Column("normalization_log", JSONB),
        sa.Column("status", sa.String(50), nullable=False, server_default="pending_review"),
        sa.Column("priority_score", sa.Integer, nullable=False, server_default="0"),
        sa.Column("requires_expert_review", sa.Boolean, nullable=False, server_default=sa.false()),
        _gene_fk("SET NULL", nullable=True, name="resolved_gene_id"),
        sa.Column("resolution_method", sa.String(50)),
        sa.Column("reviewed_by", sa.String(100)),
        sa.Column("reviewed_at", sa.DateTime(timezone=True)),
        *_timestamps(),
    )
    op.create_index("idx_staging_status", "gene_normalization_staging", ["status"])

    op.create_table(
        "gene_normalization_log",
        _pk(),
        sa.Column("original_text", sa.Text, nullable=False),
        sa.Column("source_name", sa.String(100), nullable=False),
        sa.Column("success", sa.Boolean, nullable=False),
        sa.Column("approved_symbol", sa.String(100)),
        sa.Column("hgnc_id", sa.String(50)),
        sa.Column("normalization_log", JSONB),
        _gene_fk("SET NULL", nullable=True, name="final_gene_id"),
        sa.Column(
            "staging_id",
            sa.BigInteger,
            sa.ForeignKey("gene_normalization_staging.id", ondelete="SET NULL"),
        ),
        sa.Column("api_calls_made", sa.Integer, nullable=False, server_default="0"),
        sa.Column("processing_time_ms", sa.Integer),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
    )
    op.create_index("idx_normalization_log_source", "gene_normalization_log", ["source_name"])

    op.create_table(
        "pipeline_runs",
        _pk(),
        sa.Column("dagster_run_id", sa.String(64), unique=True),
        sa.Column("job_name", sa.String(100)),
        sa.Column("status", sa.String(50), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        sa.Column("completed_at", sa.DateTime(timezone=True)),
        sa.Column("stats", JSONB),
        sa.Column("error_log", sa.Text),
    )

    source_status = sa.Enum(
        "idle", "running", "completed", "failed", "paused", name="source_status"
    )
    op.create_table(
        "data_source_progress",
        _pk(),
        sa.Column("source_name", sa.String(100), nullable=False, unique=True),
        sa.Column("status", source_status, nullable=False, server_default="idle"),
        *(
            sa.Column(name, sa.Integer)
            for name in ("current_page", "total_pages", "current_item", "total_items")
        ),
        *(
            sa.Column(name, sa.Integer, nullable=False, server_default="0")
            for name in ("items_processed", "items_added", "items_updated", "items_failed")
        ),
        sa.Column("progress_percentage", sa.Float, nullable=False, server_default="0"),
        sa.Column("metadata", JSONB),
        sa.Column("current_operation", sa.Text),
        sa.Column("error_message", sa.Text),
        *(
            sa.Column(name, sa.DateTime(timezone=True))
            for name in (
                "last_error_at",
                "started_at",
                "completed_at",
                "last_update_at",
                "estimated_completion",
            )
        ),
        sa.Column("last_successful_item", sa.Text),
        sa.Column("rate_limit_remaining", sa.Integer),
        sa.Column("rate_limit_reset", sa.DateTime(timezone=True)),
        *_timestamps(),
    )

    static_sources = op.create_table(
        "static_sources",
        _pk(),
        sa.Column("source_type", sa.String(50), nullable=False),
        sa.Column("source_name", sa.String(100), nullable=False, unique=True),
        sa.Column("display_name", sa.String(255)),
        sa.Column("description", sa.Text),
        sa.Column("source_metadata", JSONB),
        sa.Column("scoring_metadata", JSONB),
        sa.Column("is_active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("created_by", sa.String(100)),
        *_timestamps(),
    )

    op.create_table(
        "static_evidence_uploads",
        _pk(),
        sa.Column(
            "source_id",
            sa.BigInteger,
            sa.ForeignKey("static_sources.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("file_path", sa.Text),
        sa.Column("evidence_name", sa.String(255)),
        sa.Column("file_hash", sa.String(64), nullable=False),
        sa.Column("original_filename", sa.String(255)),
        sa.Column("content_type", sa.String(100)),
        sa.Column("upload_status", sa.String(50), nullable=False, server_default="pending"),
        sa.Column("processing_log", JSONB),
        *(
            sa.Column(name, sa.Integer, nullable=False, server_default="0")
            for name in ("gene_count", "genes_normalized", "genes_failed", "genes_staged")
        ),
        sa.Column("upload_metadata", JSONB),
        sa.Column("uploaded_by", sa.String(100)),
        sa.Column("processed_at", sa.DateTime(timezone=True)),
        *_timestamps(),
    )
    op.create_index(
        "idx_static_uploads_source_hash", "static_evidence_uploads", ["source_id", "file_hash"]
    )

    op.create_table(
        "static_source_audit",
        _pk(),
        sa.Column(
            "source_id",
            sa.BigInteger,
            sa.ForeignKey("static_sources.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "upload_id",
            sa.BigInteger,
            sa.ForeignKey("static_evidence_uploads.id", ondelete="SET NULL"),
        ),
        sa.Column("action", sa.String(50), nullable=False),
        sa.Column("details", JSONB),
        sa.Column("performed_by", sa.String(100)),
        sa.Column("performed_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
    )

    op.create_table(
        "cache_entries",
        _pk(),
        sa.Column("cache_key", sa.Text, nullable=False),
        sa.Column("namespace", sa.String(100), nullable=False),
        sa.Column("data", JSONB),
        sa.Column("data_size", sa.Integer),
        sa.Column("access_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("metadata", JSONB),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        sa.Column("expires_at", sa.DateTime(timezone=True)),
        sa.Column("last_accessed", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("cache_key", name="uq_cache_entries_cache_key"),
    )
    op.create_index("idx_cache_entries_namespace", "cache_entries", ["namespace"])
    op.create_index("idx_cache_entries_expires_at", "cache_entries", ["expires_at"])

    op.bulk_insert(
        annotation_sources,
        [
            {
                "source_name": name,
                "display_name": display,
                "version": version,
                "base_url": base_url,
                "url": base_url,
                "priority": priority,
                "description": description,
                "update_frequency": "quarterly",
                "is_active": True,
                "config": {},
            }
            for name, display, version, base_url, priority, description in ANNOTATION_SOURCES
        ],
    )
    op.bulk_insert(
        static_sources,
        [
            {
                "source_type": "hybrid",
                "source_name": name,
                "display_name": display,
                "description": description,
                "source_metadata": {},
                "scoring_metadata": {"type": "count_based", "weight": 1.0},
                "is_active": True,
                "created_by": "migration",
            }
            for name, display, description in STATIC_SOURCES
        ],
    )


# Dependents first.
TABLES = (
    "cache_entries",
    "static_source_audit",
    "static_evidence_uploads",
    "static_sources",
    "data_source_progress",
    "pipeline_runs",
    "gene_normalization_log",
    "gene_normalization_staging",
    "gene_curations",
    "annotation_history",
    "annotation_sources",
    "gene_annotations",
    "gene_evidence",
    "genes",
)


def _names(seeds: list[tuple]) -> str:
    return ", ".join(f"'{seed[0]}'" for seed in seeds)


def downgrade() -> None:
    # The seed rows are this migration's own; every other row is data.
    seeded = {
        "annotation_sources": f"source_name NOT IN ({_names(ANNOTATION_SOURCES)})",
        "static_sources": f"source_name NOT IN ({_names(STATIC_SOURCES)})",
    }
    refuse_data_loss(
        f"downgrading {revision} to base",
        [rows(table, seeded.get(table)) for table in reversed(TABLES)],
    )
    for table in TABLES:
        op.drop_table(table)
    sa.Enum(name="source_status").drop(op.get_bind(), checkfirst=True)
