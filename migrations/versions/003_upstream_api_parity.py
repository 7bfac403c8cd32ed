"""What the upstream web application reads and 002 lacked.

The upstream kidney-genetics-db backend (commit 678164b) answers 503 on five endpoints against
002: its models and views expect more than 002 provides. This revision adds it, schema only
(no user is seeded); `kg_pipeline_tests/db/upstream_schema.json` is the description of what
upstream declares and a test checks this schema provides all of it.

* `pipeline_runs.created_at/updated_at` (upstream's `TimestampMixin`).
* The staging review columns: `review_notes`, `manual_approved_symbol`, `manual_hgnc_id`,
  `manual_aliases`, `is_duplicate_submission`.
* `users` and `system_logs`, with upstream's columns and indexes, BIGINT identity keys.
* `gene_annotations_summary` gains `mane_select_transcript` (the MANE Select record as text,
  as upstream exposes it); `pli` keeps reading our `pli` key.
* The scoring views gain `approved_symbol` where upstream's have it.
* Upstream's views we lacked: `cache_stats`, `string_ppi_percentiles`, `admin_logs_filtered`,
  `datasource_metadata_panelapp`, `datasource_metadata_gencc`, `evidence_summary_view`,
  `gene_list_detailed`.

002's definitions are read from its module (not copied) both to extend them and to restore them
on downgrade.

Revision ID: 003_upstream_api_parity
Revises: 002_modern_complete_fixed
Create Date: 2026-11-29
"""

import re
from collections.abc import Sequence
from types import ModuleType

import sqlalchemy as sa
from alembic import context, op
from sqlalchemy.dialects.postgresql import JSONB

from kg_pipeline.db.migration_guard import refuse_data_loss, rows, values

revision: str = "003_upstream_api_parity"
down_revision: str | None = "002_modern_complete_fixed"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The scoring views upstream also exposes with the gene's symbol, in dependency order.
SYMBOL_VIEWS = (
    "evidence_classification_weights",
    "evidence_normalized_scores",
    "combined_evidence_scores",
)

# What a curator writes while reviewing a staged symbol.
REVIEW_COLUMNS = (
    "review_notes",
    "manual_approved_symbol",
    "manual_hgnc_id",
    "manual_aliases",
    "is_duplicate_submission",
)

