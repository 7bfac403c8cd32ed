"""Fixes on top of 001: field sync, one row per (gene, source), and the scoring views.

* genes gain `previous_symbols`; annotation_sources gain `cache_ttl_days`, `row_count` and
  `last_error`, and the weekly sources are marked weekly.
* One evidence row per (gene, source) and one annotation row per (gene, source) become database
  keys (001 keyed evidence by source_detail and annotations by version, which let duplicates in);
  unresolved symbols are staged once per (source, text).
* The scoring view cascade, ending in the materialised view `gene_scores`, and the materialised
  view `gene_annotations_summary`. ClinGen takes its maximum classification, like GenCC.

Revision ID: 002_modern_complete_fixed
Revises: 001_modern_complete
Create Date: 2025-09-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY

from kg_pipeline.db.migration_guard import duplicates, refuse_data_loss, values

revision: str = "002_modern_complete_fixed"
down_revision: str | None = "001_modern_complete"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WEEKLY_ANNOTATION_SOURCES = ("hpo", "clinvar", "mpo_mgi")


def _array_length(expr: str) -> str:
    """Length of a JSONB array, 0 for a missing or non-array value."""
    return f"CASE WHEN jsonb_typeof({expr}) = 'array' THEN jsonb_array_length({expr}) ELSE 0 END"


def _count(key: str, fallback_array: str) -> str:
    """An integer count stored under `key`, else the length of the array `fallback_array`."""
    return (
        f"COALESCE(NULLIF(ge.evidence_data->>'{key}', '')::int, "
        f"{_array_length(f'ge.evidence_data->{chr(39)}{fallback_array}{chr(39)}')})"
    )


VIEWS: list[tuple[str, str]] = [
    (
        "evidence_source_counts",
        f"""
        SELECT ge.id AS evidence_id, ge.gene_id, g.approved_symbol, ge.source_name,
               CASE ge.source_name
                 WHEN 'PanelApp' THEN {_array_length("ge.evidence_data->'panels'")}
                 WHEN 'HPO' THEN {_array_length("ge.evidence_data->'hpo_terms'")}
                               + {_array_length("ge.evidence_data->'diseases'")}
                 WHEN 'PubTator' THEN {_count("publication_count", "pmids")}
                 WHEN 'DiagnosticPanels' THEN {_count("panel_count", "panels")}
                 WHEN 'Literature' THEN {_count("publication_count", "publications")}
                 WHEN 'GenCC' THEN (
                   SELECT count(DISTINCT c) FROM jsonb_array_elements_text(
                     CASE WHEN jsonb_typeof(ge.evidence_data->'classifications') = 'array'
                          THEN ge.evidence_data->'classifications' ELSE '[]'::jsonb END) AS c)
                 WHEN 'ClinGen' THEN 1
                 ELSE 0
               END AS source_count
        FROM gene_evidence ge
        JOIN genes g ON g.id = ge.gene_id
        """,
    ),
    (
        # Percent rank orders by count; ties share the lowest rank, so the minimum count scores 0.
        "evidence_count_percentiles",
        """
        SELECT esc.evidence_id, esc.gene_id, esc.approved_symbol, esc.source_name,
               esc.source_count,
               percent_rank() OVER (PARTITION BY esc.source_name
                                    ORDER BY ln(1 + esc.source_count)) AS percentile_score
        FROM evidence_source_counts esc
        WHERE esc.source_count > 0
        """,
    ),
    (
        "evidence_classification_weights",
        """
        SELECT ge.id AS evidence_id, ge.gene_id, ge.source_name,
               COALESCE((
                 SELECT max(CASE lower(c)
                              WHEN 'definitive' THEN 1.0
                              WHEN 'strong' THEN 0.8
                              WHEN 'moderate' THEN 0.6
                              WHEN 'supportive' THEN 0.5
                              WHEN 'limited' THEN 0.4
                              WHEN 'disputed' THEN 0.2
                              WHEN 'disputed evidence' THEN 0.2
                              ELSE 0.0
                            END)
                 FROM jsonb_array_elements_text(
                   CASE WHEN jsonb_typeof(ge.evidence_data->'classifications') = 'array'
                        THEN ge.evidence_data->'classifications' ELSE '[]'::jsonb END) AS c
               ), 0.0)::double precision AS classification_weight
        FROM gene_evidence ge
        WHERE ge.source_name IN ('ClinGen', 'GenCC')
        """,
    ),
    (
        "evidence_normalized_scores",
        """
        SELECT evidence_id, gene_id, source_name, percentile_score AS normalized_score
        FROM evidence_count_percentiles
        WHERE source_name NOT IN ('ClinGen', 'GenCC')
        UNION ALL
        SELECT evidence_id, gene_id, source_name, classification_weight AS normalized_score
        FROM evidence_classification_weights
        """,
    ),
    (
        "combined_evidence_scores",
        """
        SELECT evidence_id, gene_id, source_name, normalized_score,
               source_name AS display_name, 'pipeline'::text AS source_type
        FROM evidence_normalized_scores
        """,
    ),
]

GENE_SCORES = """
CREATE MATERIALIZED VIEW gene_scores AS
WITH per_source AS (
    SELECT gene_id, source_name, max(normalized_score) AS source_score
    FROM combined_evidence_scores
    GROUP BY gene_id, source_name
), active AS (
    SELECT count(DISTINCT source_name)::int AS total FROM combined_evidence_scores
), per_gene AS (
    SELECT gene_id,
           count(*)::int AS source_count,
           sum(source_score) AS raw_score,
           jsonb_object_agg(source_name, round(source_score::numeric, 4)) AS source_scores
    FROM per_source
    GROUP BY gene_id
), scored AS (
    SELECT g.id AS gene_id, g.hgnc_id, g.approved_symbol,
           p.source_count, p.source_count AS evidence_count, p.raw_score,
           a.total AS total_active_sources,
           (p.raw_score / a.total * 100.0) AS percentage_score,
           p.source_scores
    FROM per_gene p
    JOIN genes g ON g.id = p.gene_id
    CROSS JOIN active a
)
SELECT scored.*,
       CASE
         WHEN source_count >= 4 AND percentage_score >= 50 THEN 'comprehensive_support'
         WHEN source_count >= 3 AND percentage_score >= 35 THEN 'multi_source_support'
         WHEN source_count >= 2 AND percentage_score >= 20 THEN 'established_support'
         WHEN percentage_score >= 10 THEN 'preliminary_evidence'
         WHEN percentage_score > 0 THEN 'minimal_evidence'
         ELSE 'no_evidence'
       END AS evidence_tier,
       CASE
         WHEN source_count >= 2 AND percentage_score >= 20 THEN 'well_supported'
         WHEN percentage_score > 0 THEN 'emerging_evidence'
         ELSE 'insufficient'
       END AS evidence_group
