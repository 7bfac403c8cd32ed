"""The shared kidney-disease text rule and the false positives it must avoid."""

from __future__ import annotations

import pandas as pd
import pytest

from kg_pipeline.sources.keywords import mentions_kidney, mentions_kidney_mask


@pytest.mark.parametrize(
    "text",
    [
        "Cystic kidney disease",
        "Renal tubulopathies",
        "Nephronophthisis",
        "Alport syndrome",
        "C3 glomerulopathy",
        "CAKUT",
        "Atypical haemolytic uraemic syndrome",
        "macrothrombocytopenia with nephritis",
        "Haematuria",
        "Fanconi renotubular syndrome 3",
        "Rare multisystem ciliopathy disorders",
    ],
)
def test_kidney_texts_match(text: str) -> None:
    assert mentions_kidney(text)


@pytest.mark.parametrize(
    "text",
    [
        "Congenital adrenal hyperplasia",
        "primary immunodeficiency with adrenal insufficiency",
        "defects in the metabolism of monoamines (dopamine, norepinephrine, epinephrine)",
        "Cystic fibrosis diagnostic test",
        "Fanconi anemia complementation group A",
        "TUBB3-related tubulinopathy",
        "tubular aggregate myopathy",
        "Polycystic liver disease",
        "",
        None,
    ],
)
def test_look_alike_texts_do_not_match(text: str | None) -> None:
    assert not mentions_kidney(text)


def test_the_vectorised_rule_agrees_with_the_scalar_one() -> None:
    texts = pd.Series(["Adrenal and renal disease", "adrenal crisis", None, "KIDNEY failure"])

    assert mentions_kidney_mask(texts).tolist() == [True, False, False, True]
    assert [mentions_kidney(t) for t in texts] == [True, False, False, True]
