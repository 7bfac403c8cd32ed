"""Scoring in SQL: refreshing `gene_scores` and rebuilding `gene_curations`.

The score itself is defined by the view cascade of migration 002 (reference 5.1, with ClinGen's
maximum classification); this module only refreshes it and derives the curation summary.
"""

from dataclasses import dataclass

import sqlalchemy as sa


@dataclass(frozen=True)
class ScoreSummary:
    rows: int
    active_sources: int
    zero_scores: int
    tiers: dict[str, int]
    top_genes: list[tuple[str, int, float, str]]


def refresh_gene_scores(conn: sa.Connection) -> ScoreSummary:
    # Not CONCURRENTLY: the refresh runs inside the loader's transaction and readers keep
    # seeing the previous contents until it commits.
    conn.execute(sa.text("REFRESH MATERIALIZED VIEW gene_scores"))
    rows, active, zero = conn.execute(
        sa.text(
            "SELECT count(*), coalesce(max(total_active_sources), 0), "
            "count(*) FILTER (WHERE percentage_score = 0) FROM gene_scores"
        )
    ).one()
    tiers = dict(
        conn.execute(
            sa.text("SELECT evidence_tier, count(*) FROM gene_scores GROUP BY 1 ORDER BY 2 DESC")
        ).all()
    )
    top = conn.execute(
        sa.text(
            "SELECT approved_symbol, source_count, percentage_score, evidence_tier "
            "FROM gene_scores ORDER BY percentage_score DESC, approved_symbol LIMIT 10"
        )
    ).all()
    return ScoreSummary(rows, active, zero, tiers, [tuple(r) for r in top])


def _values(source: str, key: str, element: str = "v") -> str:
    """An array of the text values of JSON array `key` in the gene's `source` evidence."""
    return f"""ARRAY(
        SELECT {element}
        FROM gene_evidence e,
             jsonb_array_elements_text(CASE WHEN jsonb_typeof(e.evidence_data->'{key}') = 'array'
                                            THEN e.evidence_data->'{key}'
                                            ELSE '[]'::jsonb END) AS v
        WHERE e.gene_id = g.id AND e.source_name = '{source}')"""


REFRESH_CURATIONS = f"""
INSERT INTO gene_curations (gene_id, evidence_count, source_count, panelapp_panels,
                            literature_refs, diagnostic_panels, hpo_terms, pubtator_pmids,
                            evidence_score)
SELECT g.id,
       (SELECT count(*) FROM gene_evidence e WHERE e.gene_id = g.id),
       (SELECT count(DISTINCT e.source_name) FROM gene_evidence e WHERE e.gene_id = g.id),
       ARRAY(
         SELECT (p->>'name') || ' (ID:' || (p->>'id') || ' v' || coalesce(p->>'version', '?')
                || ')'
         FROM gene_evidence e,
              jsonb_array_elements(CASE WHEN jsonb_typeof(e.evidence_data->'panels') = 'array'
                                        THEN e.evidence_data->'panels'
                                        ELSE '[]'::jsonb END) AS p
         WHERE e.gene_id = g.id AND e.source_name = 'PanelApp'),
       {_values("Literature", "publications")},
       {_values("DiagnosticPanels", "panels")},
       {_values("HPO", "hpo_terms")},
       {_values("PubTator", "pmids")},
       s.percentage_score
FROM genes g
LEFT JOIN gene_scores s ON s.gene_id = g.id
WHERE EXISTS (SELECT 1 FROM gene_evidence e WHERE e.gene_id = g.id)
ON CONFLICT (gene_id) DO UPDATE
   SET evidence_count = excluded.evidence_count,
       source_count = excluded.source_count,
       panelapp_panels = excluded.panelapp_panels,
       literature_refs = excluded.literature_refs,
       diagnostic_panels = excluded.diagnostic_panels,
       hpo_terms = excluded.hpo_terms,
       pubtator_pmids = excluded.pubtator_pmids,
       evidence_score = excluded.evidence_score,
       updated_at = now()
"""


def refresh_gene_curations(conn: sa.Connection) -> int:
    """Rebuild the per-gene summary; a manually set classification is kept."""
    conn.execute(sa.text(REFRESH_CURATIONS))
    conn.execute(
        sa.text(
            "DELETE FROM gene_curations c WHERE NOT EXISTS "
            "(SELECT 1 FROM gene_evidence e WHERE e.gene_id = c.gene_id)"
        )
    )
    return conn.execute(sa.text("SELECT count(*) FROM gene_curations")).scalar_one()