NEW_VIEWS: list[tuple[str, str]] = [
    (
        "cache_stats",
        """
        SELECT namespace,
               count(*) AS total_entries,
               sum(COALESCE(data_size, pg_column_size(data))) AS total_size_bytes,
               sum(access_count) AS total_accesses,
               avg(access_count) AS avg_accesses,
               count(*) FILTER (WHERE expires_at IS NULL OR expires_at > now())
                   AS active_entries,
               count(*) FILTER (WHERE expires_at <= now()) AS expired_entries,
               max(last_accessed) AS last_access_time,
               min(created_at) AS oldest_entry,
               max(created_at) AS newest_entry
        FROM cache_entries
        GROUP BY namespace
        """,
    ),
    (
        # Global percentile of the STRING PPI score among genes that have one above zero.
        "string_ppi_percentiles",
        """
        SELECT ga.gene_id, g.approved_symbol,
               (ga.annotations->>'ppi_score')::double precision AS ppi_score,
               percent_rank() OVER (ORDER BY (ga.annotations->>'ppi_score')::double precision)
                   AS percentile_rank
        FROM gene_annotations ga
        JOIN genes g ON g.id = ga.gene_id
        WHERE jsonb_typeof(ga.annotations->'ppi_score') = 'number'
          AND (ga.annotations->>'ppi_score')::double precision > 0
        """,
    ),
    (
        # The API's request log: rows written by the web application's middleware.
        "admin_logs_filtered",
        """
        SELECT sl.id, sl.timestamp, sl.level, sl.logger, sl.message, sl.request_id,
               sl.user_id, u.email::text AS user_email, sl.ip_address, sl.user_agent,
               sl.path, sl.method, sl.status_code, sl.duration_ms, sl.error_type,
               sl.context->>'action' AS action,
               sl.context->>'endpoint' AS endpoint,
               CASE WHEN sl.status_code < 400 THEN 'success'
                    WHEN sl.status_code < 500 THEN 'client_error'
                    ELSE 'server_error' END AS status_category,
               sl.timestamp::date AS log_date,
               extract(hour FROM sl.timestamp)::integer AS log_hour
        FROM system_logs sl
        LEFT JOIN users u ON u.id = sl.user_id
        WHERE sl.path IS NOT NULL
        """,
    ),
    (
        "datasource_metadata_panelapp",
        """
        SELECT ge.gene_id, g.approved_symbol::text AS gene_symbol,
               ge.evidence_data->>'source' AS source_region,
               jsonb_array_length(COALESCE(ge.evidence_data->'panels', '[]'::jsonb))
                   AS panel_count,
               ge.evidence_data->'panels' AS panels,
               COALESCE((ge.evidence_data->>'confidence_level')::double precision, 0.0)
                   AS max_confidence,
               ge.evidence_data->>'moi' AS mode_of_inheritance,
               ge.created_at, ge.updated_at
        FROM gene_evidence ge
        JOIN genes g ON g.id = ge.gene_id
        WHERE ge.source_name = 'PanelApp'
        """,
    ),
    (
        "datasource_metadata_gencc",
        """
        SELECT ge.gene_id, g.approved_symbol::text AS gene_symbol,
               jsonb_array_length(COALESCE(ge.evidence_data->'classifications', '[]'::jsonb))
                   AS classification_count,
               ge.evidence_data->'classifications' AS classifications,
               ge.evidence_data->>'disease_id' AS disease_id,
               ge.evidence_data->>'disease_title' AS disease_title,
               ge.created_at, ge.updated_at
        FROM gene_evidence ge
        JOIN genes g ON g.id = ge.gene_id
        WHERE ge.source_name = 'GenCC'
        """,
    ),
    (
        "evidence_summary_view",
        """
        SELECT ge.id, ge.gene_id, g.approved_symbol, g.hgnc_id, ge.source_name,
               ge.evidence_data,
               COALESCE(ces.normalized_score, 0.0)::double precision AS normalized_score,
               gc.classification, gc.updated_at AS last_curated
        FROM gene_evidence ge
        JOIN genes g ON g.id = ge.gene_id
        LEFT JOIN combined_evidence_scores ces ON ces.evidence_id = ge.id
        LEFT JOIN gene_curations gc ON gc.gene_id = g.id
        """,
    ),
    (
        # The gene table of the web application; its coarse classification is upstream's.
        "gene_list_detailed",
        """
        SELECT g.id AS gene_id, g.hgnc_id::text AS hgnc_id,
               g.approved_symbol::text AS gene_symbol, g.aliases AS alias_symbols,
               COALESCE(gs.raw_score, 0.0)::double precision AS total_score,
               COALESCE(gs.percentage_score, 0.0)::double precision AS percentage_score,
               CASE WHEN gs.percentage_score >= 80 THEN 'High'
                    WHEN gs.percentage_score >= 50 THEN 'Medium'
                    WHEN gs.percentage_score >= 20 THEN 'Low'
                    ELSE 'Unknown' END AS classification,
               COALESCE(gs.source_count, 0) AS source_count,
               ARRAY(SELECT DISTINCT ge.source_name::text FROM gene_evidence ge
                     WHERE ge.gene_id = g.id ORDER BY 1) AS sources,
               (SELECT count(DISTINCT ga.source) FROM gene_annotations ga
                WHERE ga.gene_id = g.id)::integer AS annotation_count,
               ARRAY(SELECT DISTINCT ga.source::text FROM gene_annotations ga
                     WHERE ga.gene_id = g.id ORDER BY 1) AS annotation_sources,
               g.created_at, g.updated_at
        FROM genes g
        LEFT JOIN gene_scores gs ON gs.gene_id = g.id
        """,
    ),
]


def _revision_002() -> ModuleType:
    return context.script.get_revision("002_modern_complete_fixed").module


def _matview_body(statement: str) -> str:
    """The SELECT of a `CREATE MATERIALIZED VIEW name AS SELECT ...` statement."""
    match = re.match(r"\s*CREATE MATERIALIZED VIEW \w+ AS\s+(.*)", statement, re.S)
    assert match, statement
    return match.group(1)


def _index_definitions(relation: str) -> list[str]:
    rows = op.get_bind().execute(
        sa.text("SELECT indexdef FROM pg_indexes WHERE tablename = :name"), {"name": relation}
    )
    return list(rows.scalars())


def _recreate_annotation_summary(select: str) -> None:
    indexes = _index_definitions("gene_annotations_summary")
    op.execute("DROP MATERIALIZED VIEW gene_annotations_summary")
    op.execute(f"CREATE MATERIALIZED VIEW gene_annotations_summary AS {select}")
    for index in indexes:
        op.execute(index)


def _timestamp(name: str) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now())


