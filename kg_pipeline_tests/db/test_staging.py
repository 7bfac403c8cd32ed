"""`stage_rows`: what a load's temporary table holds after the COPY."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from kg_pipeline.db.staging import stage_rows

COLUMNS = [
    sa.Column("gene_id", sa.BigInteger),
    sa.Column("symbols", ARRAY(sa.Text)),
    sa.Column("note", sa.String(40)),
    sa.Column("document", JSONB),
]


def test_staged_rows_keep_every_value_and_json_documents_as_json(gene_engine: sa.Engine) -> None:
    document = {
        "score": 0.1,
        "huge": 2**62,
        "tissues": {"Kidney - Cortex": 12.5, "Liver": None},
        "ids": ["25467", "29376"],
        "by_year": {2024: 3},  # an int key, stored as "2024" (as json.dumps writes it)
        "text": 'tab\there, newline\nhere, backslash \\ and quote " and ü, 腎',
        "flag": False,
    }
    rows = [
        {"gene_id": 9_000_000_000, "symbols": ["PKD1", "PKD2"], "note": "a", "document": document},
        {"gene_id": 2, "symbols": [], "note": None, "document": None},
    ]
    with gene_engine.begin() as conn:
        table = stage_rows(conn, "staged", COLUMNS, rows)
        staged = conn.execute(
            sa.select(
                table.c.gene_id,
                table.c.symbols,
                table.c.note,
                table.c.document,
                sa.func.jsonb_typeof(table.c.document),
            ).order_by(table.c.gene_id)
        ).all()
    assert staged == [
        (2, [], None, None, "null"),  # JSON null, not SQL NULL
        (
            9_000_000_000,
            ["PKD1", "PKD2"],
            "a",
            {**document, "by_year": {"2024": 3}},
            "object",
        ),
    ]
