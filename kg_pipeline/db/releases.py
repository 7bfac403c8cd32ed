"""The `data_releases` table and what a release reads from the gene database.

A release's content is read in one snapshot transaction (`read_release_tables`); its row is
written once as a draft (`insert_release`) and once more when published (`publish_release`),
or deleted while still a draft (`delete_draft`).
A published row is immutable: migration 004's trigger refuses to change or delete it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
import sqlalchemy as sa

from kg_pipeline.db.models import DataRelease

GENES_SQL = """
SELECT g.hgnc_id, g.approved_symbol, s.source_count, s.raw_score::double precision AS raw_score,
       s.percentage_score::double precision AS percentage_score, s.evidence_tier,
       s.evidence_group, s.source_scores::text AS source_scores
FROM genes g LEFT JOIN gene_scores s ON s.gene_id = g.id
ORDER BY g.hgnc_id
"""

EVIDENCE_SQL = """
SELECT g.hgnc_id, g.approved_symbol, e.source_name, c.source_count,
       n.normalized_score::double precision AS normalized_score,
       e.evidence_data::text AS evidence_data
FROM gene_evidence e
JOIN genes g ON g.id = e.gene_id
LEFT JOIN evidence_source_counts c ON c.evidence_id = e.id
LEFT JOIN evidence_normalized_scores n ON n.evidence_id = e.id
ORDER BY g.hgnc_id, e.source_name
"""

ANNOTATIONS_SQL = """
SELECT hgnc_id, approved_symbol, ncbi_gene_id, ensembl_gene_id, mane_select_transcript,
       pli, oe_lof, oe_lof_lower, oe_lof_upper, lof_z, mis_z, syn_z, oe_mis, oe_syn,
       annotation_source_count, array_to_string(annotation_sources, ',') AS annotation_sources
FROM gene_annotations_summary
ORDER BY hgnc_id
"""


@dataclass(frozen=True)
class DatabaseTables:
    """The gene database's content as a release publishes it, read in one snapshot."""

    genes: pd.DataFrame
    evidence: pd.DataFrame
    annotations: pd.DataFrame


def read_release_tables(engine: sa.Engine) -> DatabaseTables:
    """Genes with scores and tiers, evidence with its per-source count and score, and the
    annotation summary, all from one REPEATABLE READ snapshot: a refresh committing meanwhile
    cannot make the three disagree."""
    connection = engine.connect().execution_options(isolation_level="REPEATABLE READ")
    with connection as conn, conn.begin():
        frames = [
            pd.read_sql_query(sa.text(sql), conn)
            for sql in (GENES_SQL, EVIDENCE_SQL, ANNOTATIONS_SQL)
        ]
    return DatabaseTables(*frames)


def release_versions(conn: sa.Connection) -> set[str]:
    return set(conn.execute(sa.select(DataRelease.version)).scalars())


def release_row(conn: sa.Connection, version: str) -> sa.Row | None:
    return conn.execute(
        sa.select(DataRelease.__table__).where(DataRelease.version == version)
    ).one_or_none()


def list_releases(conn: sa.Connection) -> list[sa.Row]:
    """Every release, oldest first."""
    return list(
        conn.execute(
            sa.select(DataRelease.__table__).order_by(DataRelease.created_at, DataRelease.id)
        ).all()
    )


def latest_published(conn: sa.Connection) -> str | None:
    """The version of the release published last, if any."""
    return conn.execute(
        sa.select(DataRelease.version)
        .where(DataRelease.status == "published")
        .order_by(DataRelease.published_at.desc(), DataRelease.id.desc())
        .limit(1)
    ).scalar()


def insert_release(conn: sa.Connection, values: Mapping[str, Any]) -> None:
    """Record a release (a new draft, or one found on disk that a rebuild's dropped schema
    forgot); a version is recorded once."""
    conn.execute(sa.insert(DataRelease).values(**values))


def delete_draft(conn: sa.Connection, version: str) -> None:
    """Forget draft `version` (migration 004's trigger refuses a published one)."""
    conn.execute(
        sa.delete(DataRelease).where(DataRelease.version == version, DataRelease.status == "draft")
    )


def publish_release(conn: sa.Connection, version: str, at: dt.datetime) -> None:
    """Mark a draft published; the row is immutable from then on."""
    conn.execute(
        sa.update(DataRelease)
        .where(DataRelease.version == version, DataRelease.status == "draft")
        .values(status="published", published_at=at)
    )
