"""Every step of the migration chain, both ways, on a populated database: the data of what
both revisions have is kept, and a step that would destroy data refuses, saying what, unless
allowed with `-x allow_data_loss=true`."""

import argparse
import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest
import sqlalchemy as sa
from alembic import command

from kg_pipeline.db.migration_guard import DataLossRefused
from kg_pipeline.db.schema import alembic_config, current_revision, describe_relations
from kg_pipeline_tests.conftest import pipeline_definitions, pipeline_test_resources
from kg_pipeline_tests.db.checksums import column_checksums
from kg_pipeline_tests.db.test_database import clingen_mirror

REPOSITORY = Path(__file__).resolve().parents[2]
R1, R2, R3 = "001_modern_complete", "002_modern_complete_fixed", "003_upstream_api_parity"
R4 = "004_data_releases"
# A small rebuild: the schema, HGNC, ClinGen's evidence, genes, scores and the HGNC annotation.
POPULATE = [
    "database_schema",
    "raw_hgnc",
    "hgnc_reference",
    "raw_clingen",
    "clingen_evidence",
    "genes",
    "gene_scores",
    "gene_curations",
    "hgnc_annotations",
    "gene_annotations_summary",
]


def migrate(engine: sa.Engine, direction: str, target: str, *, allow: bool = False) -> None:
    with engine.begin() as conn:
        config = alembic_config(conn)
        # What `alembic -x allow_data_loss=true ...` passes.
        config.cmd_opts = argparse.Namespace(x=["allow_data_loss=true"] if allow else [])
        getattr(command, direction)(config, target)


def contents(engine: sa.Engine) -> dict[str, dict[str, str]]:
    """Per table and materialised view, each column's checksum over all rows (paired with the
    row's id where there is one), so that two revisions compare on the columns they share."""
    with engine.connect() as conn:
        return {
            name: column_checksums(
                conn,
                name,
                list(relation.columns),
                "id" if "id" in relation.columns else None,
            )
            for name, relation in describe_relations(conn).items()
            if relation.kind != "view"
        }


def assert_kept(before: dict, after: dict) -> int:
    """Every table both states have holds the same values in the columns both have; returns
    how many (table, column) cells were compared."""
    compared = 0
    for name in before.keys() & after.keys():
        for column in before[name].keys() & after[name].keys():
            assert after[name][column] == before[name][column], f"{name}.{column} changed"
            compared += 1
    return compared


def count(engine: sa.Engine, sql: str) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.text(sql)).scalar_one()


def refused(engine: sa.Engine, direction: str, target: str) -> str:
    """The one-line refusal of a step; the database stays where it was, unchanged."""
    with engine.connect() as conn:
        revision = current_revision(conn)
    before = contents(engine)
    with pytest.raises(DataLossRefused) as error:
        migrate(engine, direction, target)
    with engine.connect() as conn:
        assert current_revision(conn) == revision
    assert contents(engine) == before
    message = str(error.value)
    assert "\n" not in message
    assert message.endswith(
        ": keep a copy of it (pg_dump), or rerun the command with "
        "`alembic -x allow_data_loss=true ...` to drop it"
    )
    return message


@pytest.fixture
def populated(gene_engine: sa.Engine, gene_db_url: str, tmp_path: Path, default_snapshot: Path):
    assets, _ = pipeline_definitions()
    mirror = clingen_mirror(default_snapshot, tmp_path / "snapshot")
    resources = pipeline_test_resources(gene_db_url, tmp_path / "raw", mirror_dir=mirror)
    assert dg.materialize([assets[name] for name in POPULATE], resources=resources).success
    return gene_engine


