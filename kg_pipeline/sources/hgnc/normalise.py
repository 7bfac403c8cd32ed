"""The one gene normaliser: raw gene texts from any source to approved HGNC genes.

Owns the cleaning and plausibility rules for gene texts (reference section 3, steps 1-2), the
resolution against the HGNC complete set, and the priority of unresolved texts in the staging
table (step 6). Upstream asked the HGNC REST API symbol by symbol and took the first hit of an
ambiguous alias; here resolution is set-based on the bulk file and an alias or previous symbol
shared by several genes is reported as ambiguous instead of guessed.

Resolution order, case-insensitive: approved symbol, then an HGNC id written as the text (e.g.
"HGNC:9008"), then previous symbol, then alias symbol. A text is looked up as it is when it
literally is a known symbol (clusters such as "PCDHG@", read-through symbols over 20
characters), otherwise cleaned first. The HGNC id a source reports beside the symbol is not used
to resolve, as upstream: on the real files it changes no row (docs/upstream-differences.md); it
is named in an unresolved text's reason for the curator.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Final, Literal

import numpy as np
import pandas as pd

from kg_pipeline.sources.aggregation import runs
from kg_pipeline.sources.hgnc.parse import APPROVED, parse_complete_set

Method = Literal["approved_symbol", "hgnc_id", "previous_symbol", "alias_symbol"]
Status = Literal["resolved", "ambiguous", "unresolved", "rejected"]

METHODS: Final[tuple[str, ...]] = ("approved_symbol", "hgnc_id", "previous_symbol", "alias_symbol")
STATUSES: Final[tuple[str, ...]] = ("resolved", "ambiguous", "unresolved", "rejected")

OUTPUT_COLUMNS: Final[tuple[str, ...]] = (
    "symbol",
    "reported_hgnc_id",
    "cleaned",
    "hgnc_id",
    "approved_symbol",
    "method",
    "status",
    "reason",
    "candidates",
)

MIN_SYMBOL_LENGTH: Final = 2
MAX_SYMBOL_LENGTH: Final = 20
MAX_TEXT_LENGTH: Final = 255
"""A gene text longer than this, before cleaning, is rejected (and logged) rather than cleaned:
no source writes a gene that long, and a staged text must fit the unique index on
(source, text), which a text of a few kB breaks, failing the whole load."""

REJECTED_WORDS: Final[frozenset[str]] = frozenset(
    {
        "UNKNOWN",
        "NONE",
        "NULL",
        "NA",
        "GENE",
        "PROTEIN",
        "CHROMOSOME",
        "COMPLEX",
        "FAMILY",
        "GROUP",
        "CLUSTER",
        "REGION",
        "LOCUS",
        "ELEMENT",
        "SEQUENCE",
        "FRAGMENT",
        "PARTIAL",
        "PUTATIVE",
    }
)
"""Words that are never a gene symbol (compared with the raw text and with the cleaned one)."""

PLACEHOLDER_TEXTS: Final[frozenset[str]] = REJECTED_WORDS | {"N/A", "#N/A", "N.A.", "-", "?"}
"""Raw texts (trimmed, upper-cased) that stand for "no gene"."""

# Cleaning patterns, applied to the upper-cased text in this order. Parenthesised parts go
# before the cut at separators so that "PKD1 (polycystin, 1)" does not leave half a bracket.
_PREFIX: Final = r"^(?:GENE|SYMBOL|PROTEIN)\s*:\s*"
_PARENTHESISED: Final = r"\([^)]*(?:\)|$)"
_FROM_SEPARATOR: Final = r"[;,|/\\].*$"
# Only whole trailing tokens: "PKD1 GENE" and "PKD1_HUMAN" are cleaned, a symbol that merely
# ends in those letters is not.
_TRAILING_TOKENS: Final = r"(?:[\s_-]+(?:GENE|PROTEIN)|_HUMAN)+\s*$"
_DISALLOWED: Final = r"[^A-Z0-9_-]"

_HGNC_ID_TEXT: Final = re.compile(r"^\s*HGNC\s*:\s*(\d+)\s*$", re.IGNORECASE)
_REPORTED_ID: Final = re.compile(r"^\s*(?:HGNC\s*:\s*)?(\d+)\s*$", re.IGNORECASE)

STAGING_ALPHABETIC_BONUS: Final = 15
STAGING_PATTERN_BONUS: Final = 25
STAGING_PATTERNS: Final[tuple[str, ...]] = ("PKD", "COL", "HNF", "SLC", "ATP", "UMOD")
STAGING_MAX_PRIORITY: Final = 200


def _as_text(values: pd.Series) -> pd.Series:
    """Object Series of str with "" for missing values."""
    return pd.Series(
        ["" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v) for v in values],
        index=values.index,
        dtype=object,
    )


def _shown(text: str | None) -> str | None:
    """A text as a reason quotes it: whole, unless it is longer than any gene text can be."""
    if text is None or len(text) <= MAX_TEXT_LENGTH:
        return text
    return f"{text[:MAX_TEXT_LENGTH]}… ({len(text):,} characters)"


def clean_symbol_text(texts: pd.Series) -> pd.DataFrame:
    """Clean raw gene texts and judge their plausibility (reference section 3, steps 1-2).

    Cleaning: trim and upper-case; drop a leading `GENE:`/`SYMBOL:`/`PROTEIN:`; drop
    parenthesised parts; cut at the first `; , | / \\`; drop trailing `GENE`/`PROTEIN`/`_HUMAN`
    tokens; keep only `A-Z 0-9 _ -` (and no leading or trailing `_`/`-`).
    Plausibility: reject texts longer than 255 characters as given, shorter than 2 or longer
    than 20 characters once cleaned, only digits, or one of `REJECTED_WORDS`.

    Returns a frame on the same index with `cleaned` (str, None when rejected) and `reason`
    (None when plausible, else why the text is rejected).
    """
    raw = _as_text(texts)
    cleaned = (
        pd.Series(raw.str.strip().str.upper(), dtype=object)
        .str.replace(_PREFIX, "", regex=True)
        .str.replace(_PARENTHESISED, " ", regex=True)
        .str.replace(_FROM_SEPARATOR, "", regex=True)
        .str.strip()
        .str.replace(_TRAILING_TOKENS, "", regex=True)
        .str.replace(_DISALLOWED, "", regex=True)
        .str.strip("_-")
    )
    lengths = cleaned.str.len()
    trimmed = raw.str.strip()
    conditions = [
        trimmed.eq(""),
        raw.str.len() > MAX_TEXT_LENGTH,
        trimmed.str.upper().isin(PLACEHOLDER_TEXTS) | cleaned.isin(REJECTED_WORDS),
        cleaned.eq(""),
        cleaned.str.fullmatch(r"\d+"),
        lengths < MIN_SYMBOL_LENGTH,
        lengths > MAX_SYMBOL_LENGTH,
    ]
    reasons = [
        "empty text",
        f"longer than {MAX_TEXT_LENGTH} characters before cleaning",
        "placeholder word",
        "no symbol characters left after cleaning",
        "only digits",
        f"shorter than {MIN_SYMBOL_LENGTH} characters",
        f"longer than {MAX_SYMBOL_LENGTH} characters",
    ]
    why = pd.Series(
        np.select([c.to_numpy(dtype=bool) for c in conditions], reasons, default=""),
        index=raw.index,
        dtype=object,
    )
    rejected = why.ne("")
    reason = pd.Series(
        [
            f"{_shown(text.strip())!r} is not a plausible gene symbol ({w}: {_shown(c)!r})"
            if w
            else None
            for text, w, c in zip(raw, why, cleaned, strict=True)
        ],
        index=raw.index,
        dtype=object,
    )
    return pd.DataFrame(
        {
            "cleaned": cleaned.where(~rejected, None),
            "reason": reason,
        },
        index=raw.index,
    )


def _normalised_reported_id(values: pd.Series) -> pd.Series:
    """`"HGNC:123"`, `"hgnc:123"` or `"123"` to `"HGNC:123"`; anything else to ""."""
    digits = _as_text(values).str.extract(_REPORTED_ID, expand=False)
    return ("HGNC:" + digits).fillna("").astype(object)


class GeneNormaliser:
    """Resolves gene texts against one HGNC complete set; build it once per run.

    Lookup tables (upper-cased keys) are built from the approved entries when constructed;
    `normalise` then resolves any number of texts with vectorised joins.
    """

    def __init__(self, complete_set: pd.DataFrame) -> None:
        approved = complete_set[complete_set["status"].eq(APPROVED)]
        approved = approved[approved["hgnc_id"].notna() & approved["symbol"].notna()]
        self.approved_genes: pd.DataFrame = (
            approved[["hgnc_id", "symbol"]].drop_duplicates("hgnc_id").reset_index(drop=True)
        )
        symbols = self.approved_genes["symbol"].astype(str)
        ids = self.approved_genes["hgnc_id"].astype(str)
        self._symbol_by_id: pd.Series = pd.Series(symbols.to_numpy(), index=ids.to_numpy())

        # Approved symbols are unique ignoring case in every HGNC release we have seen; were two
        # to collide, the key is dropped rather than resolved to an arbitrary one of them.
        by_symbol = pd.Series(ids.to_numpy(), index=symbols.str.upper().to_numpy())
        self._id_by_symbol: pd.Series = by_symbol[~by_symbol.index.duplicated(keep=False)]
        self._previous: pd.DataFrame = self._synonym_table(approved, "prev_symbol")
        self._alias: pd.DataFrame = self._synonym_table(approved, "alias_symbol")
        # A set: pandas' isin would hash its 90,000 keys again on every call.
        self._known_keys: frozenset[str] = frozenset(
            self._id_by_symbol.index.tolist()
            + self._previous.index.tolist()
            + self._alias.index.tolist()
        )

    @classmethod
    def from_file(cls, path: Path) -> GeneNormaliser:
        """Build from an HGNC complete-set file (gzip or plain)."""
        return cls(parse_complete_set(path))

    def _synonym_table(self, approved: pd.DataFrame, column: str) -> pd.DataFrame:
        """Per upper-cased synonym: how many approved genes claim it, the gene when exactly one
        does, and the sorted approved symbols of all of them."""
        pairs = approved[["hgnc_id", column]].explode(column).dropna()
        pairs = pairs.assign(key=pairs[column].astype(str).str.strip().str.upper())
        pairs = pairs[pairs["key"].ne("")][["key", "hgnc_id"]].drop_duplicates()
        pairs = pairs.assign(symbol=pairs["hgnc_id"].map(self._symbol_by_id))
        pairs = pairs.sort_values(["key", "symbol"])
        keys = pairs["key"]
        starts, ends = runs(keys)
        symbols = pairs["symbol"].tolist()
        index = pd.Index(keys.iloc[starts], name="key")
        return pd.DataFrame(
            {
                "genes": pd.Series(
                    [end - start for start, end in zip(starts, ends, strict=True)],
                    index=index,
                    dtype=np.int64,
                ),
                "hgnc_id": pd.Series(
                    pairs["hgnc_id"].to_numpy()[starts], index=index, dtype=object
                ),
                "candidates": pd.Series(
                    [symbols[start:end] for start, end in zip(starts, ends, strict=True)],
                    index=index,
                    dtype=object,
                ),
            }
        )

    def shared_synonyms(self, column: Literal["prev_symbol", "alias_symbol"]) -> int:
        """How many previous symbols or aliases (`column`, upper-cased) several approved genes
        claim: the texts that resolve as ambiguous."""
        table = self._previous if column == "prev_symbol" else self._alias
        return int(table["genes"].gt(1).sum())

    def normalise(self, symbols: pd.DataFrame) -> pd.DataFrame:
        """Resolve every row of `symbols` (columns `symbol` and, optionally, `reported_hgnc_id`).

        Returns one row per input row, on the input's index, with columns `OUTPUT_COLUMNS`:
        the input `symbol` and `reported_hgnc_id`, `cleaned` text, `hgnc_id` and
        `approved_symbol` (when resolved), `method` (one of `METHODS`, None unless resolved),
        `status` (one of `STATUSES`), `reason` (why not resolved), and `candidates` (the
        approved symbols an ambiguous text could mean).
        """
        raw_symbol = symbols["symbol"]
        raw_id = (
            symbols["reported_hgnc_id"]
            if "reported_hgnc_id" in symbols.columns
            else pd.Series(None, index=symbols.index, dtype=object)
        )
        keys = pd.DataFrame(
            {"text": _as_text(raw_symbol), "reported": _normalised_reported_id(raw_id)},
            index=symbols.index,
        )
        # Each distinct (text, reported id) pair is resolved once; sources repeat genes a lot.
        distinct = keys.drop_duplicates().reset_index(drop=True)
        resolved = self._resolve(distinct["text"], distinct["reported"])
        resolved = pd.concat([distinct, resolved], axis=1)
        merged = keys.merge(resolved, on=["text", "reported"], how="left", sort=False)
        merged.index = symbols.index
        return pd.DataFrame(
            {
                "symbol": raw_symbol.astype(object),
                "reported_hgnc_id": raw_id.astype(object),
                **{c: merged[c].astype(object) for c in OUTPUT_COLUMNS[2:]},
            },
            index=symbols.index,
        )

    def _resolve(self, text: pd.Series, reported: pd.Series) -> pd.DataFrame:
        """Resolve distinct (text, reported id) pairs; see `normalise` for the output."""
        cleaning = clean_symbol_text(text)
        id_digits = text.str.extract(_HGNC_ID_TEXT, expand=False)
        text_id = ("HGNC:" + id_digits).astype(object)
        is_id_text = id_digits.notna()
        # A text that is literally a known symbol is looked up as it is: gene clusters
        # ("PCDHG@") and long read-through symbols would not survive the cleaning rules.
        exact = text.str.strip().str.upper()
        known = pd.Series([t in self._known_keys for t in exact], index=exact.index, dtype=bool)
        is_exact = known & ~exact.isin(PLACEHOLDER_TEXTS) & ~is_id_text
        cleaned = cleaning["cleaned"].where(~is_exact, exact)
        cleaned = cleaned.where(~is_id_text, text_id).astype(object)
        reject_reason = cleaning["reason"].where(~(is_id_text | is_exact), None)

        # 1. approved symbol (keys are upper-cased; cleaned text already is)
        by_symbol = cleaned.map(self._id_by_symbol)
        # 2. the text itself is an HGNC id, currently approved
        candidate_id = text_id.where(is_id_text, None)
        by_id = candidate_id.where(candidate_id.map(self._symbol_by_id).notna(), None)
        # 3./4. previous and alias symbols: unique claims resolve, shared ones are ambiguous
        prev_genes = cleaned.map(self._previous["genes"]).fillna(0).astype(int)
        alias_genes = cleaned.map(self._alias["genes"]).fillna(0).astype(int)
        by_prev = cleaned.map(self._previous["hgnc_id"]).where(prev_genes.eq(1), None)
        by_alias = cleaned.map(self._alias["hgnc_id"]).where(alias_genes.eq(1), None)

        found = [by_symbol.notna(), by_id.notna(), by_prev.notna(), by_alias.notna()]
        found_np = [f.to_numpy(dtype=bool) for f in found]
        hgnc_id = np.select(
            found_np,
            [by_symbol.to_numpy(), by_id.to_numpy(), by_prev.to_numpy(), by_alias.to_numpy()],
            default=None,
        )
        method = np.select(found_np, list(METHODS), default=None)
        resolved = np.logical_or.reduce(found_np)
        prev_shared = prev_genes.gt(1).to_numpy()
        alias_shared = alias_genes.gt(1).to_numpy()
        rejected = reject_reason.notna().to_numpy()
        status = np.select(
            [resolved, prev_shared, alias_shared, rejected],
            ["resolved", "ambiguous", "ambiguous", "rejected"],
            default="unresolved",
        )

        prev_candidates = cleaned.map(self._previous["candidates"])
        alias_candidates = cleaned.map(self._alias["candidates"])
        candidates = np.select(
            [~resolved & prev_shared, ~resolved & alias_shared],
            [prev_candidates.to_numpy(), alias_candidates.to_numpy()],
            default=None,
        )
        reasons: list[str | None] = []
        for state, clean, reported_id, why, cands, via_prev in zip(
            status,
            cleaned,
            reported,
            reject_reason,
            candidates,
            prev_shared,
            strict=True,
        ):
            if state == "resolved":
                reasons.append(None)
            elif state == "ambiguous":
                kind = "previous symbol" if via_prev else "alias"
                reasons.append(
                    f"{kind} {clean!r} is shared by {len(cands)} genes: {', '.join(cands)}"
                )
            elif state == "rejected":
                reasons.append(str(why))
            else:
                reason = f"{clean!r} is not an approved, previous or alias symbol in HGNC"
                if reported_id:
                    # not used to resolve, but it tells the curator which gene the source meant
                    reason += f"; the source reported {reported_id}"
                reasons.append(reason)

        out = pd.DataFrame(
            {
                "cleaned": cleaned,
                "hgnc_id": pd.Series(hgnc_id, index=text.index, dtype=object),
                "method": pd.Series(method, index=text.index, dtype=object),
                "status": pd.Series(status, index=text.index, dtype=object),
                "reason": pd.Series(reasons, index=text.index, dtype=object),
                "candidates": pd.Series(candidates, index=text.index, dtype=object),
            },
            index=text.index,
        )
        out.insert(2, "approved_symbol", out["hgnc_id"].map(self._symbol_by_id).astype(object))
        out["approved_symbol"] = out["approved_symbol"].where(out["hgnc_id"].notna(), None)
        return out


def staging_priority(base: int, text: str) -> int:
    """Review priority of an unresolved text in `gene_normalization_staging` (reference 3.6).

    `base` is the source's own priority (its registry entry: PanelApp 100, ClinGen 95, HPO 85,
    GenCC 80, DiagnosticPanels 75, PubTator 20, any other 10); +15 if the text is purely
    alphabetic; +25 for each of the kidney-gene stems PKD, COL, HNF, SLC, ATP, UMOD it contains;
    at most 200.
    """
    value = (text or "").strip().upper()
    score = base
    if value.isalpha():
        score += STAGING_ALPHABETIC_BONUS
    score += STAGING_PATTERN_BONUS * sum(stem in value for stem in STAGING_PATTERNS)
    return min(score, STAGING_MAX_PRIORITY)
