"""`data_source_progress`: each load's status and counts, for readers outside Dagster.

The upstream web app reads this table to show what the pipeline is doing. Every load wraps its
work in `track_source`: the row turns `running` when it starts, `completed` with its counts or
`failed` with the error when it ends. These writes use their own short transactions so that a
failed load, whose own transaction rolled back, is still recorded as failed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from kg_pipeline.db.server import DatabaseUnavailable


@dataclass
class SourceProgress:
    """Counts a load fills in while it runs."""

    processed: int = 0
    added: int = 0
    updated: int = 0
    failed: int = 0
    metadata: dict[str, Any] = field(default_factory=dict)


_UPSERT = sa.text(
    """
    INSERT INTO data_source_progress (source_name, status, started_at, last_update_at,
                                      current_operation, error_message)
    VALUES (:source, 'running', now(), now(), :operation, NULL)
    ON CONFLICT (source_name) DO UPDATE
       SET status = 'running', started_at = now(), last_update_at = now(),
           completed_at = NULL, current_operation = :operation, error_message = NULL,
           updated_at = now()
    """
)

_FINISH = sa.text(
    """
    UPDATE data_source_progress
       SET status = CAST(CAST(:status AS text) AS source_status), completed_at = now(),
           last_update_at = now(), updated_at = now(),
           items_processed = :processed, items_added = :added, items_updated = :updated,
           items_failed = :failed,
           progress_percentage = CASE WHEN CAST(:status AS text) = 'completed' THEN 100 ELSE
                                 progress_percentage END,
           current_operation = NULL,
           metadata = COALESCE(metadata, '{}'::jsonb) || :metadata,
           error_message = CAST(:error AS text),
           last_error_at = CASE WHEN CAST(:error AS text) IS NULL THEN last_error_at ELSE now() END
     WHERE source_name = :source
    """
).bindparams(sa.bindparam("metadata", type_=JSONB))


@contextmanager
def track_source(engine: sa.Engine, source_name: str, operation: str) -> Iterator[SourceProgress]:
    """Record a load of `source_name` as running, then completed or failed."""
    with engine.begin() as conn:
        conn.execute(_UPSERT, {"source": source_name, "operation": operation})
    progress = SourceProgress()
    try:
        yield progress
    except BaseException as exc:
        error = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:2000]
        # When the database itself failed, `exc` says so: raise that, not a second failure here.
        with suppress(sa.exc.SQLAlchemyError, DatabaseUnavailable):
            _finish(engine, source_name, "failed", progress, error)
        raise
    _finish(engine, source_name, "completed", progress, None)


def _finish(
    engine: sa.Engine, source_name: str, status: str, progress: SourceProgress, error: str | None
) -> None:
    with engine.begin() as conn:
        conn.execute(
            _FINISH,
            {
                "source": source_name,
                "status": status,
                "processed": progress.processed,
                "added": progress.added,
                "updated": progress.updated,
                "failed": progress.failed,
                "metadata": progress.metadata,
                "error": error,
            },
        )
