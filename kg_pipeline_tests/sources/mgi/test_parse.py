"""MGI mouse phenotypes: the real HMD_HumanPhenotype.rpt with an MP ontology built from the real
kidney term list.

No MP ontology file is available offline. The one written here puts upstream's 661 kidney term
ids (the descendants of MP:0005367) in a tree under MP:0005367 and every other MP id of the
report directly under the root, so "kidney" per the ontology must equal "in the 661 list".
"""

from __future__ import annotations

import csv
import gzip
import json
import random
from pathlib import Path

import pandas as pd
import pytest

from kg_pipeline.raw_files import SourceFormatError
from kg_pipeline.sources.annotations import ParsedAnnotations
from kg_pipeline.sources.mgi.parse import (
    KIDNEY_ROOT,
    ONTOLOGY_KEY,
    REPORT_KEY,
    annotate,
    read_mp_ontology,
)
from kg_pipeline_tests.sources.annotation_helpers import (
    annotation,
    assert_contract,
    genes_frame,
)


@pytest.fixture(scope="module")
def report(real_data_dir: Path) -> Path:
    return real_data_dir / "raw" / "mgi" / "HMD_HumanPhenotype.rpt"


@pytest.fixture(scope="module")
def kidney_terms(real_data_dir: Path) -> frozenset[str]:
    """Upstream's 661 kidney MP term ids."""
    path = real_data_dir / "upstream_seed" / "mpo_kidney_terms.json"
    return frozenset(json.loads(path.read_text()))


def _report_rows(report: Path) -> list[list[str]]:
    with open(report, encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh, delimiter="\t"))


def _mp_ids(cell: str) -> set[str]:
    return {p.strip() for p in cell.split(",") if p.strip()}


