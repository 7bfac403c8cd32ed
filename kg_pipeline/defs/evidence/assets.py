"""Evidence assets: `<source>_evidence` for every registry source with an evidence load.

parse the latest good raw files (the source's parser) → normalise every gene text against HGNC
in one set operation → aggregate to one row per gene → refuse an empty load or one below the
floor of the previous load → in ONE transaction: create missing genes, swap the source's
`gene_evidence` rows, stage unresolved texts, log every decision, record file uploads for the
file-based sources, and record the raw versions read (`recorded_write`). A failure before the
commit keeps the previous rows.
"""

import datetime as dt

import dagster as dg

from kg_pipeline.db.database import GeneDatabase
from kg_pipeline.db.evidence import (
    ensure_genes,
    log_normalisation,
    previous_row_count,
    stage_unresolved,
    swap_source_evidence,
)
from kg_pipeline.db.progress import track_source
from kg_pipeline.db.static_sources import record_uploads
from kg_pipeline.defs.consumption import recorded_write
from kg_pipeline.defs.metadata import table_result
from kg_pipeline.defs.resources import HgncReferenceCache, LoadPolicy, RawFileStore
from kg_pipeline.sources.evidence import file_uploads, log_items, normalise, staging_items
from kg_pipeline.sources.records import reject_nul_rows, reject_samples
from kg_pipeline.sources.registry import EVIDENCE_LOADS
from kg_pipeline.sources.spec import EvidenceLoad, Source


def evidence_asset(source: Source, load: EvidenceLoad) -> dg.AssetsDefinition:
    """The `<source>_evidence` asset of a registry entry's evidence load."""
    name = f"{source.key}_evidence"

    @dg.asset(
        name=name,
        group_name="evidence",
        kinds={"python", "postgres"},
        deps=[source.raw_asset, "hgnc_reference", "database_schema"],
        pool="gene_db_writer",
        description=load.description,
        check_specs=[
            dg.AssetCheckSpec(
                "rows_within_expected",
                asset=name,
                description="The load keeps at least KG_EVIDENCE_WARN_RATIO of the previous genes "
                "(loads below KG_EVIDENCE_FLOOR_RATIO are refused outright), and the parser "
                "flagged none of the rows it kept (e.g. GenCC classifications outside the "
                "weight table, kept at weight 0).",
            )
        ],
    )
    def _evidence(
        context: dg.AssetExecutionContext,
        gene_db: GeneDatabase,
        raw_store: RawFileStore,
        hgnc: HgncReferenceCache,
        load_policy: LoadPolicy,
    ) -> dg.MaterializeResult:
        gene_db.require_schema_at_head()
        with track_source(gene_db.engine, load.name, "loading evidence") as progress:
            version, files = raw_store.latest(gene_db, source.key)
            reference = hgnc.reference()
            # A NUL byte cannot be written; its row is rejected here, for every source.
            parsed = reject_nul_rows(raw_store.parse_evidence(version, files, load.parser))
            normalised = normalise(parsed, reference.normaliser)
            evidence = load.parser.aggregate(normalised.rows)
            with gene_db.engine.connect() as conn:
                previous = previous_row_count(conn, load.name)
            floor = load_policy.require_complete(
                load.name, len(evidence), previous, annotation=False, raw_asset=source.raw_asset
            )
            uploads = file_uploads(parsed, normalised) if load.file_based else []
            read = {"raw_hgnc": reference.version.sha256, source.raw_asset: version.sha256}
            with recorded_write(context, gene_db, namespace=source.key, read=read) as conn:
                created = ensure_genes(conn, reference.gene_rows(evidence["hgnc_id"]))
                swap = swap_source_evidence(conn, load.name, evidence, dt.date.today())
                staging = stage_unresolved(
                    conn,
                    load.name,
                    staging_items(normalised.decisions, load.staging_priority),
                    normalised.resolved_texts(),
                )
                log_normalisation(conn, load.name, log_items(normalised.decisions))
                record_uploads(conn, load.name, version, uploads)
            progress.processed = len(normalised.decisions)
            progress.added = swap.inserted
            progress.updated = swap.updated
            progress.failed = len(parsed.rejects) + staging.staged_total
            progress.metadata = {"raw_sha256": version.sha256, "release": parsed.release}

        context.log.info(
            "%s: %d genes (%d new, %d updated, %d unchanged, %d removed); %d texts: %s; "
            "%d rejected rows; %d kept but flagged; %d staged (%d new)",
            load.name,
            swap.rows,
            swap.inserted,
            swap.updated,
            swap.unchanged,
            swap.removed,
            len(normalised.decisions),
            normalised.counts,
            len(parsed.rejects),
            sum(parsed.flagged.values()),
            staging.staged_total,
            staging.staged_new,
        )
        # Between the hard floor and the warning level a load is written but flagged.
        warn_level = int(previous * load_policy.evidence_warn_ratio)
        return table_result(
            "gene_evidence",
            swap.rows,
            {
                "source_name": load.name,
                "inserted": swap.inserted,
                "updated": swap.updated,
                "unchanged": swap.unchanged,
                "removed": swap.removed,
                "genes_created": created,
                "previous_rows": previous,
                "texts_by_status": dg.MetadataValue.json(normalised.counts),
                "rejected_rows": len(parsed.rejects),
                "rejected_by_reason": dg.MetadataValue.json(parsed.rejects_by_reason()),
                "rejected_samples": dg.MetadataValue.json(reject_samples(parsed.rejects)),
                "flagged_rows": dg.MetadataValue.json(parsed.flagged),
                "staged_new": staging.staged_new,
                "staged_pending": staging.staged_total,
                "auto_resolved": staging.auto_resolved,
                "parser_stats": dg.MetadataValue.json(parsed.stats),
                "release": parsed.release or version.release or "not stated",
                "raw_sha256": version.sha256,
                "hgnc_sha256": reference.version.sha256,
                "uploads": dg.MetadataValue.json(uploads),
            },
            check_results=[
                dg.AssetCheckResult(
                    check_name="rows_within_expected",
                    passed=swap.rows >= warn_level and not parsed.flagged,
                    severity=dg.AssetCheckSeverity.WARN,
                    description=_flagged_text(parsed.flagged),
                    metadata={
                        "rows": swap.rows,
                        "warn_below": warn_level,
                        "refused_below": floor,
                        "previous_rows": previous,
                        "flagged_rows": dg.MetadataValue.json(parsed.flagged),
                    },
                )
            ],
        )

    return _evidence


def _flagged_text(flagged: dict[str, int]) -> str | None:
    """The check's one-line note of the kept but flagged rows, or None when there are none."""
    if not flagged:
        return None
    listed = "; ".join(f"{count} x {reason}" for reason, count in flagged.items())
    return f"kept but flagged for review: {listed}"


evidence_assets = [evidence_asset(source, load) for source, load in EVIDENCE_LOADS]
