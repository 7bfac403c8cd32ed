"""Annotation assets: `<name>_annotations` for every registry source with an annotation load.

read the source's latest good raw files → annotate our genes (the source's parser, streaming
where the file is large) → refuse an empty load or one below the floor of the previous load → in
ONE transaction swap the source's `gene_annotations` rows, update its `annotation_sources`
row and record the raw versions read (`recorded_write`). A failure before the commit keeps the
previous annotations and records the error.
"""

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
from kg_pipeline.defs.consumption import recorded_write
from kg_pipeline.defs.metadata import table_result
from kg_pipeline.defs.resources import HgncReferenceCache, LoadPolicy, RawFileStore
from kg_pipeline.sources.hgnc.reference import HgncReference
from kg_pipeline.sources.records import reject_nul_rows, reject_samples
from kg_pipeline.sources.registry import ANNOTATION_LOADS
from kg_pipeline.sources.spec import AnnotationInput, AnnotationLoad, Source


def gene_frame(gene_db: GeneDatabase, reference: HgncReference) -> pd.DataFrame:
    """Our genes with the identifiers annotation files are matched on and their location
    (from HGNC)."""
    with gene_db.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT id, hgnc_id, approved_symbol FROM genes")).all()
    # Plain tuples: pandas inspects SQLAlchemy rows value by value (10x slower for 5,000 genes).
    genes = pd.DataFrame(
        [tuple(row) for row in rows], columns=["gene_id", "hgnc_id", "approved_symbol"]
    )
    return genes.merge(reference.identifiers(), on="hgnc_id", how="left")


def gene_score_percentages(gene_db: GeneDatabase) -> dict[int, float]:
    """Each scored gene's percentage score (what weights STRING's interactions)."""
    with gene_db.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT gene_id, percentage_score FROM gene_scores")).all()
    return {int(gene_id): float(score) for gene_id, score in rows}


def _inputs(
    wanted: tuple[AnnotationInput, ...], gene_db: GeneDatabase, reference: HgncReference
) -> dict[str, Any]:
    providers = {
        "complete_set": lambda: reference.parsed,
        "scores": lambda: gene_score_percentages(gene_db),
    }
    return {name: providers[name]() for name in wanted}


def annotation_asset(source: Source, load: AnnotationLoad) -> dg.AssetsDefinition:
    """The `<name>_annotations` asset of a registry entry's annotation load."""
    name = f"{load.name}_annotations"
    extra_deps = ["gene_scores"] if "scores" in load.inputs else []

    @dg.asset(
        name=name,
        group_name="annotation",
        kinds={"python", "postgres"},
        deps=[source.raw_asset, "genes", "database_schema", *extra_deps],
        pool="gene_db_writer",
        description=load.description,
        check_specs=[
            dg.AssetCheckSpec(
                "coverage_above_floor",
                asset=name,
                description=f"At least {load.coverage_floor:.0%} of the genes are annotated.",
            ),
            *(
                dg.AssetCheckSpec(check.name, asset=name, description=check.description)
                for check in load.stat_checks
            ),
        ],
    )
    def _annotations(
        context: dg.AssetExecutionContext,
        gene_db: GeneDatabase,
        raw_store: RawFileStore,
        hgnc: HgncReferenceCache,
        load_policy: LoadPolicy,
    ) -> dg.MaterializeResult:
        gene_db.require_schema_at_head()
        try:
            with track_source(gene_db.engine, load.name, "loading annotations") as progress:
                version, files = raw_store.latest(gene_db, source.key)
                reference = hgnc.reference()
                genes = gene_frame(gene_db, reference)
                inputs = _inputs(load.inputs, gene_db, reference)
                # Parsers reject the lines holding a NUL byte where they read lines; this
                # catches one that reached a record another way (a header, an ontology name).
                parsed = reject_nul_rows(load.annotator.annotate(files, genes, **inputs))
                # Read before the swap: a stat the parser does not report fails the load.
                checked_stats = {c.stat: parsed.stats[c.stat] for c in load.stat_checks}
                with gene_db.engine.connect() as conn:
                    previous = previous_annotation_count(conn, load.name)
                load_policy.require_complete(
                    load.name,
                    len(parsed.rows),
                    previous,
                    annotation=True,
                    raw_asset=source.raw_asset,
                )
                release = parsed.release or version.release
                read = {"raw_hgnc": reference.version.sha256, source.raw_asset: version.sha256}
                with recorded_write(context, gene_db, namespace=source.key, read=read) as conn:
                    swap = swap_source_annotations(
                        conn,
                        load.name,
                        release,
                        parsed.rows,
                        {"raw_sha256": version.sha256, "retrieved_at": version.fetched_at},
                    )
                    mark_source_updated(conn, load.name, release, swap.rows)
                progress.processed = int(parsed.stats.get("rows_read", swap.rows))
                progress.added = swap.inserted
                progress.updated = swap.updated
                progress.failed = sum(parsed.rejects_by_reason().values())
                progress.metadata = {"raw_sha256": version.sha256, "version": release}
        except Exception as exc:
            mark_source_failed(gene_db.engine, load.name, str(exc).strip().splitlines()[0])
            raise

        coverage = swap.rows / len(genes) if len(genes) else 0.0
        context.log.info(
            "%s: %d of %d genes annotated (%.1f%%); %d new, %d updated, %d unchanged, "
            "%d removed; %d rows rejected",
            load.name,
            swap.rows,
            len(genes),
            100 * coverage,
            swap.inserted,
            swap.updated,
            swap.unchanged,
            swap.removed,
            progress.failed,
        )
        return table_result(
            "gene_annotations",
            swap.rows,
            {
                "source": load.name,
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
                **checked_stats,
            },
            check_results=[
                dg.AssetCheckResult(
                    check_name="coverage_above_floor",
                    passed=coverage >= load.coverage_floor,
                    severity=dg.AssetCheckSeverity.WARN,
                    metadata={"coverage": round(coverage, 4), "floor": load.coverage_floor},
                ),
                *(
                    dg.AssetCheckResult(
                        check_name=check.name,
                        passed=checked_stats[check.stat] >= check.minimum,
                        severity=dg.AssetCheckSeverity.WARN,
                        metadata={check.stat: checked_stats[check.stat], "minimum": check.minimum},
                    )
                    for check in load.stat_checks
                ),
            ],
        )

    return _annotations


annotation_assets = [annotation_asset(source, load) for source, load in ANNOTATION_LOADS]
