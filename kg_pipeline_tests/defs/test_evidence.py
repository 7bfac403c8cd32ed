"""Evidence loads, the gene import and scoring, materialised from generated snapshots."""

import importlib
import shutil
from pathlib import Path

import dagster as dg
import pytest
import sqlalchemy as sa

from kg_pipeline.db.database import GeneDatabase
from kg_pipeline.defs.resources import RawFileStore
from kg_pipeline.raw_files import RawFiles
from kg_pipeline.sources.hgnc.normalise import GeneNormaliser
from kg_pipeline_tests.conftest import pipeline_definitions, pipeline_test_resources

EVIDENCE_SOURCES = {
    "panelapp": "PanelApp",
    "clingen": "ClinGen",
    "gencc": "GenCC",
    "hpo": "HPO",
    "pubtator": "PubTator",
    "diagnostic_panels": "DiagnosticPanels",
    "literature": "Literature",
}
LOAD_ASSETS = [
    "database_schema",
    "raw_hgnc",
    "hgnc_reference",
    *(f"raw_{s}" for s in EVIDENCE_SOURCES),
    *(f"{s}_evidence" for s in EVIDENCE_SOURCES),
    "genes",
    "gene_scores",
    "gene_curations",
]


def load(
    gene_db_url: str, store: Path, snapshot: Path, names: list[str] = LOAD_ASSETS
) -> dg.ExecuteInProcessResult:
    all_assets, all_checks = pipeline_definitions()
    assets = [all_assets[name] for name in names]
    checks = [
        check
        for check in all_checks
        if all(key.asset_key.to_user_string() in names for key in check.check_keys)
    ]
    return dg.materialize(
        [*assets, *checks],
        resources=pipeline_test_resources(gene_db_url, store, mirror_dir=snapshot),
        raise_on_error=False,
    )


def meta(result: dg.ExecuteInProcessResult, name: str) -> dict:
    (event,) = result.asset_materializations_for_node(name)
    return {key: value.value for key, value in event.metadata.items()}


def evidence_genes(engine: sa.Engine, source_name: str) -> set[str]:
    with engine.connect() as conn:
        return set(
            conn.execute(
                sa.text(
                    "SELECT g.hgnc_id FROM gene_evidence e JOIN genes g ON g.id = e.gene_id "
                    "WHERE e.source_name = :s"
                ),
                {"s": source_name},
            ).scalars()
        )


@pytest.fixture
def loaded(gene_db_url: str, tmp_path: Path, default_snapshot: Path) -> dg.ExecuteInProcessResult:
    result = load(gene_db_url, tmp_path / "raw", default_snapshot)
    assert result.success, [
        e.step_failure_data.error for e in result.all_events if e.is_step_failure
    ]
    return result


def test_default_snapshot_loads_about_4800_genes(
    loaded: dg.ExecuteInProcessResult, gene_engine: sa.Engine
) -> None:
    genes_meta = meta(loaded, "genes")
    assert 4_300 <= genes_meta["dagster/row_count"] <= 5_300
    per_source = genes_meta["evidence_rows_per_source"]
    assert set(per_source) == set(EVIDENCE_SOURCES.values())
    assert per_source["PubTator"] > 3_000
    assert all(count > 0 for count in per_source.values())
    with gene_engine.connect() as conn:
        staged = conn.execute(
            sa.text(
                "SELECT count(*), count(DISTINCT (source_name, original_text)) "
                "FROM gene_normalization_staging"
            )
        ).one()
        logged = conn.execute(sa.text("SELECT count(*) FROM gene_normalization_log")).scalar_one()
        scores = conn.execute(sa.text("SELECT count(*) FROM gene_scores")).scalar_one()
        progress = dict(
            conn.execute(
                sa.text("SELECT source_name, status::text FROM data_source_progress")
            ).all()
        )
    assert staged[0] > 0 and staged[0] == staged[1]  # oddities staged once each
    assert logged >= sum(per_source.values()) // 10
    assert scores == genes_meta["dagster/row_count"]
    assert all(progress[name] == "completed" for name in EVIDENCE_SOURCES.values())
    checks = {c.asset_key.to_user_string(): c for c in loaded.get_asset_check_evaluations()}
    # The snapshot's synthetic "Animal Model Only" kidney submissions are kept and flagged.
    gencc = checks.pop("gencc_evidence")
    assert not gencc.passed and gencc.severity == dg.AssetCheckSeverity.WARN
    assert gencc.description is not None
    assert "x classification 'Animal Model Only' kept at weight 0" in gencc.description
    for check in checks.values():
        assert check.passed, check.check_name


