"""Evidence assets: one per source, all built by `evidence_asset` so they load the same way.

parse the latest good raw files (pure, `kg_pipeline.sources.<source>.parse`) → normalise every
gene text against HGNC in one set operation → aggregate to one row per gene → validate (not
empty, not below a floor of the previous load) → in ONE transaction: create missing genes, swap
the source's `gene_evidence` rows, stage unresolved texts, log every decision, record file
uploads for the file-based sources. A failure before the commit keeps the previous rows.
"""

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

import dagster as dg
import pandas as pd

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
from kg_pipeline.defs.hgnc.reference import HgncReference, load_hgnc_reference
from kg_pipeline.defs.raw import RawFileStore
from kg_pipeline.defs.schema.assets import database_schema
from kg_pipeline.settings import get_settings
from kg_pipeline.sources.hgnc.normalise import staging_priority
from kg_pipeline.sources.records import ParsedEvidence, RawFiles, reject_samples


class EvidenceLoadError(RuntimeError):
    """The parsed input is not a complete load; the previous rows stay."""


@dataclass(frozen=True)
class Normalised:
    """A parsed source after normalisation."""

    rows: pd.DataFrame  # parsed rows of resolved genes, with `hgnc_id`
    decisions: pd.DataFrame  # one row per distinct text: the normaliser's output
    counts: dict[str, int]


def normalise(parsed: ParsedEvidence, hgnc: HgncReference) -> Normalised:
    """Resolve every row's gene text; set-based, each distinct text once."""
    rows = parsed.rows.reset_index(drop=True)
    result = hgnc.normaliser.normalise(rows[["symbol", "reported_hgnc_id"]])
    resolved_mask = result["status"].eq("resolved")
    resolved = rows[resolved_mask].assign(hgnc_id=result.loc[resolved_mask, "hgnc_id"])
    decisions = result.assign(text=result["symbol"].astype(str)).drop_duplicates("text")
    counts = decisions["status"].value_counts().to_dict()
    return Normalised(resolved, decisions, {k: int(v) for k, v in counts.items()})


def _value(value: object) -> object:
    """A frame cell as a JSON/SQL value: pandas' missing markers (NaN, NA, None) become None."""
    return None if value is None or (not isinstance(value, list) and pd.isna(value)) else value


def _staging_items(source_name: str, decisions: pd.DataFrame) -> list[dict]:
    pending = decisions[decisions["status"].isin(["unresolved", "ambiguous"])]
    return [
        {
            "original_text": row.text,
            "original_data": {
                "reported_hgnc_id": _value(row.reported_hgnc_id),
                "cleaned": _value(row.cleaned),
            },
            "normalization_log": {
                "failure_reason": _value(row.reason),
                "status": row.status,
                "candidates": list(row.candidates) if isinstance(row.candidates, list) else [],
            },
            "priority_score": staging_priority(source_name, row.text),
            "requires_expert_review": row.status == "ambiguous",
        }
        for row in pending.itertuples(index=False)
    ]


def _log_items(decisions: pd.DataFrame) -> list[dict]:
    return [
        {
            "original_text": row.text,
            "success": row.status == "resolved",
            "approved_symbol": _value(row.approved_symbol),
            "hgnc_id": _value(row.hgnc_id),
            "normalization_log": {
                "status": row.status,
                "method": _value(row.method),
                "cleaned": _value(row.cleaned),
                "reason": _value(row.reason),
            },
        }
        for row in decisions.itertuples(index=False)
    ]


def _jsonable(value: object) -> object:
    """Evidence documents round-tripped through JSON: what JSONB will hold, compared exactly."""
    return json.loads(json.dumps(value, default=str))


