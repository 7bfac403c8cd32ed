"""The Alembic chain and the schema guard, against a real PostgreSQL."""

import pytest
import sqlalchemy as sa
from alembic import command

from kg_pipeline.db.schema import (
    SchemaNotAtHead,
    alembic_config,
    current_revision,
    describe_relations,
    head_revision,
    non_bigint_keys,
    relations,
    require_schema_at_head,
    schema_differences,
    upgrade_to_head,
)

PIPELINE_TABLES = {
    "annotation_history",
    "annotation_sources",
    "cache_entries",
    "data_source_progress",
    "gene_annotations",
    "gene_curations",
    "gene_evidence",
    "gene_normalization_log",
    "gene_normalization_staging",
    "genes",
    "pipeline_runs",
    "static_evidence_uploads",
    "static_source_audit",
    "static_sources",
    "system_logs",
    "users",
}
UPSTREAM_VIEWS = {
    "admin_logs_filtered",
    "cache_stats",
    "datasource_metadata_gencc",
    "datasource_metadata_panelapp",
    "evidence_summary_view",
    "gene_list_detailed",
    "string_ppi_percentiles",
}


def _migrate(engine: sa.Engine, direction: str, target: str) -> None:
    with engine.begin() as conn:
        getattr(command, direction)(alembic_config(conn), target)


def test_head_is_004() -> None:
    assert head_revision() == "004_data_releases"


def test_upgrade_downgrade_upgrade_round_trip(gene_engine: sa.Engine) -> None:
    _migrate(gene_engine, "upgrade", "head")
    with gene_engine.connect() as conn:
        tables, views, matviews = relations(conn)
        assert current_revision(conn) == "004_data_releases"
        at_head = describe_relations(conn)
    assert set(tables) >= PIPELINE_TABLES | {"data_releases"}
    assert {"evidence_source_counts", "combined_evidence_scores"} | UPSTREAM_VIEWS <= set(views)
    assert set(matviews) == {"gene_scores", "gene_annotations_summary"}

    # 004 down drops the release listing (empty here), and only that.
    _migrate(gene_engine, "downgrade", "003_upstream_api_parity")
    with gene_engine.connect() as conn:
        at_003 = describe_relations(conn)
    assert at_003.keys() == at_head.keys() - {"data_releases"}

    # 003 down restores 002 exactly: its views' columns and gene_scores' indexes come back.
    _migrate(gene_engine, "downgrade", "002_modern_complete_fixed")
    with gene_engine.connect() as conn:
        at_002 = describe_relations(conn)
        score_indexes = conn.execute(
            sa.text("SELECT count(*) FROM pg_indexes WHERE tablename = 'gene_scores'")
        ).scalar_one()
    assert not (UPSTREAM_VIEWS | {"users", "system_logs"}) & at_002.keys()
    assert "approved_symbol" not in at_002["combined_evidence_scores"].columns
    assert "mane_select_transcript" not in at_002["gene_annotations_summary"].columns
    assert "created_at" not in at_002["pipeline_runs"].columns
    assert score_indexes == 3
    _migrate(gene_engine, "upgrade", "head")
    with gene_engine.connect() as conn:
        assert describe_relations(conn) == at_head

    _migrate(gene_engine, "downgrade", "001_modern_complete")
    with gene_engine.connect() as conn:
        tables, views, matviews = relations(conn)
        assert current_revision(conn) == "001_modern_complete"
        assert not views and not matviews
        uniques = set(
            conn.execute(
                sa.text(
                    "SELECT conname FROM pg_constraint WHERE conrelid = 'gene_evidence'::regclass "
                    "AND contype = 'u'"
                )
            ).scalars()
        )
    assert uniques == {"gene_evidence_source_idx"}

    _migrate(gene_engine, "downgrade", "base")
    with gene_engine.connect() as conn:
        tables, views, matviews = relations(conn)
        assert current_revision(conn) is None
    assert set(tables) <= {"alembic_version"}

    _migrate(gene_engine, "upgrade", "head")
    with gene_engine.connect() as conn:
        assert current_revision(conn) == head_revision()
        assert schema_differences(conn) == []