def _create_users_and_logs() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("email", sa.String(255), nullable=False, unique=True),
        sa.Column("username", sa.String(50), nullable=False, unique=True),
        sa.Column("hashed_password", sa.String(255), nullable=False),
        sa.Column("full_name", sa.String(255)),
        sa.Column("role", sa.String(20), nullable=False, server_default="viewer"),
        sa.Column("permissions", JSONB),
        sa.Column("is_active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("is_verified", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("is_admin", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("last_login", sa.DateTime(timezone=True)),
        sa.Column("failed_login_attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("locked_until", sa.DateTime(timezone=True)),
        sa.Column("refresh_token", sa.Text),
        sa.Column("password_reset_token", sa.String(255)),
        sa.Column("password_reset_expires", sa.DateTime(timezone=True)),
        sa.Column("email_verification_token", sa.String(255)),
        _timestamp("created_at"),
        _timestamp("updated_at"),
    )
    op.create_index("idx_users_role", "users", ["role"])
    op.create_index("idx_users_is_active", "users", ["is_active"])
    op.create_table(
        "system_logs",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        _timestamp("timestamp"),
        sa.Column("level", sa.Text, nullable=False),
        sa.Column("logger", sa.Text, nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("context", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
        sa.Column("request_id", sa.Text),
        sa.Column("user_id", sa.BigInteger, sa.ForeignKey("users.id", ondelete="SET NULL")),
        sa.Column("ip_address", sa.Text),
        sa.Column("user_agent", sa.Text),
        sa.Column("path", sa.Text),
        sa.Column("method", sa.Text),
        sa.Column("status_code", sa.Integer),
        sa.Column("duration_ms", sa.Float),
        sa.Column("error_type", sa.Text),
        sa.Column("error_message", sa.Text),
        sa.Column("stack_trace", sa.Text),
    )
    op.create_index("idx_system_logs_timestamp_level", "system_logs", ["timestamp", "level"])
    op.create_index("idx_system_logs_logger", "system_logs", ["logger"])
    op.create_index("idx_system_logs_request_id", "system_logs", ["request_id"])
    op.create_index("idx_system_logs_user_id", "system_logs", ["user_id"])


def upgrade() -> None:
    op.add_column("pipeline_runs", _timestamp("created_at"))
    op.add_column("pipeline_runs", _timestamp("updated_at"))
    op.add_column("gene_normalization_staging", sa.Column("review_notes", sa.Text))
    op.add_column("gene_normalization_staging", sa.Column("manual_approved_symbol", sa.String(100)))
    op.add_column("gene_normalization_staging", sa.Column("manual_hgnc_id", sa.String(50)))
    op.add_column("gene_normalization_staging", sa.Column("manual_aliases", JSONB))
    op.add_column(
        "gene_normalization_staging",
        sa.Column("is_duplicate_submission", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    _create_users_and_logs()

    # New columns go last, so CREATE OR REPLACE keeps gene_scores, which reads these views.
    previous = dict(_revision_002().VIEWS)
    for name in SYMBOL_VIEWS:
        op.execute(
            f"CREATE OR REPLACE VIEW {name} AS SELECT v.*, g.approved_symbol "
            f"FROM ({previous[name]}) v JOIN genes g ON g.id = v.gene_id"
        )
    summary = _matview_body(_revision_002().GENE_ANNOTATIONS_SUMMARY)
    # `#>> '{}'` is the JSON text of the stored MANE record, as upstream's `->>` gives it.
    _recreate_annotation_summary(
        f"SELECT s.*, s.mane_select #>> '{{}}' AS mane_select_transcript FROM ({summary}) s"
    )
    for name, body in NEW_VIEWS:
        op.execute(f"CREATE VIEW {name} AS {body}")


def downgrade() -> None:
    # pipeline_runs.created_at/updated_at are not counted: they date the row itself, and the
    # run's own times stay in started_at/completed_at. The views are derived.
    refuse_data_loss(
        f"downgrading {revision} to {down_revision}",
        [
            rows("users"),
            rows("system_logs"),
            *(values("gene_normalization_staging", column) for column in REVIEW_COLUMNS[:-1]),
            values("gene_normalization_staging", REVIEW_COLUMNS[-1], REVIEW_COLUMNS[-1]),
        ],
    )
    for name, _ in reversed(NEW_VIEWS):
        op.execute(f"DROP VIEW {name}")
    revision_002 = _revision_002()
    _recreate_annotation_summary(_matview_body(revision_002.GENE_ANNOTATIONS_SUMMARY))

    # Dropping columns from a view means recreating it and what reads it: gene_scores.
    indexes = _index_definitions("gene_scores")
    op.execute("DROP MATERIALIZED VIEW gene_scores")
    previous = dict(revision_002.VIEWS)
    for name in reversed(SYMBOL_VIEWS):
        op.execute(f"DROP VIEW {name}")
    for name in SYMBOL_VIEWS:
        op.execute(f"CREATE VIEW {name} AS {previous[name]}")
    op.execute(revision_002.GENE_SCORES)
    for index in indexes:
        op.execute(index)

    op.drop_table("system_logs")
    op.drop_table("users")
    for column in reversed(REVIEW_COLUMNS):
        op.drop_column("gene_normalization_staging", column)
    op.drop_column("pipeline_runs", "updated_at")
    op.drop_column("pipeline_runs", "created_at")