FROM scored
"""

GENE_ANNOTATIONS_SUMMARY = """
CREATE MATERIALIZED VIEW gene_annotations_summary AS
SELECT g.id AS gene_id, g.hgnc_id, g.approved_symbol,
       hgnc.annotations->>'ncbi_gene_id' AS ncbi_gene_id,
       hgnc.annotations->>'ensembl_gene_id' AS ensembl_gene_id,
       hgnc.annotations->'mane_select' AS mane_select,
       (gnomad.annotations->>'pli')::double precision AS pli,
       (gnomad.annotations->>'oe_lof')::double precision AS oe_lof,
       (gnomad.annotations->>'oe_lof_lower')::double precision AS oe_lof_lower,
       (gnomad.annotations->>'oe_lof_upper')::double precision AS oe_lof_upper,
       (gnomad.annotations->>'lof_z')::double precision AS lof_z,
       (gnomad.annotations->>'mis_z')::double precision AS mis_z,
       (gnomad.annotations->>'syn_z')::double precision AS syn_z,
       (gnomad.annotations->>'oe_mis')::double precision AS oe_mis,
       (gnomad.annotations->>'oe_syn')::double precision AS oe_syn,
       (SELECT count(*) FROM gene_annotations ga WHERE ga.gene_id = g.id)::int
           AS annotation_source_count,
       ARRAY(SELECT ga.source FROM gene_annotations ga WHERE ga.gene_id = g.id
             ORDER BY ga.source)::text[] AS annotation_sources