def test_models_match_migrated_database(gene_engine: sa.Engine) -> None:
    upgrade_to_head(gene_engine)
    with gene_engine.connect() as conn:
        assert schema_differences(conn) == []
        # The comparison is live: a column the models do not know is reported.
        conn.execute(sa.text("ALTER TABLE genes ADD COLUMN stray integer"))
        assert any("stray" in diff for diff in schema_differences(conn))
        conn.rollback()
        # Views are compared too: by name, kind and columns.
        conn.execute(sa.text("CREATE VIEW stray_view AS SELECT 1 AS one"))
        conn.execute(sa.text("DROP VIEW gene_list_detailed"))
        assert schema_differences(conn) == [
            "view stray_view is in the database, not in the models",
            "view gene_list_detailed is in the models, not in the database",
        ]
        conn.rollback()


def test_every_key_column_is_bigint(gene_engine: sa.Engine) -> None:
    upgrade_to_head(gene_engine)
    with gene_engine.connect() as conn:
        assert non_bigint_keys(conn) == []
        key_columns = conn.execute(
            sa.text(
                "SELECT count(*) FROM information_schema.key_column_usage kcu "
                "JOIN information_schema.table_constraints tc "
                "USING (constraint_name, table_schema) "
                "WHERE tc.table_schema = 'public' "
                "AND tc.constraint_type IN ('PRIMARY KEY', 'FOREIGN KEY')"
            )
        ).scalar_one()
        assert key_columns >= 16 + 11  # one PK per table plus the foreign keys
        conn.execute(sa.text("CREATE TABLE probe (id integer PRIMARY KEY)"))
        assert non_bigint_keys(conn) == ["probe.id (integer)"]
        conn.rollback()


def test_seed_rows(gene_engine: sa.Engine) -> None:
    upgrade_to_head(gene_engine)
    with gene_engine.connect() as conn:
        annotation = conn.execute(
            sa.text("SELECT source_name, is_active, update_frequency FROM annotation_sources")
        ).all()
        static = conn.execute(sa.text("SELECT source_name FROM static_sources")).scalars().all()
    assert sorted(name for name, _, _ in annotation) == [
        "clinvar",
        "descartes",
        "gnomad",
        "gtex",
        "hgnc",
        "hpo",
        "mpo_mgi",
        "string_ppi",
    ]
    assert all(active for _, active, _ in annotation)
    weekly = sorted(name for name, _, frequency in annotation if frequency == "weekly")
    assert weekly == ["clinvar", "hpo", "mpo_mgi"]
    assert sorted(static) == ["DiagnosticPanels", "Literature"]


def test_one_evidence_row_per_gene_and_source_is_a_database_key(gene_engine: sa.Engine) -> None:
    upgrade_to_head(gene_engine)
    with gene_engine.begin() as conn:
        gene_id = conn.execute(
            sa.text(
                "INSERT INTO genes (hgnc_id, approved_symbol) VALUES ('HGNC:1', 'A') RETURNING id"
            )
        ).scalar_one()
        insert = sa.text(
            "INSERT INTO gene_evidence (gene_id, source_name, source_detail, evidence_data) "
            "VALUES (:gene, 'ClinGen', :detail, '{}')"
        )
        conn.execute(insert, {"gene": gene_id, "detail": "first"})
    with pytest.raises(sa.exc.IntegrityError), gene_engine.begin() as conn:
        conn.execute(insert, {"gene": gene_id, "detail": "second"})


def test_guard_fails_on_a_database_behind_head(gene_engine: sa.Engine) -> None:
    with pytest.raises(SchemaNotAtHead, match=r"has no schema.*alembic upgrade head"):
        require_schema_at_head(gene_engine)
    _migrate(gene_engine, "upgrade", "001_modern_complete")
    with pytest.raises(SchemaNotAtHead, match="at revision 001_modern_complete"):
        require_schema_at_head(gene_engine)
    upgrade_to_head(gene_engine)
    require_schema_at_head(gene_engine)


def test_drop_first_empties_the_schema(gene_engine: sa.Engine) -> None:
    upgrade_to_head(gene_engine)
    with gene_engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO genes (hgnc_id, approved_symbol) VALUES ('HGNC:1', 'A')"))
    again = upgrade_to_head(gene_engine)
    assert again.revision_before == again.revision_after == head_revision()
    with gene_engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM genes")).scalar_one() == 1
    rebuilt = upgrade_to_head(gene_engine, drop_first=True)
    assert rebuilt.dropped
    with gene_engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM genes")).scalar_one() == 0
        assert conn.execute(sa.text("SELECT count(*) FROM annotation_sources")).scalar_one() == 8
