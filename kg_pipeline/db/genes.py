"""The gene import: `genes` reconciled with the evidence and the HGNC reference."""

from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa

from kg_pipeline.db.staging import stage_hgnc_genes


@dataclass(frozen=True)
class GeneImport:
    genes: int
    removed: int
    renamed: int
    not_in_reference: int
    per_source: dict[str, int]


def reconcile_genes(conn: sa.Connection, reference: pd.DataFrame) -> GeneImport:
    """Remove genes without evidence; refresh symbols, aliases and previous symbols from HGNC.

    `reference`: hgnc_id, symbol, alias_symbol, prev_symbol of the approved HGNC genes.
    """
    removed = conn.execute(
        sa.text(
            "DELETE FROM genes g WHERE NOT EXISTS "
            "(SELECT 1 FROM gene_evidence e WHERE e.gene_id = g.id)"
        )
    ).rowcount
    in_db = set(conn.execute(sa.text("SELECT hgnc_id FROM genes")).scalars())
    rows = reference[reference["hgnc_id"].isin(in_db)].drop_duplicates("hgnc_id")
    stage = stage_hgnc_genes(conn, rows)
    renamed = conn.execute(
        sa.text(
            """
            UPDATE genes g
               SET approved_symbol = s.symbol, aliases = s.aliases,
                   previous_symbols = s.previous_symbols, updated_at = now()
              FROM hgnc_stage s
             WHERE s.hgnc_id = g.hgnc_id
               AND (g.approved_symbol IS DISTINCT FROM s.symbol
                    OR g.aliases IS DISTINCT FROM s.aliases
                    OR g.previous_symbols IS DISTINCT FROM s.previous_symbols)
            """
        )
    ).rowcount
    stage.drop(conn)
    total = conn.execute(sa.text("SELECT count(*) FROM genes")).scalar_one()
    per_source = dict(
        conn.execute(
            sa.text(
                "SELECT source_name, count(*) FROM gene_evidence GROUP BY source_name ORDER BY 1"
            )
        ).all()
    )
    return GeneImport(
        genes=total,
        removed=removed,
        renamed=renamed,
        not_in_reference=len(in_db) - len(rows),
        per_source=per_source,
    )
