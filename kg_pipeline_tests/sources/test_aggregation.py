"""The helpers every evidence `aggregate` folds its rows with: per-gene lists, records,
classification strength, and the per-gene `evidence_data` dicts."""

from __future__ import annotations

import pandas as pd
import pytest

from kg_pipeline.sources.aggregation import (
    gene_index,
    per_gene,
    ranked_classifications,
    record_lists,
    strongest_first,
    value_lists,
)

RANK = {"Definitive": 2, "Moderate": 1, "Limited": 0}
ROWS = pd.DataFrame(
    {
        "hgnc_id": ["HGNC:2", "HGNC:1", "HGNC:1", "HGNC:1", "HGNC:3"],
        "classification": ["Limited", "Moderate", "Definitive", "Moderate", None],
        "disease": ["b", "z", "y", "a", " "],
    },
    dtype=object,
)
GENES = gene_index(ROWS)


def test_value_lists_are_sorted_distinct_and_aligned_to_the_genes() -> None:
    assert list(GENES) == ["HGNC:1", "HGNC:2", "HGNC:3"]
    assert value_lists(ROWS, GENES, "disease") == [["a", "y", "z"], ["b"], []]


def test_classifications_strongest_first_and_the_strongest() -> None:
    lists, strongest = ranked_classifications(ROWS, GENES, RANK)

    assert lists == [["Definitive", "Moderate"], ["Limited"], []]
    assert strongest == ["Definitive", "Limited", None]


def test_records_strongest_first_then_by_the_tie_columns() -> None:
    ordered = strongest_first(ROWS.iloc[:4], RANK, ["disease"])
    records = record_lists(ordered, GENES, ["classification", "disease"])

    assert [r["disease"] for r in records[0]] == ["y", "a", "z"]
    assert records[1] == [{"classification": "Limited", "disease": "b"}]
    assert records[2] == []


def test_per_gene_zips_columns_into_one_dict_per_gene_in_key_order() -> None:
    evidence = per_gene(panels=[["p"], []], panel_count=[1, 0])

    assert evidence == [{"panels": ["p"], "panel_count": 1}, {"panels": [], "panel_count": 0}]
    assert list(evidence[0]) == ["panels", "panel_count"]
    assert per_gene(panels=[]) == []
    with pytest.raises(ValueError):
        per_gene(panels=[["p"]], panel_count=[1, 0])
