"""Annotation assets: one per annotation source, all built by `annotation_asset`.

read the source's latest good raw files → annotate our genes (pure, streaming where the file is
large: `kg_pipeline.sources.<source>`) → validate (rows, floor against the previous load) → in
ONE transaction swap the source's `gene_annotations` rows and update its `annotation_sources`
row. A failure before the commit keeps the previous annotations.
"""

from collections.abc import Callable
from types import ModuleType
from typing import Any

import dagster as dg
import pandas as pd
import sqlalchemy as sa

from kg_pipeline.db.annotations import (
    mark_source_failed,
    mark_source_updated,
    previous_annotation_count,
    swap_source_annotations,
)
from kg_pipeline.db.database import GeneDatabase
from kg_pipeline.db.progress import track_source
from kg_pipeline.defs.hgnc.reference import load_hgnc_reference
from kg_pipeline.defs.raw import RawFileStore
from kg_pipeline.defs.schema.assets import database_schema
from kg_pipeline.settings import get_settings
from kg_pipeline.sources.annotations import ParsedAnnotations
from kg_pipeline.sources.records import reject_samples

ExtraArguments = Callable[[GeneDatabase, RawFileStore], dict[str, Any]]


class AnnotationLoadError(RuntimeError):
    """The parsed annotations are not a complete load; the previous rows stay."""


def gene_frame(gene_db: GeneDatabase, raw_store: RawFileStore) -> pd.DataFrame:
    """Our genes with the identifiers annotation files are matched on (from HGNC)."""
    with gene_db.engine.connect() as conn:
        genes = pd.DataFrame(
            conn.execute(
                sa.text("SELECT id AS gene_id, hgnc_id, approved_symbol FROM genes")
            ).all(),
            columns=["gene_id", "hgnc_id", "approved_symbol"],
        )
    ids = (
        load_hgnc_reference(gene_db, raw_store)
        .complete_set[["hgnc_id", "entrez_id", "ensembl_gene_id"]]
        .drop_duplicates("hgnc_id")
    )
    return genes.merge(ids, on="hgnc_id", how="left")


def annotation_asset(
    source: str,
    parser: ModuleType,
    raw_asset: dg.AssetsDefinition,
    description: str,
    *,
    coverage_floor: float,
    extra_deps: tuple[Any, ...] = (),
    extra_arguments: ExtraArguments | None = None,
) -> dg.AssetsDefinition:
    """The `<source>_annotations` asset; `coverage_floor` is its check's minimum rows / genes."""
    annotate: Callable[..., ParsedAnnotations] = parser.annotate
    raw_source = raw_asset.key.path[-1].removeprefix("raw_")
    name = f"{source}_annotations"

    @dg.asset(
        name=name,
        group_name="annotation",
        kinds={"python", "postgres"},
        deps=[raw_asset, "genes", database_schema, *extra_deps],
        pool="gene_db_writer",
        description=description,
        check_specs=[
            dg.AssetCheckSpec(
                "coverage_above_floor",
                asset=name,
                description=f"At least {coverage_floor:.0%} of the genes are annotated.",
            )
        ],
    )
    def _annotations(
        context: dg.AssetExecutionContext, gene_db: GeneDatabase, raw_store: RawFileStore
    ) -> dg.MaterializeResult:
        gene_db.require_schema_at_head()
        try:
            with track_source(gene_db.engine, source, "loading annotations") as progress:
                version, files = raw_store.latest(gene_db, raw_source)
                genes = gene_frame(gene_db, raw_store)
                extra = extra_arguments(gene_db, raw_store) if extra_arguments else {}
                parsed = annotate(files, genes, **extra)

                settings = get_settings()
                with gene_db.engine.connect() as conn:
                    previous = previous_annotation_count(conn, source)
                floor = int(previous * settings.evidence_floor_ratio)
                if parsed.rows.empty or len(parsed.rows) < floor:
                    raise AnnotationLoadError(
                        f"{source}: the new load annotates {len(parsed.rows)} genes, below the "
                        f"floor of {floor} ({settings.evidence_floor_ratio:.0%} of the "
                        f"{previous} before); nothing was written and the previous annotations "
                        f"stay. Check raw_{raw_source}"
                    )
                release = parsed.version or version.release
                with gene_db.begin() as conn:
                    swap = swap_source_annotations(
                        conn,
                        source,
                        release,
                        parsed.rows,
                        {"raw_sha256": version.sha256, "retrieved_at": version.fetched_at},
                    )
                    mark_source_updated(conn, source, release, swap.rows)
                progress.processed = int(parsed.stats.get("rows_read", swap.rows))
                progress.added = swap.inserted
                progress.updated = swap.updated
                progress.failed = sum(parsed.rejects_by_reason().values())
                progress.metadata = {"raw_sha256": version.sha256, "version": release}
        except Exception as exc:
            mark_source_failed(gene_db.engine, source, str(exc).strip().splitlines()[0])
            raise

        coverage = swap.rows / len(genes) if len(genes) else 0.0
        context.log.info(
            "%s: %d of %d genes annotated (%.1f%%); %d new, %d updated, %d unchanged, "
            "%d removed; %d rows rejected",
            source,
            swap.rows,
            len(genes),
            100 * coverage,
            swap.inserted,
            swap.updated,
            swap.unchanged,
            swap.removed,
            progress.failed,
        )
        return dg.MaterializeResult(
            metadata={
                "dagster/row_count": swap.rows,
                "dagster/table_name": "gene_annotations",
                "source": source,
                "genes": len(genes),
                "coverage": round(coverage, 4),
                "inserted": swap.inserted,
                "updated": swap.updated,
                "unchanged": swap.unchanged,
                "removed": swap.removed,
                "previous_rows": previous,
                "version": release or "not stated",
                "raw_sha256": version.sha256,
                "rejected_by_reason": dg.MetadataValue.json(parsed.rejects_by_reason()),
                "rejected_samples": dg.MetadataValue.json(reject_samples(parsed.rejects)),
                "skipped_by_reason": dg.MetadataValue.json(parsed.skipped_by_reason()),
                "parser_stats": dg.MetadataValue.json(parsed.stats),
            },
            check_results=[
                dg.AssetCheckResult(
                    check_name="coverage_above_floor",
                    passed=coverage >= coverage_floor,
                    severity=dg.AssetCheckSeverity.WARN,
                    metadata={"coverage": round(coverage, 4), "floor": coverage_floor},
                )
            ],
        )

    return _annotations
