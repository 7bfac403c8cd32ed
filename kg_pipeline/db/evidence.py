"""Writing one evidence source: genes it needs, its rows swapped in, its symbols staged.

Everything for one source happens in the caller's transaction, so a failure anywhere leaves
the source's previous rows as they were. Inputs are whole frames (set-based writes through
temporary tables), never a query per gene.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from kg_pipeline.db.staging import SwapCounts, stage_hgnc_genes, stage_rows


@dataclass(frozen=True)
class StagingResult:
    staged_new: int
    staged_total: int
    auto_resolved: int


def previous_row_count(conn: sa.Connection, source_name: str) -> int:
    return conn.execute(
        sa.text("SELECT count(*) FROM gene_evidence WHERE source_name = :s"), {"s": source_name}
    ).scalar_one()


def ensure_genes(conn: sa.Connection, genes: pd.DataFrame) -> int:
    """Insert genes (hgnc_id, symbol, alias_symbol, prev_symbol) that do not exist yet."""
    if genes.empty:
        return 0
    stage = stage_hgnc_genes(conn, genes)
    created = conn.execute(
        sa.text(
            "INSERT INTO genes (hgnc_id, approved_symbol, aliases, previous_symbols) "
            "SELECT hgnc_id, symbol, aliases, previous_symbols FROM hgnc_stage "
            "ON CONFLICT (hgnc_id) DO NOTHING"
        )
    ).rowcount
    stage.drop(conn)
    return created


def swap_source_evidence(
    conn: sa.Connection, source_name: str, evidence: pd.DataFrame, evidence_date: dt.date
) -> SwapCounts:
    """Make `evidence` (hgnc_id, evidence_data, source_detail) the source's complete row set.

    Genes must exist (see `ensure_genes`). Unchanged rows keep their timestamps; rows of genes
    no longer in the source are removed.
    """
    stage = stage_rows(
        conn,
        "evidence_stage",
        [
            sa.Column("hgnc_id", sa.Text, primary_key=True),
            sa.Column("source_detail", sa.Text),
            sa.Column("evidence_data", JSONB),
        ],
        (
            {
                "hgnc_id": r.hgnc_id,
                "source_detail": r.source_detail,
                "evidence_data": r.evidence_data,
            }
            for r in evidence.itertuples(index=False)
        ),
    )
    params = {"source": source_name, "date": evidence_date}
    removed = conn.execute(
        sa.text(
            "DELETE FROM gene_evidence ge USING genes g WHERE ge.gene_id = g.id "
            "AND ge.source_name = :source "
            "AND NOT EXISTS (SELECT 1 FROM evidence_stage s WHERE s.hgnc_id = g.hgnc_id)"
        ),
        params,
    ).rowcount
    # xmax = 0 marks a freshly inserted row; the WHERE skips rewriting identical evidence.
    written = (
        conn.execute(
            sa.text(
                """
            INSERT INTO gene_evidence (gene_id, source_name, source_detail, evidence_data,
                                       evidence_date)
            SELECT g.id, :source, left(s.source_detail, 255), s.evidence_data, :date
            FROM evidence_stage s JOIN genes g ON g.hgnc_id = s.hgnc_id
            ON CONFLICT (gene_id, source_name) DO UPDATE
               SET evidence_data = excluded.evidence_data,
                   source_detail = excluded.source_detail,
                   evidence_date = excluded.evidence_date,
                   updated_at = now()
             WHERE gene_evidence.evidence_data IS DISTINCT FROM excluded.evidence_data
                OR gene_evidence.source_detail IS DISTINCT FROM excluded.source_detail
            RETURNING (xmax = 0) AS inserted
            """
            ),
            params,
        )
        .scalars()
        .all()
    )
    stage.drop(conn)
    return SwapCounts.of_upsert(len(evidence), written, removed)


def stage_unresolved(
    conn: sa.Connection,
    source_name: str,
    unresolved: list[dict[str, Any]],
    resolved_texts: list[str],
) -> StagingResult:
    """Stage unresolved symbols once per (source, text); close staged texts that now resolve.

    `unresolved` items: original_text, original_data, normalization_log, priority_score,
    requires_expert_review. A row a curator already reviewed keeps its status.
    """
    count = sa.text("SELECT count(*) FROM gene_normalization_staging WHERE source_name = :source")
    before = conn.execute(count, {"source": source_name}).scalar_one()
    if unresolved:
        conn.execute(
            sa.text(
                """
                INSERT INTO gene_normalization_staging
                    (original_text, source_name, original_data, normalization_log,
                     priority_score, requires_expert_review)
                VALUES (:original_text, :source, :original_data, :normalization_log,
                        :priority_score, :requires_expert_review)
                ON CONFLICT (source_name, original_text) DO UPDATE
                   SET normalization_log = excluded.normalization_log,
                       original_data = excluded.original_data,
                       updated_at = now()
                """
            ).bindparams(
                sa.bindparam("original_data", type_=JSONB),
                sa.bindparam("normalization_log", type_=JSONB),
            ),
            [{**item, "source": source_name} for item in unresolved],
        )
    staged_new = conn.execute(count, {"source": source_name}).scalar_one() - before
    auto_resolved = 0
    if resolved_texts:
        auto_resolved = conn.execute(
            sa.text(
                "UPDATE gene_normalization_staging SET status = 'auto_resolved', "
                "resolution_method = 'automatic_retry', updated_at = now() "
                "WHERE source_name = :source AND status = 'pending_review' "
                "AND original_text = ANY(:texts)"
            ),
            {"source": source_name, "texts": resolved_texts},
        ).rowcount
    total = conn.execute(
        sa.text(
            "SELECT count(*) FROM gene_normalization_staging "
            "WHERE source_name = :source AND status = 'pending_review'"
        ),
        {"source": source_name},
    ).scalar_one()
    return StagingResult(staged_new=staged_new, staged_total=total, auto_resolved=auto_resolved)


def log_normalisation(
    conn: sa.Connection, source_name: str, decisions: list[dict[str, Any]]
) -> None:
    """One `gene_normalization_log` row per distinct text of this load."""
    if not decisions:
        return
    conn.execute(
        sa.text(
            """
            INSERT INTO gene_normalization_log
                (original_text, source_name, success, approved_symbol, hgnc_id,
                 normalization_log, final_gene_id)
            VALUES (:original_text, :source, :success, :approved_symbol,
                    CAST(:hgnc_id AS varchar),
                    :normalization_log,
                    (SELECT id FROM genes WHERE hgnc_id = CAST(:hgnc_id AS varchar)))
            """
        ).bindparams(sa.bindparam("normalization_log", type_=JSONB)),
        [{**d, "source": source_name} for d in decisions],
    )
