"""The migrated schema provides what the upstream web application declares.

`upstream_schema.json` describes the tables and views of the upstream kidney-genetics-db
backend at the commit our migrations follow, generated from its source by
`scripts/describe_upstream_schema.py`.
"""

import json
from pathlib import Path

import sqlalchemy as sa

from kg_pipeline.db.schema import (
    Relation,
    compatibility_gaps,
    describe_relations,
    type_family,
    upgrade_to_head,
)

DESCRIPTION = json.loads((Path(__file__).parent / "upstream_schema.json").read_text())
DECLARED = {
    name: Relation(relation["kind"], relation["columns"])
    for name, relation in DESCRIPTION["relations"].items()
}


def test_description_is_of_the_commit_our_migrations_follow() -> None:
    assert DESCRIPTION["commit"].startswith("678164b")
    assert DESCRIPTION["repository"] == "berntpopp/kidney-genetics-db"
    # Everything upstream reads: 16 tables, 13 views and its start-up materialised view.
    kinds = [relation.kind for relation in DECLARED.values()]
    assert (kinds.count("table"), kinds.count("view"), kinds.count("materialized view")) == (
        16,
        13,
        1,
    )
    assert DECLARED["gene_annotations_summary"].columns["mane_select_transcript"] == "text"


def test_migrated_schema_provides_everything_upstream_declares(gene_engine: sa.Engine) -> None:
    upgrade_to_head(gene_engine)
    with gene_engine.connect() as conn:
        assert compatibility_gaps(describe_relations(conn), DECLARED) == []


def test_a_dropped_or_retyped_declared_column_is_a_gap(gene_engine: sa.Engine) -> None:
    upgrade_to_head(gene_engine)
    with gene_engine.connect() as conn:
        conn.execute(sa.text("DROP VIEW admin_logs_filtered"))
        conn.execute(sa.text("ALTER TABLE users DROP COLUMN email"))
        conn.execute(sa.text("ALTER TABLE system_logs ALTER COLUMN message TYPE integer USING 0"))
        conn.execute(sa.text("DROP VIEW gene_list_detailed"))
        conn.execute(sa.text("CREATE VIEW gene_list_detailed AS SELECT 1 AS gene_id"))
        gaps = compatibility_gaps(describe_relations(conn), DECLARED)
        conn.rollback()
    assert gaps[0] == "view admin_logs_filtered is missing"
    assert "users.email (character varying(255)) is missing" in gaps
    assert "system_logs.message is integer, declared as text" in gaps
    assert "gene_list_detailed.gene_symbol (text) is missing" in gaps
    assert len(gaps) == 1 + 1 + 1 + 12


def test_type_families_accept_what_a_reader_cannot_tell_apart() -> None:
    assert type_family("character varying(50)") == type_family("text") == "text"
    assert type_family("bigint") == type_family("integer") == "integer"
    assert type_family("timestamp without time zone") == type_family("timestamp with time zone")
    assert type_family("json") == type_family("jsonb")
    assert type_family("character varying(100)[]") == "text[]"
    assert type_family("boolean") != type_family("integer")
