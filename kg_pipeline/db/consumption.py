"""What each database-writing asset last consumed, kept in `cache_entries` beside the raw index.

A load records the raw versions (sha256) it read, and a derived table (genes, scores, the
annotation summary) the tokens of the loads it read, in the SAME transaction as its write. A
record's token is the sha256 of its inputs, so an asset whose inputs did not change keeps its
token and its own consumers stay current. An asset is behind when one of its inputs' current
token differs from what it recorded, or when it has never recorded anything: a run killed
between a raw download and its load, or between a load and the tables derived from it, leaves
exactly that state, and the next run sees it (see `raw_asset`).

Rows: key `consumed:<asset>`, namespace the asset's source (or `pipeline` for derived tables),
data `{"inputs": {input asset: token}, "token": ...}`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from kg_pipeline.db.models import CacheEntry
from kg_pipeline.db.raw_index import latest_key

DERIVED_NAMESPACE = "pipeline"
"""The namespace of the records of tables derived from several sources (genes, scores)."""


def consumed_key(asset: str) -> str:
    return f"consumed:{asset}"


def _token(inputs: Mapping[str, str | None]) -> str:
    return hashlib.sha256(json.dumps(dict(inputs), sort_keys=True).encode()).hexdigest()


def lock_consumer(conn: sa.Connection, asset: str) -> None:
    """Serialise writers of one asset until the caller's transaction ends: two runs swapping the
    same rows at once would otherwise interleave their deletes and inserts."""
    conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": asset})


def record_consumed(
    conn: sa.Connection, asset: str, namespace: str, inputs: Mapping[str, str | None]
) -> None:
    """Record, in the caller's transaction, what `asset` was computed from."""
    data = {"inputs": dict(sorted(inputs.items())), "token": _token(inputs)}
    statement = insert(CacheEntry).values(
        cache_key=consumed_key(asset),
        namespace=namespace,
        data=data,
        data_size=len(json.dumps(data)),
        metadata_={"kind": "consumed", "asset": asset},
    )
    conn.execute(
        statement.on_conflict_do_update(
            constraint="uq_cache_entries_cache_key",
            set_={"data": statement.excluded.data, "created_at": sa.func.now()},
        )
    )


def current_tokens(conn: sa.Connection, inputs: Iterable[str]) -> dict[str, str | None]:
    """The token each input has now: a raw asset's (`raw_<source>`) latest good sha256, any
    other asset's recorded token (None when it has none)."""
    wanted = sorted(set(inputs))
    keys = {
        name: latest_key(name.removeprefix("raw_"))
        if name.startswith("raw_")
        else consumed_key(name)
        for name in wanted
    }
    rows = dict(
        conn.execute(
            sa.select(CacheEntry.cache_key, CacheEntry.data).where(
                CacheEntry.cache_key.in_(keys.values())
            )
        ).all()
    )
    tokens: dict[str, str | None] = {}
    for name, key in keys.items():
        data = rows.get(key) or {}
        tokens[name] = data.get("sha256") if name.startswith("raw_") else data.get("token")
    return tokens


def behind(conn: sa.Connection, assets: Iterable[str]) -> dict[str, str]:
    """Of `assets`, those not computed from their inputs' current versions, with the reason."""
    names = sorted(set(assets))
    records = dict(
        conn.execute(
            sa.select(CacheEntry.cache_key, CacheEntry.data).where(
                CacheEntry.cache_key.in_([consumed_key(name) for name in names])
            )
        ).all()
    )
    recorded = {name: (records.get(consumed_key(name)) or {}).get("inputs") for name in names}
    now = current_tokens(conn, (i for inputs in recorded.values() if inputs for i in inputs))
    reasons: dict[str, str] = {}
    for name, inputs in recorded.items():
        if inputs is None:
            reasons[name] = "never completed"
            continue
        changed = sorted(i for i, token in inputs.items() if now.get(i) != token)
        if changed:
            reasons[name] = f"{', '.join(changed)} changed since it last completed"
    return reasons
