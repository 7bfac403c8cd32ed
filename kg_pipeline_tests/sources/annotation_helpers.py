"""Helpers shared by the annotation parser tests: genes frames and the output contract checks.

Genes frames are shaped like the `genes` table (gene_id, hgnc_id, approved_symbol, entrez_id,
ensembl_gene_id). Every real gene comes from the `real_genes` fixture (`sources/conftest.py`);
small hand-made frames come from `genes_frame`.
"""

from __future__ import annotations

import json
import math
import shutil
from collections import Counter
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from kg_pipeline.sources import annotations
from kg_pipeline.sources.annotations import GENE_COLUMNS, ParsedAnnotations

NO_GENES = pd.DataFrame(columns=list(GENE_COLUMNS))
"""The genes of a raw check: none."""


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


def check_then_load(
    annotate: Callable[..., ParsedAnnotations],
    files: Mapping[str, Path],
    genes: pd.DataFrame,
    monkeypatch: pytest.MonkeyPatch,
    **inputs: Any,
) -> tuple[ParsedAnnotations, Counter[str]]:
    """What a raw check (`annotate` with no genes, and no scores) and then the load (with
    `genes`) of the same files in one process give: the load's output, and how often each file
    key was read by the two (through `annotations.iter_blocks`)."""
    reads: Counter[str] = Counter()
    iter_blocks = annotations.iter_blocks

    def counted(source: str, key: str, path: Path, *args: Any) -> Any:
        reads[key] += 1
        return iter_blocks(source, key, path, *args)

    monkeypatch.setattr(annotations, "iter_blocks", counted)
    annotate(files, NO_GENES, **{k: {} if k == "scores" else v for k, v in inputs.items()})
    return annotate(files, genes, **inputs), reads


def fresh_copies(files: Mapping[str, Path], folder: Path) -> dict[str, Path]:
    """Copies of `files` (other files: a memoised read of the originals is not theirs)."""
    folder.mkdir()
    copies = {}
    for number, (key, path) in enumerate(files.items()):
        copies[key] = Path(shutil.copyfile(path, folder / str(number)))
    return copies


def assert_same_output(parsed: ParsedAnnotations, expected: ParsedAnnotations) -> None:
    """Rows, stats (in their order), rejects, reject counts (in their order) and release."""
    assert parsed.rows["gene_id"].tolist() == expected.rows["gene_id"].tolist()
    assert parsed.rows["annotations"].tolist() == expected.rows["annotations"].tolist()
    assert list(parsed.stats.items()) == list(expected.stats.items())
    assert parsed.rejects == expected.rejects
    assert list(parsed.reject_counts.items()) == list(expected.reject_counts.items())
    assert parsed.release == expected.release