def test_every_step_keeps_the_data_or_refuses_saying_what_it_would_lose(
    populated: sa.Engine,
) -> None:
    engine = populated
    assert count(engine, "SELECT count(*) FROM gene_evidence") > 100
    assert count(engine, "SELECT count(*) FROM gene_annotations") > 100
    at_004 = contents(engine)
    cells = 0

    # 004 <-> 003 with no release: nothing to lose; with one, its row is named.
    migrate(engine, "downgrade", R3)
    at_003 = contents(engine)
    cells += assert_kept(at_004, at_003)
    assert at_003.keys() == at_004.keys() - {"data_releases"}
    migrate(engine, "upgrade", R4)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO data_releases (version, release_date, gene_count, "
                "total_evidence_count, annotation_count, counts, origin, schema_revision, "
                "code_version, export_file_path, export_checksum, checksums) VALUES ('2026.11', "
                "'2026-11-30', 1, 1, 1, '{}', 'synthetic', :r, 'test', '/x', 'x', '{}')"
            ),
            {"r": R4},
        )
    assert refused(engine, "downgrade", R3).startswith(
        f"downgrading {R4} to {R3} would lose data_releases: 1 row:"
    )
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM data_releases"))  # a draft: its row may go
    migrate(engine, "downgrade", R3)

    # 003 <-> 002 on a rebuilt database: no user, log or review to lose.
    migrate(engine, "downgrade", R2)
    at_002 = contents(engine)
    cells += assert_kept(at_003, at_002)
    migrate(engine, "upgrade", R3)
    cells += assert_kept(at_002, contents(engine))
    assert contents(engine).keys() == at_003.keys()

    # What only 003 holds: a user, a log line, a curator's review.
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO users (email, username, hashed_password) VALUES ('a@b.c', 'a', 'x')"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO system_logs (level, logger, message, user_id) "
                "SELECT 'INFO', 'api', 'login', id FROM users"
            )
        )
        conn.execute(
            sa.text(
                "UPDATE gene_normalization_staging SET review_notes = 'checked', "
                "is_duplicate_submission = true "
                "WHERE id IN (SELECT id FROM gene_normalization_staging ORDER BY id LIMIT 2)"
            )
        )
    assert refused(engine, "downgrade", R2) == (
        f"downgrading {R3} to {R2} would lose users: 1 row, system_logs: 1 row, "
        "gene_normalization_staging.review_notes: 2 values, "
        "gene_normalization_staging.is_duplicate_submission: 2 values"
        ": keep a copy of it (pg_dump), or rerun the command with "
        "`alembic -x allow_data_loss=true ...` to drop it"
    )
    # Even from further down: the whole command rolls back.
    refused(engine, "downgrade", "base")
    before = contents(engine)
    migrate(engine, "downgrade", R2, allow=True)
    at_002 = contents(engine)
    cells += assert_kept(before, at_002)
    assert "users" not in at_002 and "review_notes" not in at_002["gene_normalization_staging"]

    # 002 -> 001 would drop the HGNC previous symbols and the annotation row counts.
    previous_symbols = count(
        engine, "SELECT count(*) FROM genes WHERE cardinality(previous_symbols) > 0"
    )
    assert previous_symbols > 0
    message = refused(engine, "downgrade", R1)
    assert message.startswith(
        f"downgrading {R2} to {R1} would lose genes.previous_symbols: {previous_symbols:,} "
        "values, annotation_sources.row_count: 1 value:"
    )
    migrate(engine, "downgrade", R1, allow=True)
    at_001 = contents(engine)
    cells += assert_kept(at_002, at_001)
    assert "gene_scores" not in at_001

    # 001 -> 002 keeps everything and computes the scores again, unless a duplicate (gene,
    # source) row would have to go.
    migrate(engine, "upgrade", R2)
    again = contents(engine)
    cells += assert_kept(at_001, again)
    assert again["gene_scores"] == at_002["gene_scores"]
    migrate(engine, "downgrade", R1, allow=True)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO gene_evidence (gene_id, source_name, source_detail, evidence_data) "
                "SELECT gene_id, source_name, 'again', evidence_data FROM gene_evidence "
                "ORDER BY id LIMIT 1"
            )
        )
    assert refused(engine, "upgrade", R2).startswith(
        f"upgrading {R1} to {R2} would lose gene_evidence: 1 duplicate row per "
        "(gene_id, source_name):"
    )
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM gene_evidence WHERE source_detail = 'again'"))

    # 001 -> base drops every table: each with rows is named; the seed rows are the schema's.
    with engine.connect() as conn:
        tables = {
            name: conn.execute(sa.text(f"SELECT count(*) FROM {name}")).scalar_one()
            for name in at_001
            if name not in ("alembic_version", "annotation_sources", "static_sources")
        }
    named = refused(engine, "downgrade", "base")
    for name, rows in tables.items():
        assert (f" {name}: {rows:,} row" in named) == (rows > 0), name
    assert "annotation_sources" not in named and "static_sources" not in named
    migrate(engine, "downgrade", "base", allow=True)
    assert set(contents(engine)) <= {"alembic_version"}

    # An empty schema goes up and down without a word.
    migrate(engine, "upgrade", "head")
    migrate(engine, "downgrade", "base")
    migrate(engine, "upgrade", "head")
    print(f"compared {cells} (table, column) checksums")
    assert cells > 400, cells


def test_the_alembic_command_refuses_in_one_line(
    gene_db_url: str, dagster_db_url: str, gene_engine: sa.Engine, tmp_path: Path
) -> None:
    def alembic(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "alembic", *args],
            cwd=REPOSITORY,
            env={
                **os.environ,
                "KG_DATABASE_URL": gene_db_url,
                "KG_DAGSTER_PG_URL": dagster_db_url,
                "KG_DATA_DIR": str(tmp_path),
            },
            capture_output=True,
            text=True,
            timeout=120,
        )

    upgrade = alembic("upgrade", "head")
    assert upgrade.returncode == 0, upgrade.stderr
    with gene_engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO users (email, username, hashed_password) VALUES ('a@b.c', 'a', 'x')"
            )
        )
    downgrade = alembic("downgrade", "base")
    assert downgrade.returncode != 0
    # 004 -> 003 loses nothing (no release); 003 -> 002 would lose the user: all rolled back.
    # Alembic prints a refusal on stdout.
    assert downgrade.stdout.strip().splitlines() == [
        f"FAILED: downgrading {R3} to {R2} would lose users: 1 row: keep a copy of it (pg_dump), "
        "or rerun the command with `alembic -x allow_data_loss=true ...` to drop it"
    ]
    with gene_engine.connect() as conn:
        assert current_revision(conn) == R4
