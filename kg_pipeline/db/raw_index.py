"""Which raw version of each source is the latest good one, kept in `cache_entries`.

One row per source: namespace = the source's name (never a number), key `raw:<source>:latest`,
data = the version's manifest. A failed download never reaches this table, so the previous
version stays the latest good one.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from kg_pipeline.db.models import CacheEntry
from kg_pipeline.raw_files import RawVersion


def latest_key(source: str) -> str:
    return f"raw:{source}:latest"


def latest_raw_version(conn: sa.Connection, source: str) -> RawVersion | None:
    data = conn.execute(
        sa.select(CacheEntry.data).where(CacheEntry.cache_key == latest_key(source))
    ).scalar()
    return RawVersion.from_json(data) if data else None


def record_raw_version(conn: sa.Connection, version: RawVersion) -> None:
    manifest = version.to_json()
    statement = insert(CacheEntry).values(
        cache_key=latest_key(version.source),
        namespace=version.source,
        data=manifest,
        data_size=version.size,
        metadata_={"kind": "raw_version", "sha256": version.sha256},
    )
    conn.execute(
        statement.on_conflict_do_update(
            constraint="uq_cache_entries_cache_key",
            set_={
                "data": statement.excluded.data,
                "data_size": statement.excluded.data_size,
                "metadata": statement.excluded["metadata"],
                "created_at": sa.func.now(),
            },
        )
    )


def raw_origins(conn: sa.Connection) -> dict[str, str]:
    """Each source's latest raw version's origin (`live`, `manual`, or a snapshot file origin
    such as `synthetic`), by source key."""
    rows = conn.execute(
        sa.select(CacheEntry.namespace, CacheEntry.data["details"]).where(
            CacheEntry.cache_key.like("raw:%:latest")
        )
    ).all()
    return {
        source: (details or {}).get("origin") or (details or {}).get("mode") or "unknown"
        for source, details in sorted(rows)
    }