def test_animal_model_only_genes_are_kept_at_weight_0(
    loaded: dg.ExecuteInProcessResult, gene_engine: sa.Engine
) -> None:
    flagged = meta(loaded, "gencc_evidence")["flagged_rows"]
    assert set(flagged) == {"classification 'Animal Model Only' kept at weight 0"}
    with gene_engine.connect() as conn:
        weights = conn.execute(
            sa.text(
                "SELECT e.evidence_data->'classifications', w.classification_weight "
                "FROM gene_evidence e JOIN evidence_classification_weights w "
                "ON w.evidence_id = e.id WHERE e.source_name = 'GenCC' "
                "AND e.evidence_data->'classifications' ? 'Animal Model Only'"
            )
        ).all()
    only = [w for c, w in weights if c == ["Animal Model Only"]]
    assert only and set(only) == {0.0}  # genes whose only kidney submission it is: kept
    assert any(w > 0.0 for c, w in weights if len(c) > 1)  # weighed by their other classes


def test_unchanged_raw_input_skips_the_load(
    loaded: dg.ExecuteInProcessResult, gene_db_url: str, tmp_path: Path, default_snapshot: Path
) -> None:
    again = load(
        gene_db_url, tmp_path / "raw", default_snapshot, ["raw_clingen", "clingen_evidence"]
    )
    assert again.success
    assert again.asset_materializations_for_node("raw_clingen") == []
    assert again.asset_materializations_for_node("clingen_evidence") == []
    skipped = [e for e in again.all_events if e.event_type_value == "STEP_SKIPPED"]
    assert [e.step_key for e in skipped] == ["clingen_evidence"]


def test_reloading_the_same_input_rewrites_nothing_and_stages_nothing_new(
    loaded: dg.ExecuteInProcessResult, gene_db_url: str, tmp_path: Path, default_snapshot: Path
) -> None:
    again = load(
        gene_db_url, tmp_path / "raw", default_snapshot, ["clingen_evidence", "pubtator_evidence"]
    )
    assert again.success
    for name in ("clingen_evidence", "pubtator_evidence"):
        m = meta(again, name)
        assert m["inserted"] == m["updated"] == m["removed"] == 0
        assert m["unchanged"] == m["dagster/row_count"] > 0
        assert m["staged_new"] == 0


def _copy_snapshot(snapshot: Path, target: Path) -> Path:
    shutil.copytree(snapshot, target, symlinks=True)
    return target


NON_KIDNEY_ROW = (
    '"A2ML1","HGNC:23336","Noonan syndrome","MONDO:0018997","AD","SOP5","Disputed",'
    '"https://search.clinicalgenome.org/kb/gene-validity/CGGV:x","2018-06-07T16:00:00.000Z",'
    '"RASopathy Gene Curation Expert Panel"'
)


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        # A well-formed file with no kidney curation: zero genes is not a load.
        ([NON_KIDNEY_ROW], "ClinGen: the new load has 0 genes"),
        # Banner and header only: not a usable file at all.
        ([], "ClinGen: cannot parse clingen/kb/gene-validity/download"),
    ],
)
def test_an_empty_reload_fails_and_keeps_the_previous_rows(
    loaded: dg.ExecuteInProcessResult,
    gene_db_url: str,
    gene_engine: sa.Engine,
    tmp_path: Path,
    default_snapshot: Path,
    rows: list[str],
    expected: str,
) -> None:
    before = evidence_genes(gene_engine, "ClinGen")
    broken = _copy_snapshot(default_snapshot, tmp_path / "broken")
    csv = broken / "clingen" / "kb" / "gene-validity" / "download"
    csv.write_text("\n".join([*csv.read_text().splitlines()[:6], *rows]) + "\n")
    result = load(gene_db_url, tmp_path / "raw", broken, ["raw_clingen", "clingen_evidence"])
    assert not result.success
    (failure,) = [e for e in result.all_events if e.is_step_failure]
    message = failure.step_failure_data.error.cause.message.split(": ", 1)[1].strip()
    assert message.startswith(expected), message
    assert "\n" not in message
    assert "previous" in message and ("stay" in message or "kept" in message)
    assert evidence_genes(gene_engine, "ClinGen") == before
    with gene_engine.connect() as conn:
        status, error = conn.execute(
            sa.text(
                "SELECT status::text, error_message FROM data_source_progress "
                "WHERE source_name = 'ClinGen'"
            )
        ).one()
    assert status == "failed" and error.startswith(expected)


