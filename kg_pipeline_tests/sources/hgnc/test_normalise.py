"""The one gene normaliser on the real HGNC complete set."""

from __future__ import annotations

import pandas as pd
import pytest

from kg_pipeline.sources.hgnc.normalise import (
    OUTPUT_COLUMNS,
    GeneNormaliser,
    clean_symbol_text,
    staging_priority,
)
from kg_pipeline.sources.registry import EVIDENCE_LOADS


def _one(normaliser: GeneNormaliser, symbol: object, reported: str | None = None) -> dict:
    frame = pd.DataFrame({"symbol": [symbol], "reported_hgnc_id": [reported]}, dtype=object)
    return normaliser.normalise(frame).iloc[0].to_dict()


@pytest.mark.parametrize(
    ("text", "expected", "method"),
    [
        ("PKD1", "PKD1", "approved_symbol"),
        ("pkd1", "PKD1", "approved_symbol"),
        ("GENE: PKD1 (polycystin)", "PKD1", "approved_symbol"),
        (" PKD1_HUMAN ", "PKD1", "approved_symbol"),
        ("PKD1, PKD2", "PKD1", "approved_symbol"),
        ("HGNC:9008", "PKD1", "hgnc_id"),
        ("NPHP2", "INVS", "previous_symbol"),  # renamed: nephronophthisis 2 is now INVS
        ("tcf2", "HNF1B", "previous_symbol"),
        ("NPHP6", "CEP290", "alias_symbol"),
        ("TRPP1", "PKD1", "alias_symbol"),
        ("PCDHG@", "PCDHG@", "approved_symbol"),  # a cluster symbol, kept as written
    ],
)
def test_texts_resolve_to_approved_genes(
    normaliser: GeneNormaliser, text: str, expected: str, method: str
) -> None:
    result = _one(normaliser, text)

    assert result["status"] == "resolved"
    assert result["approved_symbol"] == expected
    assert result["method"] == method
    assert result["reason"] is None


def test_the_reported_id_does_not_resolve_but_is_named_for_the_curator(
    normaliser: GeneNormaliser,
) -> None:
    """As upstream, only the text resolves (the id changes no real row:
    docs/upstream-differences.md); the reason names the id the source reported."""
    result = _one(normaliser, "POLYCYSTIN-1", "9008")

    assert (result["status"], result["hgnc_id"], result["method"]) == ("unresolved", None, None)
    assert result["reason"] == (
        "'POLYCYSTIN-1' is not an approved, previous or alias symbol in HGNC; "
        "the source reported HGNC:9008"
    )


def test_an_approved_symbol_wins_over_a_conflicting_reported_id(
    normaliser: GeneNormaliser,
) -> None:
    assert _one(normaliser, "PKD2", "HGNC:9008")["approved_symbol"] == "PKD2"


def test_a_shared_alias_is_ambiguous_with_all_candidates(normaliser: GeneNormaliser) -> None:
    result = _one(normaliser, "Pc-1")

    assert result["status"] == "ambiguous"
    assert result["hgnc_id"] is None and result["method"] is None
    assert result["candidates"] == ["ENPP1", "PKD1"]
    assert result["reason"] == "alias 'PC-1' is shared by 2 genes: ENPP1, PKD1"


def test_a_shared_previous_symbol_is_ambiguous(normaliser: GeneNormaliser) -> None:
    result = _one(normaliser, "AMY1")

    assert result["status"] == "ambiguous"
    assert result["reason"] == "previous symbol 'AMY1' is shared by 3 genes: AMY1A, AMY1B, AMY1C"


@pytest.mark.parametrize("junk", ["N/A", "", "123", None, "NA", "x", "unknown gene", "?"])
def test_junk_is_rejected_with_a_reason(normaliser: GeneNormaliser, junk: object) -> None:
    result = _one(normaliser, junk)

    assert result["status"] == "rejected"
    assert result["hgnc_id"] is None
    assert "is not a plausible gene symbol" in result["reason"]


def test_an_unknown_symbol_is_unresolved(normaliser: GeneNormaliser) -> None:
    result = _one(normaliser, "XYZ123Q")

    assert result["status"] == "unresolved"
    assert result["cleaned"] == "XYZ123Q"
    assert result["reason"] == "'XYZ123Q' is not an approved, previous or alias symbol in HGNC"


def test_normalise_keeps_the_input_rows_and_index(normaliser: GeneNormaliser) -> None:
    symbols = pd.DataFrame(
        {"symbol": ["PKD1", "Pc-1", "PKD1", "N/A"], "reported_hgnc_id": [None] * 4},
        index=[10, 20, 30, 40],
        dtype=object,
    )

    result = normaliser.normalise(symbols)

    assert list(result.columns) == list(OUTPUT_COLUMNS)
    assert list(result.index) == [10, 20, 30, 40]
    assert result["status"].tolist() == ["resolved", "ambiguous", "resolved", "rejected"]
    assert result["symbol"].tolist() == ["PKD1", "Pc-1", "PKD1", "N/A"]


def test_every_approved_symbol_resolves_to_itself_in_bulk(
    normaliser: GeneNormaliser, hgnc_complete_set: pd.DataFrame
) -> None:
    """The whole complete set (43,882 texts, including clusters such as "HOXA@" and long
    read-through symbols) resolves set-based, each to its own gene."""
    symbols = hgnc_complete_set[["symbol"]].assign(reported_hgnc_id=None)

    result = normaliser.normalise(symbols)

    assert result["status"].eq("resolved").all()
    assert result["hgnc_id"].tolist() == hgnc_complete_set["hgnc_id"].tolist()


def test_missing_reported_id_column_is_allowed(normaliser: GeneNormaliser) -> None:
    result = normaliser.normalise(pd.DataFrame({"symbol": ["umod"]}))

    assert result.loc[0, "approved_symbol"] == "UMOD"


def test_clean_symbol_text_rules() -> None:
    texts = pd.Series(
        [
            "GENE: PKD1 (polycystin)",
            "symbol:hla-drb1",
            "COL4A5 / COL4A6",
            "PKD2 protein",
            "NPHS1 (nephrin",
            "PROTEIN",
            "A" * 21,
            "42",
        ]
    )

    cleaned = clean_symbol_text(texts)

    assert cleaned["cleaned"].tolist() == [
        "PKD1",
        "HLA-DRB1",
        "COL4A5",
        "PKD2",
        "NPHS1",
        None,
        None,
        None,
    ]
    reasons = cleaned["reason"].tolist()
    assert reasons[:5] == [None] * 5
    assert "placeholder word" in reasons[5]
    assert "longer than 20 characters" in reasons[6]
    assert "only digits" in reasons[7]


@pytest.mark.parametrize(
    ("source", "text", "priority"),
    [
        ("PanelApp", "PKD1", 125),  # 100 + PKD stem; not purely alphabetic
        ("PanelApp", "ABCD", 115),  # 100 + alphabetic
        ("PubTator", "COLPKD", 85),  # 20 + alphabetic + two stems
        ("DiagnosticPanels", "XYZ1", 75),
        ("Literature", "xyz1", 10),  # any other source
        ("PanelApp", "PKDCOLHNFSLC", 200),  # capped
    ],
)
def test_staging_priority(source: str, text: str, priority: int) -> None:
    evidence = next(load for _, load in EVIDENCE_LOADS if load.name == source)
    assert staging_priority(evidence.staging_priority, text) == priority
