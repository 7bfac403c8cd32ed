"""Helpers shared by the annotation parser tests: genes frames and the output contract checks.

Genes frames are shaped like the `genes` table (gene_id, hgnc_id, approved_symbol, entrez_id,
ensembl_gene_id). Every real gene comes from the `real_genes` fixture (`sources/conftest.py`);
small hand-made frames come from `genes_frame`.
"""

from __future__ import annotations

import json
import math

import pandas as pd

from kg_pipeline.sources.annotations import ParsedAnnotations


def genes_frame(*rows: tuple[int, str, str | None, str | None]) -> pd.DataFrame:
    """A genes frame from `(gene_id, symbol, entrez_id, ensembl_gene_id)` tuples."""
    return pd.DataFrame(
        [
            {
                "gene_id": gid,
                "hgnc_id": f"HGNC:{gid}",
                "approved_symbol": symbol,
                "entrez_id": entrez,
                "ensembl_gene_id": ensembl,
            }
            for gid, symbol, entrez, ensembl in rows
        ]
    )


def gene_id(genes: pd.DataFrame, symbol: str) -> int:
    return int(genes.loc[genes["approved_symbol"].eq(symbol), "gene_id"].iloc[0])


def annotation(parsed: ParsedAnnotations, genes: pd.DataFrame, symbol: str) -> dict:
    found = parsed.annotation(gene_id(genes, symbol))
    assert found is not None, f"{symbol} has no {parsed.source} annotation"
    return found


def _sorted_lists_and_finite(value: object, path: str) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            _sorted_lists_and_finite(v, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _sorted_lists_and_finite(v, f"{path}[{i}]")
    elif isinstance(value, float):
        assert math.isfinite(value), f"{path} is {value}"
    else:
        assert value is None or isinstance(value, (str, int, bool)), f"{path}: {type(value)}"


def assert_contract(parsed: ParsedAnnotations) -> None:
    """The `ParsedAnnotations` contract: int gene ids, one row per gene, storable JSON dicts."""
    assert list(parsed.rows.columns) == ["gene_id", "annotations"]
    assert parsed.rows["gene_id"].dtype == "int64"
    assert parsed.rows["gene_id"].is_unique
    assert parsed.rows["gene_id"].is_monotonic_increasing
    for value in parsed.rows["annotations"]:
        assert isinstance(value, dict)
        json.dumps(value, allow_nan=False)  # raises on NaN/inf and non-JSON types
        _sorted_lists_and_finite(value, "annotations")
    assert all(isinstance(v, int) for v in parsed.stats.values())
    assert parsed.stats["genes_matched"] == len(parsed.rows)
