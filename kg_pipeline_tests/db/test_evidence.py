"""Staging unresolved symbols, against a real PostgreSQL."""

import sqlalchemy as sa

from kg_pipeline.db.evidence import stage_unresolved
from kg_pipeline.db.schema import upgrade_to_head


def _unresolved(text: str) -> dict[str, object]:
    return {
        "original_text": text,
        "original_data": {"row": 1},
        "normalization_log": {"tried": ["symbol"]},
        "priority_score": 1,
        "requires_expert_review": False,
    }


def test_restaging_keeps_a_curators_review(gene_engine: sa.Engine) -> None:
    """The web application's review columns belong to the curator; a reload never resets them."""
    upgrade_to_head(gene_engine)
    with gene_engine.begin() as conn:
        first = stage_unresolved(conn, "Literature", [_unresolved("NPHS-1")], [])
        conn.execute(
            sa.text(
                "UPDATE gene_normalization_staging SET status = 'approved', "
                "review_notes = 'typo of NPHS1', manual_approved_symbol = 'NPHS1', "
                "manual_hgnc_id = 'HGNC:7908', manual_aliases = '[\"NPHN\"]'"
            )
        )
    with gene_engine.begin() as conn:
        again = stage_unresolved(conn, "Literature", [_unresolved("NPHS-1")], ["NPHS-1"])
        row = conn.execute(
            sa.text(
                "SELECT status, review_notes, manual_approved_symbol, manual_hgnc_id, "
                "manual_aliases, is_duplicate_submission FROM gene_normalization_staging"
            )
        ).one()
    assert (first.staged_new, again.staged_new, again.auto_resolved) == (1, 0, 0)
    assert tuple(row) == ("approved", "typo of NPHS1", "NPHS1", "HGNC:7908", ["NPHN"], False)
