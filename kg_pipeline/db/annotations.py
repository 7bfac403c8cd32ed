"""Writing one annotation source: its `gene_annotations` rows swapped in one transaction.

Changes to existing annotations (updates and removals) are kept in `annotation_history`; the
first load of a gene is not copied there, so a rebuild does not double the database. The
source's `annotation_sources` row gets its version, row count and next due date.
"""

from contextlib import suppress

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from kg_pipeline.db.server import DatabaseUnavailable
from kg_pipeline.db.staging import SwapCounts, stage_rows


def previous_annotation_count(conn: sa.Connection, source: str) -> int:
    return conn.execute(
        sa.text("SELECT count(*) FROM gene_annotations WHERE source = :s"), {"s": source}
    ).scalar_one()


def swap_source_annotations(
    conn: sa.Connection,
    source: str,
    version: str | None,
    rows: pd.DataFrame,
    source_metadata: dict,
) -> SwapCounts:
    """Make `rows` (gene_id, annotations) the source's complete annotation set."""
    stage = stage_rows(
        conn,
        "annotation_stage",
        [
            sa.Column("gene_id", sa.BigInteger, primary_key=True),
            sa.Column("annotations", JSONB),
        ],
        (
            {"gene_id": int(r.gene_id), "annotations": r.annotations}
            for r in rows.itertuples(index=False)
        ),
    )
    params = {"source": source, "version": (version or "")[:20] or None, "meta": source_metadata}
    conn.execute(
        sa.text(
            """
            INSERT INTO annotation_history (gene_id, source, operation, old_data, new_data,
                                            changed_by, change_reason)
            SELECT ga.gene_id, CAST(:source AS varchar),
                   CASE WHEN s.gene_id IS NULL THEN 'delete' ELSE 'update' END,
                   ga.annotations, s.annotations, 'kg-pipeline', CAST(:version AS text)
            FROM gene_annotations ga
            LEFT JOIN annotation_stage s ON s.gene_id = ga.gene_id
            WHERE ga.source = :source
              AND (s.gene_id IS NULL OR ga.annotations IS DISTINCT FROM s.annotations)
            """
        ),
        params,
    )
    removed = conn.execute(
        sa.text(
            "DELETE FROM gene_annotations ga WHERE ga.source = :source AND NOT EXISTS "
            "(SELECT 1 FROM annotation_stage s WHERE s.gene_id = ga.gene_id)"
        ),
        params,
    ).rowcount
    written = (
        conn.execute(
            sa.text(
                """
                INSERT INTO gene_annotations (gene_id, source, version, annotations,
                                              source_metadata)
                SELECT s.gene_id, CAST(:source AS varchar), CAST(:version AS varchar),
                       s.annotations, :meta
                FROM annotation_stage s JOIN genes g ON g.id = s.gene_id
                ON CONFLICT (gene_id, source) DO UPDATE
                   SET annotations = excluded.annotations, version = excluded.version,
                       source_metadata = excluded.source_metadata, updated_at = now()
                 WHERE gene_annotations.annotations IS DISTINCT FROM excluded.annotations
                    OR gene_annotations.version IS DISTINCT FROM excluded.version
                RETURNING (xmax = 0) AS inserted
                """
            ).bindparams(sa.bindparam("meta", type_=JSONB)),
            params,
        )
        .scalars()
        .all()
    )
    stage.drop(conn)
    return SwapCounts.of_upsert(len(rows), written, removed)


def mark_source_updated(conn: sa.Connection, source: str, version: str | None, rows: int) -> None:
    conn.execute(
        sa.text(
            """
            UPDATE annotation_sources
               SET version = coalesce(CAST(:version AS text), version), last_update = now(),
                   next_update = now() + make_interval(days => cache_ttl_days),
                   row_count = :rows, last_error = NULL, updated_at = now()
             WHERE source_name = :source
            """
        ),
        {"source": source, "version": version, "rows": rows},
    )


def mark_source_failed(engine: sa.Engine, source: str, error: str) -> None:
    """Record a failed load, unless the database itself is what failed (the caller re-raises
    that error; a second one from here would hide it)."""
    with suppress(sa.exc.SQLAlchemyError, DatabaseUnavailable), engine.begin() as conn:
        conn.execute(
            sa.text(
                "UPDATE annotation_sources SET last_error = :error, updated_at = now() "
                "WHERE source_name = :source"
            ),
            {"source": source, "error": error[:2000]},
        )


def refresh_annotation_summary(conn: sa.Connection) -> int:
    conn.execute(sa.text("REFRESH MATERIALIZED VIEW gene_annotations_summary"))
    return conn.execute(sa.text("SELECT count(*) FROM gene_annotations_summary")).scalar_one()