def write_mp_obo(
    path: Path, kidney_terms: frozenset[str], report: Path, *, gzipped: bool = False
) -> Path:
    """An OBO file in the MP release's layout over the real kidney ids and the report's ids."""
    kidney = [KIDNEY_ROOT, *sorted(kidney_terms - {KIDNEY_ROOT})]
    others = sorted(set().union(*(_mp_ids(r[4]) for r in _report_rows(report))) - kidney_terms)
    stanzas = [
        "format-version: 1.2\ndata-version: releases/2024-12-03\nontology: mp\n",
        "[Term]\nid: MP:0000001\nname: mammalian phenotype\n",
        f"[Term]\nid: {KIDNEY_ROOT}\nname: renal/urinary system phenotype\n"
        'def: "the observable morphological and physiological characteristics" [MGI:csmith]\n'
        "is_a: MP:0000001 ! mammalian phenotype\n",
    ]
    for i, term in enumerate(kidney[1:], start=1):
        parent = kidney[(i - 1) // 2]  # a binary tree: depth ~10 below the root
        stanzas.append(f"[Term]\nid: {term}\nname: kidney term {term}\nis_a: {parent}\n")
    for term in others:
        stanzas.append(f"[Term]\nid: {term}\nname: other term {term}\nis_a: MP:0000001\n")
    stanzas.append("[Term]\nid: MP:9999999\nname: obsolete renal thing\nis_obsolete: true\n")
    stanzas.append("[Typedef]\nid: part_of\nname: part_of\nis_transitive: true\n")
    text = "\n".join(stanzas)
    path.write_bytes(gzip.compress(text.encode()) if gzipped else text.encode())
    return path


@pytest.fixture(scope="module")
def ontology_file(
    tmp_path_factory: pytest.TempPathFactory, kidney_terms: frozenset[str], report: Path
) -> Path:
    return write_mp_obo(tmp_path_factory.mktemp("mp") / "5d2c", kidney_terms, report, gzipped=True)


@pytest.fixture(scope="module")
def parsed(ontology_file: Path, report: Path, real_genes: pd.DataFrame) -> ParsedAnnotations:
    return annotate({REPORT_KEY: report, ONTOLOGY_KEY: ontology_file}, real_genes)


def test_the_ontology_reader_finds_the_661_kidney_terms(
    ontology_file: Path, kidney_terms: frozenset[str]
) -> None:
    ontology = read_mp_ontology(ontology_file)

    assert ontology.release == "2024-12-03"
    assert ontology.descendants(KIDNEY_ROOT) == kidney_terms
    assert ontology.names[KIDNEY_ROOT] == "renal/urinary system phenotype"
    assert "MP:9999999" not in ontology.names
    assert "part_of" not in ontology.names


def test_contract_and_counts(parsed: ParsedAnnotations) -> None:
    assert_contract(parsed)
    assert parsed.release == "2024-12-03"
    assert parsed.stats["rows_read"] == 29_597
    assert parsed.stats["kidney_terms"] == 661
    assert parsed.rejects == []
    assert parsed.stats["genes_with_kidney_phenotype"] > 1000


def test_values_equal_an_independent_reading_of_the_report(
    parsed: ParsedAnnotations, real_genes: pd.DataFrame, report: Path, kidney_terms: frozenset[str]
) -> None:
    genes = real_genes
    by_entrez: dict[str, list[list[str]]] = {}
    for row in _report_rows(report):
        by_entrez.setdefault(row[1], []).append(row)
    ours = genes[genes["entrez_id"].isin(by_entrez)]
    sample = ["PKD1", "PKD2", "UMOD", "AADACL4", "ABCB1", "A1BG"]
    sample += random.Random(29597).sample(sorted(ours["approved_symbol"]), 80)
    for symbol in dict.fromkeys(sample):
        entrez = genes.loc[genes["approved_symbol"].eq(symbol), "entrez_id"].iloc[0]
        rows = by_entrez[entrez]
        phenotypes = set().union(*(_mp_ids(r[4]) for r in rows))
        kidney = sorted(phenotypes & kidney_terms)
        record = annotation(parsed, genes, symbol)

        assert record["phenotype_count"] == len(phenotypes), symbol
        assert [t["id"] for t in record["kidney_phenotypes"]] == kidney
        assert record["kidney_phenotype_count"] == len(kidney)
        assert record["has_kidney_phenotype"] is bool(kidney)
        assert {(o["symbol"], o["mgi_id"]) for o in record["mouse_orthologs"]} == {
            (r[2], r[3]) for r in rows
        }


def test_pkd1_and_a_gene_with_several_orthologs(
    parsed: ParsedAnnotations, real_genes: pd.DataFrame
) -> None:
    genes = real_genes
    pkd1 = annotation(parsed, genes, "PKD1")
    assert pkd1["mouse_orthologs"] == [{"symbol": "Pkd1", "mgi_id": "MGI:97603"}]
    assert pkd1["has_kidney_phenotype"] is True
    assert {"id": KIDNEY_ROOT, "name": "renal/urinary system phenotype"} in (
        pkd1["kidney_phenotypes"]
    )
    abcb1 = annotation(parsed, genes, "ABCB1")
    assert [o["symbol"] for o in abcb1["mouse_orthologs"]] == ["Abcb1b", "Abcb1a"]  # MGI id order
    assert abcb1["phenotype_count"] == 11


def test_malformed_lines_are_rejected_and_symbols_are_the_fallback(
    tmp_path: Path, ontology_file: Path
) -> None:
    report = tmp_path / "rpt"
    report.write_text(
        "PKD1\t5310\tPkd1\tMGI:97603\tMP:0005367, MP:0003631\t\n"
        "pkd2\t\tPkd2\tMGI:97604\tMP:0002006\t\n"
        "UMOD\t7369\tUmod\tnot-an-id\tMP:0005367\t\n"
        "UMOD\t7369\tUmod\tMGI:98924\tMP:5367\t\n"
        "NPHS1\t4868\tNphs1\n"
        "NPHS2\t7827\tNphs2\tMGI:2157018\tMP:0005367\tMP:0003631\n"
        "OTHER\t1\tOther\tMGI:1\t\t\n",
        encoding="utf-8",
    )
    genes = genes_frame(
        (1, "PKD1", "5310", None), (2, "PKD2", "5311", None), (3, "UMOD", "7369", None)
    )
    parsed = annotate({REPORT_KEY: report, ONTOLOGY_KEY: ontology_file}, genes)

    assert parsed.annotation(1)["kidney_phenotype_count"] == 1
    assert parsed.annotation(1)["phenotype_count"] == 2
    assert parsed.annotation(2)["has_kidney_phenotype"] is False
    assert parsed.annotation(3) is None
    assert parsed.stats["matched_by_symbol"] == 1
    assert parsed.rejects_by_reason() == {
        "malformed mouse ortholog (symbol, MGI id)": 1,
        "malformed MP id": 1,
        "too few tab-separated cells": 1,
        "more than 5 tab-separated cells": 1,
    }


def test_an_ontology_without_the_kidney_root_is_a_format_error(
    tmp_path: Path, report: Path
) -> None:
    obo = tmp_path / "obo"
    obo.write_text("format-version: 1.2\n\n[Term]\nid: MP:0000001\nname: mammalian phenotype\n")
    with pytest.raises(SourceFormatError, match="kidney root MP:0005367"):
        annotate({REPORT_KEY: report, ONTOLOGY_KEY: obo}, genes_frame((1, "PKD1", "5310", None)))
    with pytest.raises(SourceFormatError, match="no Mammalian Phenotype"):
        obo.write_text("<html>captcha</html>\n")
        annotate({REPORT_KEY: report, ONTOLOGY_KEY: obo}, genes_frame((1, "PKD1", "5310", None)))
