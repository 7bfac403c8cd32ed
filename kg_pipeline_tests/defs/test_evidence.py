"""Evidence loads, the gene import and scoring, materialised from generated snapshots.

The default snapshot is loaded once per module into a template database; each test works on a
copy of it (`loaded`). What a load must write is computed independently from the snapshot's
files (`kg_pipeline_tests/defs/evidence_oracle.py`), never by the parser or normaliser the
asset calls.
"""

import csv
import hashlib
import importlib
import io
import json
import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import pytest
import sqlalchemy as sa

from kg_pipeline.db.database import GeneDatabase, dispose_engine
from kg_pipeline.defs.resources import RawFileStore
from kg_pipeline.raw_files import RawFiles
from kg_pipeline.sources.hgnc.normalise import GeneNormaliser
from kg_pipeline.sources.records import ParsedEvidence
from kg_pipeline_tests.conftest import (
    create_database,
    drop_database,
    pipeline_definitions,
    pipeline_test_resources,
)
from kg_pipeline_tests.defs.evidence_oracle import (
    EVIDENCE_SOURCES,
    HgncIndex,
    gene_list_file_texts,
    gene_list_files,
    source_genes,
)

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
DEFAULT_SNAPSHOT_GENES = {
    "PanelApp": 400,
    "ClinGen": 193,
    "GenCC": 351,
    "HPO": 1_489,
    "PubTator": 4_195,
    "DiagnosticPanels": 949,
    "Literature": 836,
}
"""Genes per source of the deterministic default snapshot (the README's figures); the test
also derives each set from the files, so a change of the generator shows here as well."""
DEFAULT_SNAPSHOT_TOTAL = 4_778


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


def failure_message(result: dg.ExecuteInProcessResult) -> str:
    """The failing step's own one-line message, without the exception class."""
    (failure,) = [e for e in result.all_events if e.is_step_failure]
    return failure.step_failure_data.error.cause.message.split(": ", 1)[1].strip()


@dataclass(frozen=True)
class Loaded:
    """A database holding the default snapshot's load, with its raw store."""

    url: str
    engine: sa.Engine
    store: Path
    result: dg.ExecuteInProcessResult
    """The materialisation that loaded the template."""


@pytest.fixture(scope="module")
def template(
    pg_admin_url: str, default_snapshot: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path, dg.ExecuteInProcessResult]]:
    """The default snapshot loaded once: the database's name, its raw store, the result."""
    name = f"kg_test_{uuid.uuid4().hex[:12]}"
    url = create_database(pg_admin_url, name)
    store = tmp_path_factory.mktemp("evidence") / "raw"
    result = load(url, store, default_snapshot)
    assert result.success, [
        e.step_failure_data.error for e in result.all_events if e.is_step_failure
    ]
    dispose_engine(url)  # a template must have no open connections
    yield name, store, result
    drop_database(pg_admin_url, name)


@pytest.fixture
def loaded(
    template: tuple[str, Path, dg.ExecuteInProcessResult], pg_admin_url: str, tmp_path: Path
) -> Iterator[Loaded]:
    """This test's own copy of the loaded template: the database and (hard links of) its store."""
    template_name, template_store, result = template
    name = f"kg_test_{uuid.uuid4().hex[:12]}"
    url = create_database(pg_admin_url, name, template=template_name)
    store = tmp_path / "raw"
    shutil.copytree(template_store, store, copy_function=os.link)
    engine = sa.create_engine(url)
    yield Loaded(url, engine, store, result)
    engine.dispose()
    dispose_engine(url)
    drop_database(pg_admin_url, name)


@pytest.fixture(scope="module")
def default_hgnc(default_snapshot: Path) -> HgncIndex:
    return HgncIndex(default_snapshot / "hgnc" / "hgnc_complete_set.txt")


