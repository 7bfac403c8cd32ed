"""The one kidney-disease text rule used to pick kidney panels and curations.

PanelApp (panel names and disorders), ClinGen (disease labels) and GenCC (disease texts) all
ask the same question, "does this text describe a kidney disease?", so it is answered once here.

The keyword list starts from upstream's `keywords.yaml` (reference section 2.0) and fixes the
false positives it is known for:

* "renal" is also a substring of "adrenal": adrenal panels and diseases passed upstream (the R
  pipeline excluded them). "adrenal" is blanked out before matching.
* "nephr" is also a substring of "(nor)epinephrine": PanelApp Australia's "Neurotransmitter
  Defects" panel passed on it. "epinephrine" is blanked out before matching.
* "complement" matched Fanconi anaemia "complementation group" curations and immunodeficiency
  panels ("inherited complement deficiency"); complement-mediated kidney disease is still found
  through "uremic"/"uraemic" (aHUS), "glomerul" (C3 glomerulopathy) and "kidney".
* "polycystic" alone matched polycystic liver and ovary disease; "polycystic kidney" is kept.
* "tubul" (ClinGen's list) matched tubulinopathies and tubular aggregate myopathy (TUBA1A,
  STIM1); "tubulopathy", "tubulointerstitial" and "renotubular" are kept.
* "nephro" missed "nephritis"; "nephr" covers both.
* British spellings ("haematuria", "uraemic") are used by PanelApp UK.
"""

from __future__ import annotations

import re
from typing import Final

import pandas as pd

KIDNEY_KEYWORDS: Final[tuple[str, ...]] = (
    "kidney",
    "renal",
    "nephr",
    "glomerul",
    "tubulopathy",
    "tubulointerstitial",
    "renotubular",
    "polycystic kidney",
    "cystic kidney",
    "alport",
    "cakut",
    "ciliopathy",
    "focal segmental",
    "proteinuria",
    "hematuria",
    "haematuria",
    "uremic",
    "uraemic",
)
"""Lower-case substrings that mark a text as being about kidney disease."""

MASKED_WORDS: Final[tuple[str, ...]] = ("adrenal", "epinephrine")
"""Words blanked out before matching because they contain a keyword but are not about the
kidney."""

_KEYWORD_PATTERN: Final = "|".join(re.escape(k) for k in KIDNEY_KEYWORDS)
_KEYWORD_RE: Final = re.compile(_KEYWORD_PATTERN)
_MASK_RE: Final = re.compile("|".join(re.escape(w) for w in MASKED_WORDS))


def mentions_kidney(text: object) -> bool:
    """True when `text` (any case) contains a kidney keyword outside the masked words; a
    missing or non-text value is False."""
    if not isinstance(text, str):
        return False
    return _KEYWORD_RE.search(_MASK_RE.sub(" ", text.lower())) is not None


def mentions_kidney_mask(texts: pd.Series) -> pd.Series:
    """`mentions_kidney` over a Series of texts (missing texts are False), vectorised."""
    lowered = texts.fillna("").astype(str).str.lower()
    masked = lowered.str.replace(_MASK_RE.pattern, " ", regex=True)
    return masked.str.contains(_KEYWORD_PATTERN, regex=True).astype(bool)


def contains_any_mask(texts: pd.Series, words: tuple[str, ...]) -> pd.Series:
    """True where a text (any case) contains one of `words`; missing texts are False."""
    pattern = "|".join(re.escape(w.lower()) for w in words)
    return texts.fillna("").astype(str).str.lower().str.contains(pattern, regex=True).astype(bool)
