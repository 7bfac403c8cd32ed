"""Data releases: `data_releases` lists every release written under `$KG_DATA_DIR/releases`.

One row per release directory (`kg_pipeline/releases`): its CalVer version, status (`draft`
until `kg-pipeline release publish`, then `published`), dates, counts, origin, the schema
revision and code version it was made with, the sha256 of each of its files and the path. The
column names follow upstream's `data_releases` where they mean the same (`version`,
`release_date`, `status`, `published_at`, `gene_count`, `total_evidence_count`,
`export_file_path`, `export_checksum`, `release_notes`).

A published row is immutable: triggers refuse to update, delete or truncate it, whoever asks,
so the listing of a cited release cannot drift from its files (dropping the schema, as the
rebuild does, is not refused: the release directories are listed again from disk).

Revision ID: 004_data_releases
Revises: 003_upstream_api_parity
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from kg_pipeline.db.migration_guard import refuse_data_loss, rows

revision: str = "004_data_releases"
down_revision: str | None = "003_upstream_api_parity"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

IMMUTABLE_FUNCTION = """
CREATE FUNCTION data_releases_published_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        IF EXISTS (SELECT 1 FROM data_releases WHERE status = 'published') THEN
            RAISE EXCEPTION 'data_releases lists published releases: their rows are never deleted'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NULL;
    END IF;
    IF OLD.status = 'published' THEN
        RAISE EXCEPTION 'data release % is published: its row is never changed or deleted',
            OLD.version USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END
$$
"""

IMMUTABLE_TRIGGERS = (
    "CREATE TRIGGER data_releases_immutable BEFORE UPDATE OR DELETE ON data_releases "
    "FOR EACH ROW EXECUTE FUNCTION data_releases_published_immutable()",
    "CREATE TRIGGER data_releases_not_truncated BEFORE TRUNCATE ON data_releases "
    "FOR EACH STATEMENT EXECUTE FUNCTION data_releases_published_immutable()",
)


def _timestamp(name: str) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now())


def upgrade() -> None:
    op.create_table(
        "data_releases",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("version", sa.String(20), nullable=False, unique=True),
        sa.Column("status", sa.String(20), nullable=False, server_default="draft"),
        sa.Column("release_date", sa.Date, nullable=False),
        _timestamp("created_at"),
        sa.Column("published_at", sa.DateTime(timezone=True)),
        sa.Column("previous_version", sa.String(20)),
        sa.Column("gene_count", sa.Integer, nullable=False),
        sa.Column("total_evidence_count", sa.Integer, nullable=False),
        sa.Column("annotation_count", sa.Integer, nullable=False),
        sa.Column("counts", JSONB, nullable=False),
        sa.Column("origin", sa.Text, nullable=False),
        sa.Column("schema_revision", sa.String(64), nullable=False),
        sa.Column("code_version", sa.String(64), nullable=False),
        sa.Column("export_file_path", sa.Text, nullable=False),
        sa.Column("export_checksum", sa.String(64), nullable=False),
        sa.Column("checksums", JSONB, nullable=False),
        sa.Column("release_notes", sa.Text),
        sa.CheckConstraint("status IN ('draft', 'published')", name="ck_data_releases_status"),
    )
    op.execute(IMMUTABLE_FUNCTION)
    for trigger in IMMUTABLE_TRIGGERS:
        op.execute(trigger)


def downgrade() -> None:
    # The release files stay under $KG_DATA_DIR/releases; the rows are their listing, and a
    # published release's row is a record of what was cited: never dropped silently.
    refuse_data_loss(f"downgrading {revision} to {down_revision}", [rows("data_releases")])
    op.drop_table("data_releases")
    op.execute("DROP FUNCTION data_releases_published_immutable()")