def test_default_snapshot_loads_exactly_the_genes_its_files_name(
    loaded: Loaded, default_snapshot: Path, default_hgnc: HgncIndex
) -> None:
    genes_meta = meta(loaded.result, "genes")
    expected = {
        name: source_genes(default_snapshot, key, default_hgnc)
        for key, name in EVIDENCE_SOURCES.items()
    }
    all_genes = set().union(*(e.genes for e in expected.values()))
    assert {name: len(e.genes) for name, e in expected.items()} == DEFAULT_SNAPSHOT_GENES
    assert len(all_genes) == DEFAULT_SNAPSHOT_TOTAL
    assert genes_meta["dagster/row_count"] == DEFAULT_SNAPSHOT_TOTAL
    assert genes_meta["evidence_rows_per_source"] == DEFAULT_SNAPSHOT_GENES
    with loaded.engine.connect() as conn:
        in_db = set(conn.execute(sa.text("SELECT hgnc_id FROM genes")).scalars())
        staged = conn.execute(
            sa.text("SELECT source_name, original_text FROM gene_normalization_staging")
        ).all()
        logged = dict(
            conn.execute(
                sa.text("SELECT source_name, count(*) FROM gene_normalization_log GROUP BY 1")
            ).all()
        )
        scores = conn.execute(sa.text("SELECT count(*) FROM gene_scores")).scalar_one()
        progress = dict(
            conn.execute(
                sa.text("SELECT source_name, status::text FROM data_source_progress")
            ).all()
        )
    assert in_db == all_genes
    for name, found in expected.items():
        assert evidence_genes(loaded.engine, name) == found.genes, name
        # Every text that names no gene (or several) is staged for a curator, and only those.
        assert sorted(t for s, t in staged if s == name) == sorted(found.pending), name
        # One log row per distinct text the source's kidney rows carry.
        assert logged[name] == len(found.texts), name
    assert len(staged) == sum(len(e.pending) for e in expected.values()) > 0
    assert scores == DEFAULT_SNAPSHOT_TOTAL
    assert all(progress[name] == "completed" for name in EVIDENCE_SOURCES.values())
    checks = {c.asset_key.to_user_string(): c for c in loaded.result.get_asset_check_evaluations()}
    # The snapshot's synthetic "Animal Model Only" kidney submissions are kept and flagged.
    gencc = checks.pop("gencc_evidence")
    assert not gencc.passed and gencc.severity == dg.AssetCheckSeverity.WARN
    assert gencc.description is not None
    assert "x classification 'Animal Model Only' kept at weight 0" in gencc.description
    for check in checks.values():
        assert check.passed, check.check_name


def test_animal_model_only_genes_are_kept_at_weight_0(loaded: Loaded) -> None:
    flagged = meta(loaded.result, "gencc_evidence")["flagged_rows"]
    assert set(flagged) == {"classification 'Animal Model Only' kept at weight 0"}
    with loaded.engine.connect() as conn:
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


def test_unchanged_raw_input_skips_the_load(loaded: Loaded, default_snapshot: Path) -> None:
    again = load(loaded.url, loaded.store, default_snapshot, ["raw_clingen", "clingen_evidence"])
    assert again.success
    assert again.asset_materializations_for_node("raw_clingen") == []
    assert again.asset_materializations_for_node("clingen_evidence") == []
    skipped = [e for e in again.all_events if e.event_type_value == "STEP_SKIPPED"]
    assert [e.step_key for e in skipped] == ["clingen_evidence"]


