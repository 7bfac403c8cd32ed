"""The eight annotation loads, from a snapshot built with the real data.

gnomAD, GTEx, Descartes and STRING values are compared with the R predecessor's annotated table
(603 genes); ClinVar and MGI come from real downloads of other releases, so their loaded values
are compared with what the raw files say, read independently here with the csv module.
"""

import csv
import gzip
import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest
import sqlalchemy as sa

from kg_pipeline.db.database import dispose_engine
from kg_pipeline_tests.conftest import (
    create_database,
    drop_database,
    pipeline_definitions,
    pipeline_test_resources,
)

ANNOTATIONS = ["hgnc", "gnomad", "gtex", "descartes", "hpo", "clinvar", "mpo_mgi", "string_ppi"]


def materialize_all(url: str, store: Path, snapshot: Path, names: list[str] | None = None):
    assets, checks = pipeline_definitions()
    selected = [assets[n] for n in names] if names else list(assets.values())
    chosen = {a.key for a in selected}
    return dg.materialize(
        [*selected, *(c for c in checks if all(k.asset_key in chosen for k in c.check_keys))],
        resources=pipeline_test_resources(url, store, mirror_dir=snapshot),
        raise_on_error=False,
    )


@pytest.fixture(scope="module")
def real_snapshot(tmp_path_factory: pytest.TempPathFactory, real_data_dir: Path) -> Path:
    from kg_pipeline.devtools.snapshot import generate_snapshot

    out = tmp_path_factory.mktemp("real-annotations") / "snapshot"
    generate_snapshot(out, real_data=real_data_dir)
    return out


@pytest.fixture(scope="module")
def rebuilt(
    pg_admin_url: str, real_snapshot: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path, dg.ExecuteInProcessResult]]:
    """The whole graph materialised once from the real-data snapshot."""
    name = f"kg_test_{uuid.uuid4().hex[:12]}"
    url = create_database(pg_admin_url, name)
    store = tmp_path_factory.mktemp("annotations") / "raw"
    result = materialize_all(url, store, real_snapshot)
    assert result.success
    yield url, store, result
    dispose_engine(url)
    drop_database(pg_admin_url, name)