FROM genes g
LEFT JOIN gene_annotations hgnc ON hgnc.gene_id = g.id AND hgnc.source = 'hgnc'
LEFT JOIN gene_annotations gnomad ON gnomad.gene_id = g.id AND gnomad.source = 'gnomad'
"""


def upgrade() -> None:
    op.add_column("genes", sa.Column("previous_symbols", ARRAY(sa.Text)))
    op.add_column(
        "annotation_sources",
        sa.Column("cache_ttl_days", sa.Integer, nullable=False, server_default="90"),
    )
    op.add_column("annotation_sources", sa.Column("row_count", sa.Integer))
    op.add_column("annotation_sources", sa.Column("last_error", sa.Text))
    op.execute(
        sa.text(
            "UPDATE annotation_sources SET update_frequency = 'weekly' WHERE source_name IN :names"
        ).bindparams(sa.bindparam("names", WEEKLY_ANNOTATION_SOURCES, expanding=True))
    )

    # Keep the newest row of any duplicate before the stricter keys go on: only when allowed,
    # the others are data.
    refuse_data_loss(
        f"upgrading {down_revision} to {revision}",
        [
            duplicates("gene_evidence", ("gene_id", "source_name")),
            duplicates("gene_annotations", ("gene_id", "source")),
            duplicates("gene_normalization_staging", ("source_name", "original_text")),
        ],
    )
    op.execute(
        "DELETE FROM gene_evidence a USING gene_evidence b "
        "WHERE a.gene_id = b.gene_id AND a.source_name = b.source_name AND a.id < b.id"
    )
    op.drop_constraint("gene_evidence_source_idx", "gene_evidence", type_="unique")
    op.create_unique_constraint(
        "uq_gene_evidence_gene_source", "gene_evidence", ["gene_id", "source_name"]
    )
    op.execute(
        "DELETE FROM gene_annotations a USING gene_annotations b "
        "WHERE a.gene_id = b.gene_id AND a.source = b.source AND a.id < b.id"
    )
    op.drop_constraint("unique_gene_source_version", "gene_annotations", type_="unique")
    op.create_unique_constraint("unique_gene_source", "gene_annotations", ["gene_id", "source"])
    op.execute(
        "DELETE FROM gene_normalization_staging a USING gene_normalization_staging b "
        "WHERE a.source_name = b.source_name AND a.original_text = b.original_text "
        "AND a.id < b.id"
    )
    op.create_unique_constraint(
        "uq_staging_source_text", "gene_normalization_staging", ["source_name", "original_text"]
    )

    for name, body in VIEWS:
        op.execute(f"CREATE VIEW {name} AS {body}")
    op.execute(GENE_SCORES)
    op.execute("CREATE UNIQUE INDEX idx_gene_scores_gene_id ON gene_scores (gene_id)")
    op.execute("CREATE INDEX idx_gene_scores_percentage ON gene_scores (percentage_score)")
    op.execute("CREATE INDEX idx_gene_scores_tier ON gene_scores (evidence_tier)")
    op.execute(GENE_ANNOTATIONS_SUMMARY)
    op.execute(
        "CREATE UNIQUE INDEX idx_gene_annotations_summary_gene_id "
        "ON gene_annotations_summary (gene_id)"
    )


def downgrade() -> None:
    # The views are derived and come back with the upgrade. The looser keys lose nothing, and
    # the weekly cadences stay (001 has no rule on them; the upgrade sets them again).
    refuse_data_loss(
        f"downgrading {revision} to {down_revision}",
        [
            values("genes", "previous_symbols", "cardinality(previous_symbols) > 0"),
            values("annotation_sources", "row_count"),
            values("annotation_sources", "last_error"),
            values("annotation_sources", "cache_ttl_days", "cache_ttl_days <> 90"),
        ],
    )
    op.execute("DROP MATERIALIZED VIEW IF EXISTS gene_annotations_summary")
    op.execute("DROP MATERIALIZED VIEW IF EXISTS gene_scores")
    for name, _ in reversed(VIEWS):
        op.execute(f"DROP VIEW IF EXISTS {name}")

    op.drop_constraint("uq_staging_source_text", "gene_normalization_staging", type_="unique")
    op.drop_constraint("unique_gene_source", "gene_annotations", type_="unique")
    op.create_unique_constraint(
        "unique_gene_source_version", "gene_annotations", ["gene_id", "source", "version"]
    )
    op.drop_constraint("uq_gene_evidence_gene_source", "gene_evidence", type_="unique")
    op.create_unique_constraint(
        "gene_evidence_source_idx", "gene_evidence", ["gene_id", "source_name", "source_detail"]
    )
    op.drop_column("annotation_sources", "last_error")
    op.drop_column("annotation_sources", "row_count")
    op.drop_column("annotation_sources", "cache_ttl_days")
    op.drop_column("genes", "previous_symbols")
