"""Crash safety of the assets that write the gene database: what each consumed is recorded in
the transaction of its write (`recorded_write`), and a raw asset whose bytes did not change
still materialises while an asset after it in the run is behind (`behind_in_run`).

So a run killed anywhere, between a raw download and its load or between a load and the genes,
scores or summary derived from it, is finished by the next run of the same job: nothing is
reported "unchanged" while a table lags behind its inputs. The records themselves are
`kg_pipeline.db.consumption`.
"""

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import dagster as dg
import sqlalchemy as sa

from kg_pipeline.db.consumption import behind, current_tokens, lock_consumer, record_consumed
from kg_pipeline.db.crash_point import crash_point
from kg_pipeline.db.database import GeneDatabase

# The HGNC reference is the latest raw HGNC version, parsed; it has no table of its own.
_READ_AS = {"hgnc_reference": "raw_hgnc"}


def _inputs(context: dg.AssetExecutionContext) -> list[str]:
    """The asset's inputs in the graph, as the assets whose tokens describe them."""
    parents = context.assets_def.asset_deps[context.asset_key]
    names = {key.to_user_string() for key in parents} - {"database_schema"}
    return sorted({_READ_AS.get(name, name) for name in names})


@contextmanager
def recorded_write(
    context: dg.AssetExecutionContext,
    gene_db: GeneDatabase,
    *,
    namespace: str,
    read: Mapping[str, str] | None = None,
) -> Iterator[sa.Connection]:
    """The asset's write transaction: writers of the same asset wait for each other, and what
    the asset consumed is recorded before the commit. `read`: the raw versions (sha256 by raw
    asset) a load actually read, which may be older than the latest by the time it commits;
    every other input is recorded as it is now."""
    asset = context.asset_key.to_user_string()
    read = dict(read or {})
    crash_point(f"{asset}:before_transaction")
    with gene_db.begin() as conn:
        lock_consumer(conn, asset)
        yield conn
        crash_point(f"{asset}:inside_transaction")
        tokens = current_tokens(conn, [name for name in _inputs(context) if name not in read])
        record_consumed(conn, asset, namespace, {**tokens, **read})
        crash_point(f"{asset}:before_commit")
    crash_point(f"{asset}:after_commit")


def behind_in_run(context: dg.AssetExecutionContext, gene_db: GeneDatabase) -> dict[str, str]:
    """The database-writing assets after this one in the run's selection that are behind their
    inputs (never completed, or an input changed since), with the reason."""
    layer = context.job_def.asset_layer
    graph, selected = layer.asset_graph, layer.selected_asset_keys
    seen: set[dg.AssetKey] = set()
    stack = [context.asset_key]
    while stack:
        for child in graph.get(stack.pop()).child_keys:
            if child in selected and child not in seen:
                seen.add(child)
                stack.append(child)
    writers = [key.to_user_string() for key in seen if "postgres" in graph.get(key).kinds]
    with gene_db.engine.connect() as conn:
        return behind(conn, writers)