def evidence_asset(
    source_key: str,
    parser: ModuleType,
    raw_asset: dg.AssetsDefinition,
    description: str,
    *,
    file_based: bool = False,
) -> dg.AssetsDefinition:
    """The `<source_key>_evidence` asset for the parser module's source."""
    source_name: str = parser.SOURCE
    parse: Callable[[RawFiles], ParsedEvidence] = parser.parse
    aggregate: Callable[[pd.DataFrame], pd.DataFrame] = parser.aggregate
    raw_source = raw_asset.key.path[-1].removeprefix("raw_")

    @dg.asset(
        name=f"{source_key}_evidence",
        group_name="evidence",
        kinds={"python", "postgres"},
        deps=[raw_asset, "hgnc_reference", database_schema],
        pool="gene_db_writer",
        description=description,
        check_specs=[
            dg.AssetCheckSpec(
                "rows_within_expected",
                asset=f"{source_key}_evidence",
                description="The load keeps at least KG_EVIDENCE_WARN_RATIO of the previous genes "
                "(loads below KG_EVIDENCE_FLOOR_RATIO are refused outright).",
            )
        ],
    )
    def _evidence(
        context: dg.AssetExecutionContext, gene_db: GeneDatabase, raw_store: RawFileStore
    ) -> dg.MaterializeResult:
        gene_db.require_schema_at_head()
        with track_source(gene_db.engine, source_name, "loading evidence") as progress:
            version, files = raw_store.latest(gene_db, raw_source)
            hgnc = load_hgnc_reference(gene_db, raw_store)
            parsed = parse(files)
            normalised = normalise(parsed, hgnc)
            evidence = aggregate(normalised.rows)
            evidence = evidence.assign(evidence_data=evidence["evidence_data"].map(_jsonable))

            settings = get_settings()
            floor_ratio = settings.evidence_floor_ratio
            with gene_db.begin() as conn:
                previous = previous_row_count(conn, source_name)
            floor = int(previous * floor_ratio)
            if evidence.empty or len(evidence) < floor:
                raise EvidenceLoadError(
                    f"{source_name}: the new load has {len(evidence)} genes, below the floor of "
                    f"{floor} ({floor_ratio:.0%} of the {previous} loaded before); nothing was "
                    "written and the previous rows stay. Check the raw input "
                    f"(raw_{raw_source}) or lower KG_EVIDENCE_FLOOR_RATIO if the drop is real"
                )

            with gene_db.begin() as conn:
                created = ensure_genes(conn, hgnc.gene_rows(evidence["hgnc_id"]))
                swap = swap_source_evidence(conn, source_name, evidence, dt.date.today())
                staging = stage_unresolved(
                    conn,
                    source_name,
                    _staging_items(source_name, normalised.decisions),
                    normalised.decisions.loc[
                        normalised.decisions["status"].eq("resolved"), "text"
                    ].tolist(),
                )
                log_normalisation(conn, source_name, _log_items(normalised.decisions))
                uploads = (
                    record_uploads(conn, source_name, version, files, parse, hgnc.normaliser)
                    if file_based
                    else []
                )
            progress.processed = len(normalised.decisions)
            progress.added = swap.inserted
            progress.updated = swap.updated
            progress.failed = len(parsed.rejects) + staging.staged_total
            progress.metadata = {"raw_sha256": version.sha256, "release": parsed.release}

        context.log.info(
            "%s: %d genes (%d new, %d updated, %d unchanged, %d removed); %d texts: %s; "
            "%d rejected rows; %d staged (%d new)",
            source_name,
            swap.rows,
            swap.inserted,
            swap.updated,
            swap.unchanged,
            swap.removed,
            len(normalised.decisions),
            normalised.counts,
            len(parsed.rejects),
            staging.staged_total,
            staging.staged_new,
        )
        # Between the hard floor and the warning level a load is written but flagged.
        warn_level = int(previous * settings.evidence_warn_ratio)
        return dg.MaterializeResult(
            metadata={
                "dagster/row_count": swap.rows,
                "dagster/table_name": "gene_evidence",
                "source_name": source_name,
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
                "staged_new": staging.staged_new,
                "staged_pending": staging.staged_total,
                "auto_resolved": staging.auto_resolved,
                "parser_stats": dg.MetadataValue.json(parsed.stats),
                "release": parsed.release or version.release or "not stated",
                "raw_sha256": version.sha256,
                "hgnc_sha256": hgnc.version.sha256,
                "uploads": dg.MetadataValue.json(uploads),
            },
            check_results=[
                dg.AssetCheckResult(
                    check_name="rows_within_expected",
                    passed=swap.rows >= warn_level,
                    severity=dg.AssetCheckSeverity.WARN,
                    metadata={
                        "rows": swap.rows,
                        "warn_below": warn_level,
                        "refused_below": floor,
                        "previous_rows": previous,
                    },
                )
            ],
        )

    return _evidence
