"""Files imported by hand (`kg-pipeline import-raw`): Descartes, which refuses every scripted
download, end to end; and what an import refuses."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dagster as dg
import pytest
import sqlalchemy as sa

from kg_pipeline.db.database import dispose_engine
from kg_pipeline.db.raw_index import latest_raw_version
from kg_pipeline.defs.raw.manual import ManualImportError, file_keys, import_raw
from kg_pipeline.defs.resources import RawFileStore
from kg_pipeline.devtools.emulator import UpstreamEmulator
from kg_pipeline.raw_files import SourceFormatError
from kg_pipeline.sources.registry import source
from kg_pipeline_tests.conftest import (
    FAST_HTTP,
    create_database,
    drop_database,
    pipeline_definitions,
    pipeline_test_resources,
)
from kg_pipeline_tests.test_cli import cli_env, run_cli

TPM, PERCENTAGE = "tissue_tpm/kidney.csv", "tissue_percentage/kidney.csv"


@pytest.fixture(scope="module")
def built(
    pg_admin_url: str, default_snapshot: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path]]:
    """The whole graph materialised once from the default snapshot: (database URL, raw root)."""
    name = f"kg_test_{uuid.uuid4().hex[:12]}"
    url = create_database(pg_admin_url, name)
    raw_root = tmp_path_factory.mktemp("manual") / "raw"
    assets, _ = pipeline_definitions()
    result = dg.materialize(
        list(assets.values()),
        resources=pipeline_test_resources(url, raw_root, mirror_dir=str(default_snapshot)),
    )
    assert result.success
    yield url, raw_root
    dispose_engine(url)
    drop_database(pg_admin_url, name)


def refresh_descartes(url: str, raw_root: Path, emulator_url: str) -> dg.ExecuteInProcessResult:
    assets, _ = pipeline_definitions()
    selected = [assets["raw_descartes"], assets["descartes_annotations"]]
    return dg.materialize(
        selected,
        selection=selected,
        resources=pipeline_test_resources(
            url, raw_root, source_mode="live", upstream_url=emulator_url, **FAST_HTTP
        ),
        raise_on_error=False,
    )


def tpm_by_symbol(url: str) -> dict[str, Any]:
    with sa.create_engine(url).connect() as conn:
        return dict(
            conn.execute(
                sa.text(
                    "SELECT g.approved_symbol, ga.annotations->'kidney_tpm' "
                    "FROM gene_annotations ga JOIN genes g ON g.id = ga.gene_id "
                    "WHERE ga.source = 'descartes'"
                )
            ).all()
        )


def step_error(result: dg.ExecuteInProcessResult) -> str:
    (failure,) = [e for e in result.all_events if e.is_step_failure]
    return failure.step_failure_data.error.cause.message.strip()


def test_descartes_refuses_scripts_then_loads_the_files_imported_by_hand(
    built: tuple[str, Path], default_snapshot: Path, tmp_path: Path
) -> None:
    url, raw_root = built
    before = tpm_by_symbol(url)
    assert before
    with UpstreamEmulator(default_snapshot) as emulator:
        emulator.inject("descartes", "forbidden", times=-1)

        refused = refresh_descartes(url, raw_root, emulator.url)
        assert not refused.success
        message = step_error(refused)
        assert "\n" not in message
        assert "HTTP 403" in message and "descartes refuses scripted downloads: open " in message
        assert f"https://atlas.fredhutch.org/data/bbi/descartes/human_gtex/tables/{TPM}" in message
        assert (
            f"`kg-pipeline import-raw descartes {TPM}=FILE {PERCENTAGE}=FILE`; "
            "the previous data stays until then"
        ) in message
        assert tpm_by_symbol(url) == before

        # The user downloads both files in a browser (the TPM table now has a new value).
        symbol = sorted(before)[0]
        downloads = tmp_path / "Downloads"
        downloads.mkdir()
        lines = (default_snapshot / "descartes" / TPM).read_text().splitlines()
        changed = [f"{symbol},123.5" if line.split(",")[0] == symbol else line for line in lines]
        (downloads / "kidney.csv").write_text("\n".join(changed) + "\n")
        (downloads / "kidney (1).csv").write_bytes(
            (default_snapshot / "descartes" / PERCENTAGE).read_bytes()
        )
        resources = pipeline_test_resources(url, raw_root)
        descartes = source("descartes")
        version = import_raw(
            descartes,
            file_keys(
                descartes,
                [
                    f"{TPM}={downloads / 'kidney.csv'}",
                    f"{PERCENTAGE}={downloads / 'kidney (1).csv'}",
                ],
            ),
            release="2026-11 browser download",
            gene_db=resources["gene_db"],
            raw_store=resources["raw_store"],
            hgnc=resources["hgnc"],
        )
        assert version.details["origin"] == "manual"

        # The next refresh takes the import instead of fetching, and loads it.
        loaded = refresh_descartes(url, raw_root, emulator.url)
        assert loaded.success
        (raw,) = loaded.asset_materializations_for_node("raw_descartes")
        assert raw.metadata["mode"].value == "manual"
        assert raw.metadata["sha256"].value == version.sha256
        after = tpm_by_symbol(url)
        assert after[symbol] == 123.5
        assert {s: v for s, v in after.items() if s != symbol} == {
            s: v for s, v in before.items() if s != symbol
        }

        # After that, refreshes ask Descartes again: refused, and the imported data stays.
        again = refresh_descartes(url, raw_root, emulator.url)
        assert not again.success and "refuses scripted downloads" in step_error(again)
        assert tpm_by_symbol(url) == after
    with sa.create_engine(url).connect() as conn:
        latest = latest_raw_version(conn, "descartes")
    assert latest is not None and latest.sha256 == version.sha256
    assert latest.release == "2026-11 browser download"


def test_files_are_named_where_their_names_do_not_say_which_they_are(tmp_path: Path) -> None:
    kidney = tmp_path / "kidney.csv"
    kidney.write_text("A2ML1,0.5\n")
    descartes = source("descartes")
    with pytest.raises(ManualImportError) as caught:
        file_keys(descartes, [str(kidney)])
    assert str(caught.value) == (
        f"descartes: 'kidney.csv' matches 2 of its files; name each file: {TPM}=FILE, "
        f"{PERCENTAGE}=FILE"
    )
    assert file_keys(descartes, [f"descartes/{TPM}={kidney}"]) == {f"descartes/{TPM}": kidney}
    obo = tmp_path / "hp.obo"
    obo.write_text("format-version: 1.2\n")
    assert file_keys(source("hpo"), [str(obo)]) == {"hpo/hp.obo": obo}
    with pytest.raises(ManualImportError, match="no such file"):
        file_keys(descartes, [f"{TPM}={tmp_path / 'missing.csv'}"])


def test_a_file_its_parser_rejects_is_not_imported(
    gene_db_url: str, tmp_path: Path, default_snapshot: Path
) -> None:
    broken = tmp_path / "kidney.csv"
    broken.write_text("A2ML1,not-a-number\nAAAS\n")
    resources = pipeline_test_resources(gene_db_url, tmp_path / "raw")
    descartes = source("descartes")
    with pytest.raises(SourceFormatError):
        import_raw(
            descartes,
            {
                f"descartes/{TPM}": broken,
                f"descartes/{PERCENTAGE}": default_snapshot / "descartes" / PERCENTAGE,
            },
            release=None,
            gene_db=resources["gene_db"],
            raw_store=resources["raw_store"],
            hgnc=resources["hgnc"],
        )
    assert RawFileStore(root=str(tmp_path / "raw")).store.latest_import("descartes") is None


def test_import_raw_from_the_command_line_before_any_rebuild(
    gene_db_url: str, dagster_db_url: str, tmp_path: Path, default_snapshot: Path
) -> None:
    env = cli_env(gene_db_url, dagster_db_url, tmp_path)
    files = [f"{rel}={default_snapshot / 'descartes' / rel}" for rel in (TPM, PERCENTAGE)]
    done = run_cli("import-raw", "descartes", *files, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("import-raw: descartes: 2 file(s), ")
    assert "origin manual); the next `descartes_refresh` or rebuild loads them" in done.stdout
    imported = RawFileStore(root=str(tmp_path / "raw")).store.latest_import("descartes")
    assert imported is not None and set(imported.files) == {
        f"descartes/{TPM}",
        f"descartes/{PERCENTAGE}",
    }

    unknown = run_cli("import-raw", "nosuch", files[0], env=env)
    assert unknown.returncode == 1
    assert unknown.stderr.startswith("kg-pipeline import-raw: error: unknown source 'nosuch'")


def test_files_not_given_are_kept_from_the_latest_version(
    gene_db_url: str, tmp_path: Path, default_snapshot: Path
) -> None:
    assets, _ = pipeline_definitions()
    resources = pipeline_test_resources(
        gene_db_url, tmp_path / "raw", mirror_dir=str(default_snapshot)
    )
    selected = [assets["database_schema"], assets["raw_descartes"]]
    assert dg.materialize(selected, resources=resources).success
    with sa.create_engine(gene_db_url).connect() as conn:
        recorded = latest_raw_version(conn, "descartes")
    assert recorded is not None

    lines = (default_snapshot / "descartes" / TPM).read_text().splitlines()
    symbol = lines[0].split(",")[0]
    tpm = tmp_path / "kidney.csv"
    tpm.write_text("\n".join([f"{symbol},7.25", *lines[1:]]) + "\n")
    descartes = source("descartes")
    version = import_raw(
        descartes,
        file_keys(descartes, [f"{TPM}={tpm}"]),
        release=None,
        gene_db=resources["gene_db"],
        raw_store=resources["raw_store"],
        hgnc=resources["hgnc"],
    )
    percentage = f"descartes/{PERCENTAGE}"
    assert set(version.files) == {f"descartes/{TPM}", percentage}
    assert version.files[percentage].sha256 == recorded.files[percentage].sha256
    assert version.files[f"descartes/{TPM}"].sha256 != recorded.files[f"descartes/{TPM}"].sha256