def test_a_version_fetched_and_loaded_in_one_run_is_parsed_once(
    pg_admin_url: str,
    default_snapshot: Path,
    default_hgnc: HgncIndex,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The raw step's check parses a new version; the evidence load of the same run takes that
    parse instead of reading the files again. A load in a later run parses them itself."""
    clingen = importlib.import_module("kg_pipeline.sources.clingen.parse")
    calls: list[int] = []
    parse = clingen.parse

    def counted(files: RawFiles) -> ParsedEvidence:
        calls.append(len(files))
        return parse(files)

    monkeypatch.setattr(clingen, "parse", counted)
    name = f"kg_test_{uuid.uuid4().hex[:12]}"
    url = create_database(pg_admin_url, name)
    try:
        store = tmp_path / "raw"
        expected = source_genes(default_snapshot, "clingen", default_hgnc).genes
        engine = sa.create_engine(url)
        names = ["database_schema", "raw_hgnc", "hgnc_reference", "raw_clingen"]
        first = load(url, store, default_snapshot, [*names, "clingen_evidence"])
        assert first.success
        assert len(calls) == 1
        assert evidence_genes(engine, "ClinGen") == expected

        alone = load(url, store, default_snapshot, ["clingen_evidence"])
        assert alone.success
        assert len(calls) == 2
        assert meta(alone, "clingen_evidence")["unchanged"] == len(expected)
        engine.dispose()
    finally:
        dispose_engine(url)
        drop_database(pg_admin_url, name)


def test_the_hgnc_complete_set_and_hp_obo_are_read_once_in_a_run(
    pg_admin_url: str, default_snapshot: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The raw steps' checks read the HGNC complete set and `hp.obo` (the HPO evidence parser
    and annotator both need the ontology); the HGNC reference after them in the run takes the
    check's read of the same stored file."""
    hgnc_parse = importlib.import_module("kg_pipeline.sources.hgnc.parse")
    hpo_ontology = importlib.import_module("kg_pipeline.sources.hpo.ontology")
    reads: list[str] = []
    read_text, terms_from_file = hgnc_parse.read_text, hpo_ontology.terms_from_file

    def counted_text(source: str, key: str, path: Path) -> str:
        reads.append(key)
        return read_text(source, key, path)

    def counted_terms(folder: str) -> Iterator[dict]:
        reads.append("hp.obo")
        return terms_from_file(folder)

    monkeypatch.setattr(hgnc_parse, "read_text", counted_text)
    monkeypatch.setattr(hpo_ontology, "terms_from_file", counted_terms)
    name = f"kg_test_{uuid.uuid4().hex[:12]}"
    url = create_database(pg_admin_url, name)
    try:
        names = ["database_schema", "raw_hgnc", "hgnc_reference", "raw_hpo", "hpo_evidence"]
        result = load(url, tmp_path / "raw", default_snapshot, names)
        assert result.success
        assert sorted(reads) == [hgnc_parse.FILE_KEY, "hp.obo"]
        assert meta(result, "hgnc_reference")["dagster/row_count"] > 0
    finally:
        dispose_engine(url)
        drop_database(pg_admin_url, name)


def test_the_annotation_loads_take_the_raw_checks_reads_of_their_files(
    loaded: Loaded, default_snapshot: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The raw steps' checks read MGI's reports, Descartes' tables, STRING's proteins, gnomAD's
    constraint table and GTEx's matrix without our genes; the annotation loads after them in the run
    take those reads of the same stored files instead of reading them again."""
    from kg_pipeline.sources import annotations
    from kg_pipeline.sources.descartes import parse as descartes
    from kg_pipeline.sources.gnomad import parse as gnomad
    from kg_pipeline.sources.gtex import parse as gtex
    from kg_pipeline.sources.mgi import parse as mgi
    from kg_pipeline.sources.string import parse as string

    reads: list[str] = []
    iter_blocks = annotations.iter_blocks

    def counted(source: str, key: str, path: Path, *args: object) -> object:
        reads.append(key)
        return iter_blocks(source, key, path, *args)

    monkeypatch.setattr(annotations, "iter_blocks", counted)
    loads = ["mpo_mgi", "descartes", "string_ppi", "gnomad", "gtex"]
    names = [f"raw_{s}" for s in ("mgi", "descartes", "string", "gnomad", "gtex")]
    names += [f"{s}_annotations" for s in loads]
    result = load(loaded.url, loaded.store, default_snapshot, names)
    assert result.success
    shared = [mgi.REPORT_KEY, mgi.GENEPHENO_KEY, *descartes.TABLES, string.INFO_KEY]
    shared += [gnomad.FILE_KEY, gtex.FILE_KEY]
    assert sorted(key for key in reads if key in shared) == sorted(shared)
    for name in loads:
        assert meta(result, f"{name}_annotations")["dagster/row_count"] > 0


def test_reloading_the_same_input_rewrites_nothing_and_stages_nothing_new(
    loaded: Loaded, default_snapshot: Path
) -> None:
    again = load(
        loaded.url, loaded.store, default_snapshot, ["clingen_evidence", "pubtator_evidence"]
    )
    assert again.success
    for name in ("clingen_evidence", "pubtator_evidence"):
        m = meta(again, name)
        assert m["inserted"] == m["updated"] == m["removed"] == 0
        assert m["unchanged"] == m["dagster/row_count"] > 0
        assert m["staged_new"] == 0


def _copy_snapshot(snapshot: Path, target: Path) -> Path:
    """A copy of `snapshot` whose files are hard links: replace a file, never write into it."""
    shutil.copytree(snapshot, target, copy_function=os.link)
    return target


def _replace(path: Path, text: str) -> None:
    path.unlink()  # a hard link to the shared snapshot: the original stays untouched
    path.write_text(text, encoding="utf-8")


CLINGEN_CSV = Path("clingen", "kb", "gene-validity", "download")
NON_KIDNEY_ROW = (
    '"A2ML1","HGNC:23336","Noonan syndrome","MONDO:0018997","AD","SOP5","Disputed",'
    '"https://search.clinicalgenome.org/kb/gene-validity/CGGV:x","2018-06-07T16:00:00.000Z",'
    '"RASopathy Gene Curation Expert Panel"'
)


UNRESOLVABLE_KIDNEY_ROW = (
    '"NOTAGENE9","HGNC:999999","autosomal dominant polycystic kidney disease","MONDO:0004691",'
    '"AD","SOP8","Definitive","https://search.clinicalgenome.org/kb/gene-validity/CGGV:y",'
    '"2020-01-01T00:00:00.000Z","Kidney Cystic and Ciliopathy Disorders Gene Curation Expert Panel"'
)


@pytest.mark.parametrize(
    ("rows", "expected", "progress"),
    [
        # A kidney curation of a gene HGNC does not know: the file parses, the load resolves
        # zero genes, and zero genes is not a load (the load refuses; its progress says so).
        ([UNRESOLVABLE_KIDNEY_ROW], "ClinGen: the new load has 0 genes", "failed"),
        # No kidney curation at all: the raw step's parser check refuses the file before any
        # version is recorded, so no load runs and its progress keeps the last good load.
        ([NON_KIDNEY_ROW], "clingen: cannot parse clingen/kb/gene-validity/download", "completed"),
        # Banner and header only: refused at the raw step as well, by the parser itself.
        ([], "ClinGen: cannot parse clingen/kb/gene-validity/download", "completed"),
    ],
)
def test_an_empty_reload_fails_and_keeps_the_previous_rows(
    loaded: Loaded,
    tmp_path: Path,
    default_snapshot: Path,
    rows: list[str],
    expected: str,
    progress: str,
) -> None:
    before = evidence_genes(loaded.engine, "ClinGen")
    broken = _copy_snapshot(default_snapshot, tmp_path / "broken")
    csv_path = broken / CLINGEN_CSV
    _replace(csv_path, "\n".join([*csv_path.read_text().splitlines()[:6], *rows]) + "\n")
    result = load(loaded.url, loaded.store, broken, ["raw_clingen", "clingen_evidence"])
    assert not result.success
    message = failure_message(result)
    assert message.startswith(expected), message
    assert "\n" not in message
    assert "previous" in message and ("stay" in message or "kept" in message)
    assert evidence_genes(loaded.engine, "ClinGen") == before
    with loaded.engine.connect() as conn:
        status, error = conn.execute(
            sa.text(
                "SELECT status::text, error_message FROM data_source_progress "
                "WHERE source_name = 'ClinGen'"
            )
        ).one()
    assert status == progress
    assert error.startswith(expected) if progress == "failed" else error is None


CLASSIFICATIONS = ("Definitive", "Strong", "Moderate", "Limited", "Disputed", "Refuted")


def _clingen_subset(snapshot: Path, hgnc: HgncIndex, keep: set[str], reclassify: set[str]) -> None:
    """Rewrite the snapshot's ClinGen CSV with only the rows whose symbol names a gene in `keep`;
    the rows of each gene in `reclassify` get one classification that gene had nowhere."""
    path = snapshot / CLINGEN_CSV
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    rows = [r for r in csv.reader(lines[6:]) if len(r) == 10]
    had: dict[str, set[str]] = {}
    for row in rows:
        had.setdefault(hgnc.resolve(row[0]).hgnc_id or "", set()).add(row[6])
    for row in rows:
        gene = hgnc.resolve(row[0]).hgnc_id
        if gene in keep:
            if gene in reclassify:
                row[6] = next(c for c in CLASSIFICATIONS if c not in had[gene])
            writer.writerow(row)
    _replace(path, "".join(lines[:6]) + out.getvalue())


# The default snapshot's ClinGen load has 193 genes: the floor (KG_EVIDENCE_FLOOR_RATIO 0.5)
# is 96, the warning level (KG_EVIDENCE_WARN_RATIO 0.8) 154.
@pytest.mark.parametrize(
    ("kept", "outcome"),
    [(154, "written"), (96, "written, warns"), (95, "refused")],
)
def test_a_smaller_reload_is_written_warned_or_refused_by_its_share_of_the_previous(
    loaded: Loaded,
    tmp_path: Path,
    default_snapshot: Path,
    default_hgnc: HgncIndex,
    kept: int,
    outcome: str,
) -> None:
    before = evidence_genes(loaded.engine, "ClinGen")
    assert len(before) == DEFAULT_SNAPSHOT_GENES["ClinGen"]
    keep = set(sorted(before)[:kept])
    reclassify = set(sorted(keep)[:3])
    smaller = _copy_snapshot(default_snapshot, tmp_path / "smaller")
    _clingen_subset(smaller, default_hgnc, keep, reclassify)
    assert source_genes(smaller, "clingen", default_hgnc).genes == keep  # read independently

    result = load(loaded.url, loaded.store, smaller, ["raw_clingen", "clingen_evidence"])

    if outcome == "refused":
        assert not result.success
        message = failure_message(result)
        assert message.startswith(
            f"ClinGen: the new load has {kept} genes, below the floor of 96 (50% of the 193 "
            "loaded before); nothing was written and the previous rows stay."
        ), message
        assert "KG_EVIDENCE_FLOOR_RATIO" in message and "\n" not in message
        assert evidence_genes(loaded.engine, "ClinGen") == before
        return
    assert result.success
    assert evidence_genes(loaded.engine, "ClinGen") == keep
    m = meta(result, "clingen_evidence")
    assert (m["inserted"], m["updated"], m["unchanged"], m["removed"]) == (
        0,
        3,
        kept - 3,
        193 - kept,
    )
    (check,) = result.get_asset_check_evaluations()
    assert check.check_name == "rows_within_expected"
    assert check.severity == dg.AssetCheckSeverity.WARN
    assert check.passed is (outcome == "written")
    assert {k: v.value for k, v in check.metadata.items() if k != "flagged_rows"} == {
        "rows": kept,
        "warn_below": 154,
        "refused_below": 96,
        "previous_rows": 193,
    }


def _uploads(engine: sa.Engine, source_name: str) -> list[sa.Row]:
    with engine.connect() as conn:
        return conn.execute(
            sa.text(
                "SELECT file_path, file_hash, gene_count, genes_normalized, genes_failed, "
                "genes_staged, upload_status FROM static_evidence_uploads u "
                "JOIN static_sources s ON s.id = u.source_id WHERE s.source_name = :s "
                "ORDER BY file_path, u.id"
            ),
            {"s": source_name},
        ).all()


def _expected_upload(path: Path, source_key: str, hgnc: HgncIndex) -> tuple:
    """What `static_evidence_uploads` must say of one file, read from the file itself."""
    texts = {t.strip(): hgnc.resolve(t) for t in gene_list_file_texts(path)}
    failed = [t for t, r in texts.items() if r.hgnc_id is None]
    return (
        f"{source_key}/{path.name}",
        hashlib.sha256(path.read_bytes()).hexdigest(),
        len(texts),
        len({r.hgnc_id for r in texts.values() if r.hgnc_id}),
        len(failed),
        len(failed),  # every failed text of these files is staged (none is a placeholder)
        "completed",
    )


def test_every_file_of_the_file_based_sources_is_recorded_with_its_genes(
    loaded: Loaded, default_snapshot: Path, default_hgnc: HgncIndex
) -> None:
    for key in ("diagnostic_panels", "literature"):
        files = gene_list_files(default_snapshot, key)
        assert len(files) == {"diagnostic_panels": 9, "literature": 12}[key]
        expected = [_expected_upload(path, key, default_hgnc) for path in files]
        assert [tuple(r) for r in _uploads(loaded.engine, EVIDENCE_SOURCES[key])] == expected


def _edit_hgnc(
    path: Path, lists: dict[str, list[tuple[str, str, str]]], renamed: dict[str, str]
) -> None:
    """A new HGNC release: in the `|`-list columns of the rows `lists` names (hgnc_id ->
    [("add" or "drop", column, name)]) a name is added or dropped, and `renamed` genes get a
    new symbol, the old one becoming a previous symbol. Lists are written as HGNC writes them."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    names = lines[0].rstrip("\n").split("\t")

    def edit(cells: list[str], op: str, column: str, name: str) -> None:
        i = names.index(column)
        values = [v for v in cells[i].strip('"').split("|") if v and v.upper() != name.upper()]
        values += [name] if op == "add" else []
        cells[i] = f'"{"|".join(values)}"' if len(values) > 1 else "".join(values)

    for n, line in enumerate(lines[1:], start=1):
        cells = line.rstrip("\n").split("\t")
        for op, column, name in lists.get(cells[0], []):
            edit(cells, op, column, name)
        if cells[0] in renamed:
            edit(cells, "add", "prev_symbol", cells[names.index("symbol")])
            cells[names.index("symbol")] = renamed[cells[0]]
        lines[n] = "\t".join(cells) + "\n"
    _replace(path, "".join(lines))


def test_an_hgnc_release_renames_genes_and_resolves_staged_texts_and_a_gene_without_evidence_goes(
    loaded: Loaded, tmp_path: Path, default_snapshot: Path, default_hgnc: HgncIndex
) -> None:
    """A new HGNC release renames a ClinGen gene, makes ClinGen's unresolved text an alias and
    drops all but one claim on its ambiguous text: the pending text resolves automatically, the
    one a curator reviewed resolves too but keeps its review. A Literature-only gene leaves its
    file: its evidence goes, then the gene; the changed file is recorded as a new upload."""
    engine = loaded.engine
    clingen = source_genes(default_snapshot, "clingen", default_hgnc)
    (pending,) = [t for t, r in clingen.texts.items() if r.status == "unresolved"]
    (reviewed,) = [t for t, r in clingen.texts.items() if r.status == "ambiguous"]
    with engine.connect() as conn:
        sources = dict(
            conn.execute(
                sa.text(
                    "SELECT g.hgnc_id, array_agg(e.source_name ORDER BY e.source_name) "
                    "FROM genes g JOIN gene_evidence e ON e.gene_id = g.id GROUP BY 1"
                )
            ).all()
        )
    renamed = next(  # a ClinGen gene whose symbol no other gene claims
        g
        for g in sorted(clingen.genes)
        if all(default_hgnc.symbol_of[g].upper() not in c for c in default_hgnc.claims.values())
    )
    old_symbol = default_hgnc.symbol_of[renamed]
    aliased = next(g for g in sorted(sources) if "ClinGen" not in sources[g])
    (column, claimants), *_ = [
        (c, sorted(owners[reviewed.upper()]))
        for c, owners in default_hgnc.claims.items()
        if reviewed.upper() in owners
    ]
    (only_literature, *_) = sorted(g for g, s in sources.items() if s == ["Literature"])

    changed = _copy_snapshot(default_snapshot, tmp_path / "changed")
    _edit_hgnc(
        changed / "hgnc" / "hgnc_complete_set.txt",
        {
            aliased: [("add", "alias_symbol", pending)],
            **{gene: [("drop", column, reviewed)] for gene in claimants[1:]},
        },
        {renamed: "KGRENAMED1"},
    )
    new_hgnc = HgncIndex(changed / "hgnc" / "hgnc_complete_set.txt")
    assert new_hgnc.resolve(pending).hgnc_id == aliased
    assert new_hgnc.resolve(reviewed).hgnc_id == claimants[0]
    touched = []
    for path in gene_list_files(changed, "literature"):
        document = json.loads(path.read_text(encoding="utf-8"))
        kept = [
            e
            for e in document["genes"]
            if new_hgnc.resolve(str(e.get("symbol"))).hgnc_id != only_literature
        ]
        if len(kept) < len(document["genes"]):
            touched.append(path)
            _replace(path, json.dumps({**document, "genes": kept}))
    assert touched
    # The curator's review, in the columns the web application writes.
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "UPDATE gene_normalization_staging SET status = 'approved', "
                "review_notes = 'checked', manual_approved_symbol = :symbol "
                "WHERE source_name = 'ClinGen' AND original_text = :text"
            ),
            {"text": reviewed, "symbol": default_hgnc.symbol_of[claimants[0]]},
        )
    uploads_before = _uploads(engine, "Literature")

    result = load(
        loaded.url,
        loaded.store,
        changed,
        ["raw_hgnc", "hgnc_reference", "clingen_evidence", "raw_literature",
         "literature_evidence", "genes"],
    )  # fmt: skip

    assert result.success
    expected_clingen = source_genes(changed, "clingen", new_hgnc).genes
    added = {aliased, claimants[0]} - clingen.genes
    assert expected_clingen == clingen.genes | added and added
    assert evidence_genes(engine, "ClinGen") == expected_clingen
    expected_literature = source_genes(changed, "literature", new_hgnc).genes
    assert evidence_genes(engine, "Literature") == expected_literature
    cg, lit, genes = (meta(result, n) for n in ("clingen_evidence", "literature_evidence", "genes"))
    assert (cg["inserted"], cg["removed"], cg["auto_resolved"], cg["staged_pending"]) == (
        len(added),
        0,
        1,
        0,
    )
    assert (lit["inserted"], lit["updated"], lit["removed"]) == (0, 0, 1)
    # Refreshed: the genes already in the database whose HGNC row changed (genes a load adds
    # are written from the new release). Removed: the Literature-only gene.
    refreshed = {renamed, aliased, *claimants[1:]} & set(sources)
    assert (genes["refreshed_from_hgnc"], genes["removed_without_evidence"]) == (len(refreshed), 1)
    with engine.connect() as conn:
        staging = {
            text: tuple(row)
            for text, *row in conn.execute(
                sa.text(
                    "SELECT original_text, status, resolution_method, review_notes "
                    "FROM gene_normalization_staging WHERE source_name = 'ClinGen'"
                )
            )
        }
        in_db = {
            hgnc_id: (symbol, previous, aliases)
            for hgnc_id, symbol, previous, aliases in conn.execute(
                sa.text("SELECT hgnc_id, approved_symbol, previous_symbols, aliases FROM genes")
            )
        }
    assert staging == {
        pending: ("auto_resolved", "automatic_retry", None),
        reviewed: ("approved", None, "checked"),
    }
    assert in_db[renamed][0] == "KGRENAMED1" and old_symbol in in_db[renamed][1]
    assert pending in in_db[aliased][2]
    assert all(reviewed not in in_db[g][2] for g in claimants[1:] if g in in_db)
    assert only_literature not in in_db
    # The changed file is a new upload; the others are updated in place, not duplicated.
    uploads = _uploads(engine, "Literature")
    assert len(uploads) == len(uploads_before) + len(touched)
    new_rows = [tuple(r) for r in uploads if r not in uploads_before]
    assert new_rows == [_expected_upload(p, "literature", new_hgnc) for p in sorted(touched)]


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
