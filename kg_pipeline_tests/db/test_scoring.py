"""Scores for a small hand-made evidence set, against values worked out by hand."""

import json

import pytest
import sqlalchemy as sa

from kg_pipeline.db.schema import upgrade_to_head
from kg_pipeline.db.scoring import refresh_gene_curations, refresh_gene_scores

PANEL = {"id": 1, "name": "Renal ciliopathies", "version": "2.1", "region": "UK"}
EVIDENCE = {
    # gene: {source: evidence_data}
    "A": {
        "PubTator": {"pmids": [str(i) for i in range(10)], "publication_count": 10},
        "ClinGen": {"classifications": ["Limited", "Definitive"]},
        "PanelApp": {"panels": [PANEL, {**PANEL, "id": 2, "name": "CAKUT"}]},
    },
    "B": {
        "PubTator": {"pmids": ["1"], "publication_count": 1},
        "GenCC": {"classifications": ["Strong", "Moderate"]},
    },
    "C": {
        "PubTator": {"pmids": ["1", "2", "3"], "publication_count": 3},
        "PanelApp": {"panels": [PANEL]},
    },
    "D": {"ClinGen": {"classifications": ["Disputed"]}},
    "E": {"PubTator": {"pmids": ["9"], "publication_count": 1}},
}

# Worked by hand. Four sources have data, so N = 4.
# PubTator percent rank over counts 1 (B, E tie at rank 1), 3 (C, rank 3), 10 (A, rank 4):
#   (rank - 1) / (n - 1) with n = 4 -> B 0, E 0, C 2/3, A 1.
# PanelApp: C has 1 panel (rank 1) -> 0, A has 2 (rank 2) -> 1.
# ClinGen takes the maximum classification: A max(Limited 0.4, Definitive 1.0) = 1.0;
#   D Disputed = 0.2. GenCC: B max(Strong 0.8, Moderate 0.6) = 0.8.
EXPECTED = {
    # gene: (sources, percentage, tier)
    "A": (3, 300 / 4, "multi_source_support"),  # 1 + 1 + 1
    "B": (2, 80 / 4, "established_support"),  # 0 + 0.8
    "C": (2, (2 / 3) * 100 / 4, "preliminary_evidence"),  # 2/3 + 0
    "D": (1, 20 / 4, "minimal_evidence"),  # 0.2
    "E": (1, 0.0, "no_evidence"),  # 0
}


@pytest.fixture
def scored(gene_engine: sa.Engine) -> sa.Engine:
    upgrade_to_head(gene_engine)
    with gene_engine.begin() as conn:
        for n, (symbol, sources) in enumerate(EVIDENCE.items(), start=1):
            gene_id = conn.execute(
                sa.text(
                    "INSERT INTO genes (hgnc_id, approved_symbol) VALUES (:h, :s) RETURNING id"
                ),
                {"h": f"HGNC:{n}", "s": symbol},
            ).scalar_one()
            for source, data in sources.items():
                conn.execute(
                    sa.text(
                        "INSERT INTO gene_evidence (gene_id, source_name, evidence_data) "
                        "VALUES (:g, :s, CAST(:d AS jsonb))"
                    ),
                    {"g": gene_id, "s": source, "d": json.dumps(data)},
                )
        refresh_gene_scores(conn)
        refresh_gene_curations(conn)
    return gene_engine


def test_scores_match_hand_computed_values(scored: sa.Engine) -> None:
    with scored.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT approved_symbol, source_count, percentage_score, evidence_tier, "
                "total_active_sources, source_scores FROM gene_scores"
            )
        ).all()
    got = {r.approved_symbol: r for r in rows}
    assert set(got) == set(EXPECTED)
    for symbol, (sources, percentage, tier) in EXPECTED.items():
        row = got[symbol]
        assert row.total_active_sources == 4
        assert row.source_count == sources, symbol
        assert row.percentage_score == pytest.approx(percentage), symbol
        assert row.evidence_tier == tier, symbol
    assert got["C"].source_scores == {"PubTator": pytest.approx(0.6667), "PanelApp": 0}


def test_curations_summarise_each_gene(scored: sa.Engine) -> None:
    with scored.connect() as conn:
        a = conn.execute(
            sa.text(
                "SELECT c.* FROM gene_curations c JOIN genes g ON g.id = c.gene_id "
                "WHERE g.approved_symbol = 'A'"
            )
        ).one()
        count = conn.execute(sa.text("SELECT count(*) FROM gene_curations")).scalar_one()
    assert count == 5
    assert a.evidence_count == 3 and a.source_count == 3
    assert sorted(a.panelapp_panels) == ["CAKUT (ID:2 v2.1)", "Renal ciliopathies (ID:1 v2.1)"]
    assert sorted(a.pubtator_pmids, key=int) == [str(i) for i in range(10)]
    assert a.evidence_score == pytest.approx(75.0)
