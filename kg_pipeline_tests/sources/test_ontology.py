"""The ontology shape HPO and MGI share: the subtree under a term through `is_a` links."""

from __future__ import annotations

from kg_pipeline.sources.ontology import Ontology

CHILDREN = {
    "T:1": frozenset({"T:2", "T:3"}),
    "T:2": frozenset({"T:4"}),
    "T:3": frozenset({"T:4"}),  # T:4 has two parents: listed once
    "T:5": frozenset({"T:6"}),
}
ONTOLOGY = Ontology({f"T:{i}": f"term {i}" for i in range(1, 7)}, CHILDREN, "2025-01-16")


def test_descendants_are_the_root_and_everything_under_it() -> None:
    assert ONTOLOGY.descendants("T:1") == {"T:1", "T:2", "T:3", "T:4"}
    assert ONTOLOGY.descendants("T:4") == {"T:4"}
    assert ONTOLOGY.descendants("T:5") == {"T:5", "T:6"}