def annotations(url: str, source: str) -> dict[str, dict]:
    """symbol -> annotations of one source."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT g.approved_symbol, ga.annotations FROM gene_annotations ga "
                "JOIN genes g ON g.id = ga.gene_id WHERE ga.source = :s"
            ),
            {"s": source},
        ).all()
    engine.dispose()
    return dict(rows)


def r_table(real_data_dir: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(real_data_dir / "r_v1" / f"{name}.2024-05-14.csv.gz", dtype=str)


def number(text: object) -> float | None:
    return None if text is None or pd.isna(text) or text in ("", "NA") else float(text)


def test_every_annotation_source_loads_with_coverage(rebuilt) -> None:
    url, _, result = rebuilt
    for source in ANNOTATIONS:
        (event,) = result.asset_materializations_for_node(f"{source}_annotations")
        assert event.metadata["dagster/row_count"].value > 0, source
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        sources = conn.execute(
            sa.text(
                "SELECT source_name, version, last_update, next_update, row_count "
                "FROM annotation_sources"
            )
        ).all()
        summary = conn.execute(sa.text("SELECT count(*) FROM gene_annotations_summary")).scalar()
        genes = conn.execute(sa.text("SELECT count(*) FROM genes")).scalar()
    engine.dispose()
    assert summary == genes
    for row in sources:
        assert row.last_update is not None and row.next_update > row.last_update, row
        assert row.row_count > 0 and row.version, row
    for evaluation in result.get_asset_check_evaluations():
        assert evaluation.passed, evaluation.check_name


def test_gnomad_values_equal_the_r_predecessor(rebuilt, real_data_dir: Path) -> None:
    url, _, _ = rebuilt
    loaded = annotations(url, "gnomad")
    r = r_table(real_data_dir, "C_high_evidence_annotated_csv_table")
    compared = 0
    for row in r.itertuples(index=False):
        expected = {
            k: number(getattr(row, r_key))
            for k, r_key in (
                ("pli", "pLI"),
                ("oe_lof", "oe_lof"),
                ("lof_z", "lof_z"),
                ("mis_z", "mis_z"),
            )
        }
        if all(v is None for v in expected.values()):
            continue
        got = loaded.get(row.approved_symbol)
        assert got is not None, row.approved_symbol
        for key, value in expected.items():
            if value is not None:
                assert got[key] == pytest.approx(value, rel=1e-12), (row.approved_symbol, key)
        compared += 1
    assert compared >= 400


def test_gnomad_records_and_checks_its_genes_on_chrx(rebuilt) -> None:
    url, _, result = rebuilt
    loaded = annotations(url, "gnomad")
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        on_x = set(
            conn.execute(
                sa.text(
                    "SELECT g.approved_symbol FROM gene_annotations ga "
                    "JOIN genes g ON g.id = ga.gene_id "
                    "JOIN gene_annotations h ON h.gene_id = g.id AND h.source = 'hgnc' "
                    "WHERE ga.source = 'gnomad' AND h.annotations->>'location' LIKE 'X%'"
                )
            ).scalars()
        )
    engine.dispose()
    (event,) = result.asset_materializations_for_node("gnomad_annotations")
    (check,) = [
        e for e in result.get_asset_check_evaluations() if e.check_name == "chrx_genes_annotated"
    ]

    assert {"COL4A5", "OCRL"} <= on_x <= set(loaded)
    assert event.metadata["genes_on_chrx"].value == len(on_x)
    assert check.passed and check.metadata["genes_on_chrx"].value == len(on_x)


def test_expression_values_equal_the_r_predecessor(rebuilt, real_data_dir: Path) -> None:
    url, _, _ = rebuilt
    gtex, descartes = annotations(url, "gtex"), annotations(url, "descartes")
    symbols = dict(
        r_table(real_data_dir, "C_high_evidence_annotated_csv_table")[
            ["hgnc_id", "approved_symbol"]
        ].itertuples(index=False)
    )
    expression = r_table(real_data_dir, "merge_analyses_sources_high_evidence_expression")
    compared = {"gtex": 0, "descartes": 0}
    for row in expression.itertuples(index=False):
        symbol = symbols[row.hgnc_id]
        cortex, medulla = number(row.gtex_kidney_cortex), number(row.gtex_kidney_medulla)
        if cortex is not None:
            assert gtex[symbol]["kidney_cortex_tpm"] == pytest.approx(cortex, rel=1e-12)
            assert gtex[symbol]["kidney_medulla_tpm"] == pytest.approx(medulla, rel=1e-12)
            compared["gtex"] += 1
        tpm = number(row.descartes_kidney_tpm)
        if tpm is not None:
            assert descartes[symbol]["kidney_tpm"] == pytest.approx(tpm, rel=1e-12), symbol
            compared["descartes"] += 1
    assert compared["gtex"] >= 500 and compared["descartes"] >= 400, compared


def test_string_links_equal_the_r_predecessor(rebuilt, real_data_dir: Path, real_snapshot) -> None:
    url, _, _ = rebuilt
    loaded = annotations(url, "string_ppi")
    info = real_snapshot / "string" / "protein.info.v12.0" / "9606.protein.info.v12.0.txt.gz"
    with gzip.open(info, "rt") as fh:
        symbol_of = {line.split("\t")[0]: line.split("\t")[1] for line in fh if line[0] != "#"}
    symbols = dict(
        r_table(real_data_dir, "C_high_evidence_annotated_csv_table")[
            ["hgnc_id", "approved_symbol"]
        ].itertuples(index=False)
    )
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        scored = set(
            conn.execute(
                sa.text("SELECT approved_symbol FROM gene_scores WHERE percentage_score > 0")
            ).scalars()
        )
    engine.dispose()
    lists = {
        symbols[row.hgnc_id]: dict(
            (protein, int(score))
            for protein, score in (
                item.rsplit(":", 1) for item in row.stringdb_interaction_string.split(", ")
            )
        )
        for row in r_table(
            real_data_dir, "merge_analyses_sources_high_evidence_string"
        ).itertuples()
        if isinstance(row.stringdb_interaction_string, str)
    }
    # R lists a gene's partners by protein, never the gene's own protein. STRING's info file
    # names a protein after the gene; R's lists are that protein's only when another R gene
    # lists it back with the same score (not so for genes STRING knows by an older name).
    protein_of = {symbol: protein for protein, symbol in symbol_of.items()}
    confirmed = {
        x
        for x, partners in lists.items()
        if x in protein_of
        and any(
            protein_of.get(y) in partners and partners[protein_of[y]] == theirs.get(protein_of[x])
            for y, theirs in lists.items()
        )
    }
    assert len(confirmed) > 450
    # A link is one pair, both ways.
    links: dict[frozenset[str], int] = {}
    for symbol in confirmed:
        for protein, score in lists[symbol].items():
            partner = symbol_of.get(protein)
            if partner and partner != symbol:
                pair = frozenset((symbol, partner))
                links[pair] = max(score, links.get(pair, 0))
    compared = 0
    for symbol in sorted(scored & set(loaded)):
        # Our rule: links of at least 400 between two scored kidney genes.
        expected = {
            next(iter(pair - {symbol})): score
            for pair, score in links.items()
            if symbol in pair and score >= 400 and next(iter(pair - {symbol})) in scored
        }
        got = {i["partner_symbol"]: i["string_score"] for i in loaded[symbol]["interactions"]}
        if expected and len(got) < 30:  # the annotation keeps the top 30 interactions
            # Every real link is loaded with its real score (the derived file also holds
            # synthetic links of genes R did not annotate, which may add partners).
            assert {p: got.get(p) for p in expected} == expected, symbol
            compared += 1
    assert compared >= 100, compared


def test_clinvar_values_equal_the_raw_file(rebuilt, real_snapshot: Path) -> None:
    url, _, _ = rebuilt
    loaded = annotations(url, "clinvar")
    with (real_snapshot / "clinvar" / "gene_specific_summary.txt").open(newline="") as fh:
        next(fh)  # "#Overview of data in ClinVar by gene, dated ..."
        reader = csv.DictReader(fh, delimiter="\t")
        raw = {r["#Symbol"]: r for r in reader}
    sample = [
        s
        for s in ("PKD1", "PKD2", "COL4A5", "UMOD", "NPHS1", "NPHS2", "HNF1B", "PAX2")
        if s in loaded
    ]
    assert len(sample) >= 6
    for symbol in sample:
        row, got = raw[symbol], loaded[symbol]
        assert got["total_alleles"] == int(row["Total_alleles"]), symbol
        assert got["total_submissions"] == int(row["Total_submissions"]), symbol
        pathogenic = row["Alleles_reported_Pathogenic_Likely_pathogenic"]
        assert got["pathogenic_or_likely_pathogenic_alleles"] == (
            0 if pathogenic == "-" else int(pathogenic)
        ), symbol
        assert got["uncertain"] == int(row["Number_uncertain"]), symbol
        assert got["conflicting"] == int(row["Number_with_conflicts"]), symbol


def test_mgi_kidney_phenotypes_equal_the_raw_reports(
    rebuilt, real_snapshot: Path, real_data_dir: Path
) -> None:
    url, _, _ = rebuilt
    loaded = annotations(url, "mpo_mgi")
    kidney = set(
        json.loads((real_data_dir / "upstream_seed" / "mpo_kidney_terms.json").read_text())
    )
    systems: dict[str, set[str]] = {}
    markers: dict[str, set[str]] = {}
    with (real_snapshot / "mgi" / "HMD_HumanPhenotype.rpt").open(newline="") as fh:
        for fields in csv.reader(fh, delimiter="\t"):
            if len(fields) >= 5:
                ids = {t.strip() for t in fields[4].split(",") if t.strip()}
                systems.setdefault(fields[0], set()).update(ids)
                markers.setdefault(fields[0], set()).add(fields[3])
    detailed: dict[str, set[str]] = {}
    with (real_snapshot / "mgi" / "MGI_GenePheno.rpt").open(newline="") as fh:
        for fields in csv.reader(fh, delimiter="\t"):
            if fields[4] in kidney:
                detailed.setdefault(fields[6], set()).add(fields[4])
    sample = [
        s for s in ("PKD1", "PKD2", "UMOD", "NPHS1", "NPHS2", "HNF1B", "PAX2", "WT1") if s in loaded
    ]
    assert len(sample) >= 6
    for symbol in sample:
        got = loaded[symbol]
        expected = set().union(*(detailed.get(m, set()) for m in markers[symbol]))
        assert {t["id"] for t in got["kidney_phenotypes"]} == expected, symbol
        assert got["kidney_system_phenotype"] == bool(systems[symbol] & kidney), symbol
        assert got["has_kidney_phenotype"] == bool(expected or systems[symbol] & kidney)
    # The derived genotype report puts R's zygosities on its genes' genotypes: the loaded
    # summary must say what R said.
    compared = 0
    for row in r_table(real_data_dir, "C_high_evidence_annotated_csv_table").itertuples():
        if row.mgi_phenotype != "hm (NA); ht (NA)" and row.approved_symbol in loaded:
            got = loaded[row.approved_symbol]["zygosity_analysis"]["summary"]
            assert got == row.mgi_phenotype, row.approved_symbol
            compared += 1
    assert compared >= 500, compared


def test_a_failed_reload_keeps_the_previous_annotations(
    rebuilt, real_snapshot: Path, tmp_path: Path
) -> None:
    import shutil

    url, store, _ = rebuilt
    before = annotations(url, "gnomad")
    assert len(before) > 400
    broken = tmp_path / "broken"
    shutil.copytree(real_snapshot, broken)
    tsv = broken / "gnomad" / "gnomad.v4.1.constraint_metrics.tsv"
    header = tsv.read_text().splitlines()[0]
    tsv.write_text(header + "\n" + "\t".join(["NOTAGENE"] * len(header.split("\t"))) + "\n")
    result = materialize_all(url, store, broken, ["raw_gnomad", "gnomad_annotations"])
    assert not result.success
    (failure,) = [e for e in result.all_events if e.is_step_failure]
    message = failure.step_failure_data.error.cause.message.split(": ", 1)[1]
    assert message.startswith("gnomad: the new load has 0 genes"), message
    assert annotations(url, "gnomad") == before
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        last_error = conn.execute(
            sa.text("SELECT last_error FROM annotation_sources WHERE source_name = 'gnomad'")
        ).scalar()
    engine.dispose()
    assert last_error.startswith("gnomad: the new load has 0 genes")


def test_a_changed_reload_keeps_the_replaced_values_in_annotation_history(
    rebuilt, real_snapshot: Path, tmp_path: Path
) -> None:
    """Three genes get a new pLI and two lose their rows: exactly those five changes are in
    `annotation_history` with the values they replaced; nothing else is copied there."""
    import os
    import shutil

    url, store, _ = rebuilt
    before = annotations(url, "gnomad")
    changed = tmp_path / "changed"
    shutil.copytree(real_snapshot, changed, copy_function=os.link)
    tsv = changed / "gnomad" / "gnomad.v4.1.constraint_metrics.tsv"
    header, *rows = tsv.read_text().splitlines()
    names = header.split("\t")
    gene, pli, chromosome = (names.index(c) for c in ("gene", "lof.pLI", "chromosome"))
    by_gene: dict[str, list[list[str]]] = {}
    for row in rows:
        cells = row.split("\t")
        by_gene.setdefault(cells[gene], []).append(cells)
    # Genes annotated from rows that carry their own symbol, none on chrX (another test blanks
    # those), with a pLI to change.
    candidates = [
        s
        for s in sorted(before)
        if before[s].get("gene_symbol") == s
        and "pli" in before[s]
        and all(cells[chromosome] != "chrX" for cells in by_gene.get(s, [["chrX"] * len(names)]))
    ]
    updated, deleted = candidates[:3], candidates[3:5]
    for symbol in updated:
        for cells in by_gene[symbol]:
            cells[pli] = "0.123456"
    kept = [c for s, group in by_gene.items() if s not in deleted for c in group]
    tsv.unlink()  # a hard link to the module's snapshot: replace it, never write into it
    tsv.write_text("\n".join([header, *("\t".join(c) for c in kept)]) + "\n")
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        last = conn.execute(sa.text("SELECT coalesce(max(id), 0) FROM annotation_history")).scalar()

    result = materialize_all(url, store, changed, ["raw_gnomad", "gnomad_annotations"])

    assert result.success
    after = annotations(url, "gnomad")
    (event,) = result.asset_materializations_for_node("gnomad_annotations")
    counts = {k: event.metadata[k].value for k in ("inserted", "updated", "removed")}
    with engine.connect() as conn:
        history = conn.execute(
            sa.text(
                "SELECT g.approved_symbol, h.operation, h.old_data, h.new_data, h.changed_by "
                "FROM annotation_history h JOIN genes g ON g.id = h.gene_id "
                "WHERE h.id > :last AND h.source = 'gnomad' ORDER BY 1"
            ),
            {"last": last},
        ).all()
    engine.dispose()
    assert counts == {"inserted": 0, "updated": 3, "removed": 2}
    assert all(after[s]["pli"] == 0.123456 for s in updated)
    assert set(after) == set(before) - set(deleted)
    assert sorted(tuple(r) for r in history) == sorted(
        [(s, "update", before[s], after[s], "kg-pipeline") for s in updated]
        + [(s, "delete", before[s], None, "kg-pipeline") for s in deleted]
    )


def test_a_gnomad_file_without_chrx_values_warns(
    rebuilt, real_snapshot: Path, tmp_path: Path
) -> None:
    import shutil

    url, store, _ = rebuilt
    without_x = tmp_path / "without-x"
    shutil.copytree(real_snapshot, without_x)
    tsv = without_x / "gnomad" / "gnomad.v4.1.constraint_metrics.tsv"
    header, *rows = tsv.read_text().splitlines()
    names = header.split("\t")
    chromosome = names.index("chromosome")
    metrics = [i for i, n in enumerate(names) if n.startswith(("lof", "mis", "syn"))]
    blanked = 0
    for n, row in enumerate(rows):
        cells = row.split("\t")
        if cells[chromosome] == "chrX":
            rows[n] = "\t".join("NA" if i in metrics else c for i, c in enumerate(cells))
            blanked += 1
    tsv.write_text("\n".join([header, *rows]) + "\n")

    result = materialize_all(url, store, without_x, ["raw_gnomad", "gnomad_annotations"])

    assert blanked > 100
    assert result.success
    (event,) = result.asset_materializations_for_node("gnomad_annotations")
    (check,) = [
        e for e in result.get_asset_check_evaluations() if e.check_name == "chrx_genes_annotated"
    ]
    assert event.metadata["genes_on_chrx"].value == 0
    assert not check.passed
    assert check.severity == dg.AssetCheckSeverity.WARN
    assert {"COL4A5", "OCRL"}.isdisjoint(annotations(url, "gnomad"))