def _resolvable(files: RawFiles, parser, normaliser: GeneNormaliser) -> tuple[set, set]:
    rows = parser.parse(files).rows
    decisions = normaliser.normalise(rows[["symbol", "reported_hgnc_id"]])
    resolved = set(decisions.loc[decisions["status"].eq("resolved"), "hgnc_id"])
    unresolved = set(
        decisions.loc[decisions["status"].isin(["unresolved", "ambiguous"]), "symbol"].astype(str)
    )
    return resolved, unresolved


@pytest.fixture(scope="module")
def real_snapshot(tmp_path_factory: pytest.TempPathFactory, real_data_dir: Path) -> Path:
    from kg_pipeline.devtools.snapshot import generate_snapshot

    out = tmp_path_factory.mktemp("real") / "snapshot"
    generate_snapshot(out, real_data=real_data_dir)
    return out


UPSTREAMS_OF = {"panelapp": ["panelapp_uk", "panelapp_au"]}


def snapshot_files(snapshot: Path, source_key: str) -> dict[str, Path]:
    """The raw files of a source as its raw asset keys them: `<upstream>/<relpath>`."""
    files = {}
    for upstream in UPSTREAMS_OF.get(source_key, [source_key]):
        for path in sorted((snapshot / upstream).rglob("*")):
            if path.is_file():
                files[f"{upstream}/{path.relative_to(snapshot / upstream).as_posix()}"] = path
    return files


def test_real_data_rebuild_loads_exactly_the_resolvable_genes(
    gene_db_url: str, gene_engine: sa.Engine, tmp_path: Path, real_snapshot: Path
) -> None:
    result = load(gene_db_url, tmp_path / "raw", real_snapshot)
    assert result.success
    normaliser = GeneNormaliser.from_file(real_snapshot / "hgnc" / "hgnc_complete_set.txt")
    store = RawFileStore(root=str(tmp_path / "raw"))
    for source_key, name in EVIDENCE_SOURCES.items():
        parser = importlib.import_module(f"kg_pipeline.sources.{source_key}.parse")
        # The source's real input is what its raw asset fetched (PanelApp: the kidney panels).
        _, files = store.latest(GeneDatabase(url=gene_db_url), source_key)
        resolved, unresolved = _resolvable(files, parser, normaliser)
        assert resolved, source_key
        assert evidence_genes(gene_engine, name) == resolved, source_key
        with gene_engine.connect() as conn:
            staged = set(
                conn.execute(
                    sa.text(
                        "SELECT original_text FROM gene_normalization_staging "
                        "WHERE source_name = :s"
                    ),
                    {"s": name},
                ).scalars()
            )
        assert staged == unresolved, source_key


def test_real_panel_and_literature_files_have_their_published_symbol_counts(
    real_snapshot: Path,
) -> None:
    for source_key, distinct_symbols in (("diagnostic_panels", 966), ("literature", 815)):
        parser = importlib.import_module(f"kg_pipeline.sources.{source_key}.parse")
        rows = parser.parse(snapshot_files(real_snapshot, source_key)).rows
        assert rows["symbol"].astype(str).str.upper().nunique() == distinct_symbols
