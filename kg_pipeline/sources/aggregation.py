"""Helpers the evidence `aggregate` functions share to fold parsed rows into one row per gene.

Owns the per-gene collection primitives (sorted distinct values per `hgnc_id`, done with
groupby rather than Python loops over rows), ordering by classification strength (ClinGen,
GenCC), assembling per-gene columns into `evidence_data` dicts, the JSON clean-up that
guarantees an `evidence_data` dict holds no NaN or numpy scalars, and the shape of the aggregate
output.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any, Final

import numpy as np
import pandas as pd

from kg_pipeline.sources.records import json_value

EVIDENCE_COLUMNS: Final[tuple[str, ...]] = ("hgnc_id", "evidence_data", "source_detail")


def _is_missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def present(value: object) -> bool:
    """True for a usable scalar: not None/NaN and not a blank string."""
    if _is_missing(value):
        return False
    return not (isinstance(value, str) and not value.strip())


def numeric_text_key(values: pd.Series) -> pd.Series:
    """A sort key ordering identifier strings such as PMIDs numerically (non-numbers last)."""
    return pd.to_numeric(values, errors="coerce")


def collect_sorted(
    rows: pd.DataFrame,
    column: str,
    *,
    explode: bool = False,
    key: Callable[[pd.Series], pd.Series] | None = None,
) -> pd.Series:
    """Per `hgnc_id`, the sorted distinct usable values of `column` as a list.

    With `explode`, cells holding lists are flattened first. `key` orders the values (as in
    `Series.sort_values`); the default is plain string order. Genes without any usable value are
    absent from the result; use `lists_for` to fill them with empty lists.
    """
    pairs = rows[["hgnc_id", column]]
    if explode:
        pairs = pairs.explode(column)
    values = pairs[column]
    usable = values.notna()
    if usable.any():
        usable &= values.astype(str).str.strip().ne("")
    pairs = pairs[usable & pairs["hgnc_id"].notna()].drop_duplicates()
    if pairs.empty:
        return pd.Series(dtype=object, name=column)
    pairs = pairs.sort_values(column, key=key, kind="stable").sort_values("hgnc_id", kind="stable")
    genes = pairs["hgnc_id"]
    starts, ends = runs(genes)
    values = pairs[column].tolist()
    return pd.Series(
        [values[start:end] for start, end in zip(starts, ends, strict=True)],
        index=pd.Index(genes.iloc[starts], name="hgnc_id"),
        dtype=object,
        name=column,
    )


def runs(keys: pd.Series) -> tuple[list[int], list[int]]:
    """Where each run of equal adjacent `keys` starts and ends (exclusive). With the keys
    sorted, a run is all of a key's rows: slicing them into per-key lists is far faster than a
    groupby's list aggregation, which makes a Series and a Python call per group."""
    starts = np.flatnonzero(keys.ne(keys.shift()).to_numpy(dtype=bool))
    ends = np.flatnonzero(keys.ne(keys.shift(-1)).to_numpy(dtype=bool)) + 1
    return starts.tolist(), ends.tolist()


def lists_for(genes: pd.Index, collected: pd.Series) -> list[list[Any]]:
    """`collected` (from `collect_sorted`) aligned to `genes`, with [] where a gene has none."""
    mapping = collected.to_dict()
    return [list(mapping.get(gene, [])) for gene in genes]


def value_lists(
    rows: pd.DataFrame,
    genes: pd.Index,
    column: str,
    *,
    explode: bool = False,
    key: Callable[[pd.Series], pd.Series] | None = None,
) -> list[list[Any]]:
    """Per gene of `genes`, the sorted distinct usable values of `column` ([] where none): the
    options are those of `collect_sorted`."""
    return lists_for(genes, collect_sorted(rows, column, explode=explode, key=key))


def record_lists(
    rows: pd.DataFrame, genes: pd.Index, fields: list[str]
) -> list[list[dict[str, Any]]]:
    """Per gene of `genes`, its rows' `fields` as dicts (missing values as None), in row order
    ([] where a gene has no row).

    Callers sort and de-duplicate `rows` first; this only groups.
    """
    out: dict[str, list[dict[str, Any]]] = {}
    if not rows.empty:
        # Cast once per column (object columns hold Python scalars) instead of per value.
        values = rows[fields].astype(object)
        values = values.where(values.notna(), None)
        # Column lists zipped into dicts: `to_dict("records")` boxes every value on its own.
        columns = [values[f].tolist() for f in fields]
        for gene, *record in zip(rows["hgnc_id"].tolist(), *columns, strict=True):
            out.setdefault(gene, []).append(dict(zip(fields, record, strict=True)))
    return [out.get(gene, []) for gene in genes]


def strongest_first(rows: pd.DataFrame, rank: Mapping[str, int], then: list[str]) -> pd.DataFrame:
    """`rows` ordered by gene, then strongest `classification` first (`rank`: the higher, the
    stronger), then by the columns `then`; a stable sort."""
    return rows.assign(rank=rows["classification"].map(rank)).sort_values(
        ["hgnc_id", "rank", *then],
        ascending=[True, False, *(True for _ in then)],
        kind="stable",
    )


def ranked_classifications(
    rows: pd.DataFrame, genes: pd.Index, rank: Mapping[str, int]
) -> tuple[list[list[str]], list[str | None]]:
    """Per gene of `genes`, its distinct classifications strongest first (`rank`: the higher,
    the stronger) and the strongest of them (None for a gene without any)."""
    lists = value_lists(rows, genes, "classification", key=lambda values: -values.map(rank))
    return lists, [values[0] if values else None for values in lists]


def max_weights(classifications: list[list[str]], weights: Mapping[str, float]) -> list[float]:
    """Per gene, the highest weight of its classifications (0.0 for a title `weights` leaves
    out, and for a gene without any): upstream's per-source evidence score."""
    return [max((weights.get(c, 0.0) for c in titles), default=0.0) for titles in classifications]


def per_gene(**columns: list[Any]) -> list[dict[str, Any]]:
    """The per-gene `evidence_data` dicts of per-gene columns (each a list aligned to the
    genes): `per_gene(panels=[[...], ...], panel_count=[2, ...])` gives
    `[{"panels": [...], "panel_count": 2}, ...]`, keys in the order given."""
    names = list(columns)
    return [dict(zip(names, values, strict=True)) for values in zip(*columns.values(), strict=True)]


def evidence_frame(
    genes: pd.Index, evidence: list[dict[str, Any]], detail: Callable[[dict[str, Any]], str]
) -> pd.DataFrame:
    """The aggregate output: one row per gene with `hgnc_id`, `evidence_data` and the one-line
    `source_detail` that `detail` writes from the gene's evidence."""
    return pd.DataFrame(
        {
            "hgnc_id": pd.Series(list(genes), dtype=object),
            "evidence_data": pd.Series([json_value(e) for e in evidence], dtype=object),
            "source_detail": pd.Series([detail(e) for e in evidence], dtype=object),
        },
        columns=list(EVIDENCE_COLUMNS),
    )


def gene_index(rows: pd.DataFrame) -> pd.Index:
    """The sorted distinct genes of `rows` (the order every aggregate output uses)."""
    return pd.Index(sorted(rows["hgnc_id"].dropna().unique().tolist()), name="hgnc_id")


def plural(count: int, noun: str, plural_noun: str | None = None) -> str:
    """`"1 panel"`, `"3 panels"`."""
    word = noun if count == 1 else (plural_noun or f"{noun}s")
    return f"{count} {word}"
