"""The gene import: `genes` reconciled with the evidence and the HGNC reference."""

from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY


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
    stage = sa.Table(
        "hgnc_stage",
        sa.MetaData(),
        sa.Column("hgnc_id", sa.Text, primary_key=True),
        sa.Column("symbol", sa.Text),
        sa.Column("aliases", ARRAY(sa.Text)),
        sa.Column("previous_symbols", ARRAY(sa.Text)),
        prefixes=["TEMPORARY"],
        postgresql_on_commit="DROP",
    )
    stage.create(conn)
    in_db = set(conn.execute(sa.text("SELECT hgnc_id FROM genes")).scalars())
    rows = reference[reference["hgnc_id"].isin(in_db)].drop_duplicates("hgnc_id")
    if not rows.empty:
        conn.execute(
            stage.insert(),
            [
                {
                    "hgnc_id": r.hgnc_id,
                    "symbol": r.symbol,
                    "aliases": list(r.alias_symbol or []),
                    "previous_symbols": list(r.prev_symbol or []),
                }
                for r in rows.itertuples(index=False)
            ],
        )
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
