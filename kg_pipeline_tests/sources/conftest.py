"""Session fixtures of the parser tests: the real HGNC complete set, the normaliser on it, and
every real gene shaped like the `genes` table."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from kg_pipeline.sources.hgnc.normalise import GeneNormaliser
from kg_pipeline.sources.hgnc.parse import parse_complete_set


@pytest.fixture(scope="session")
def hgnc_file(real_data_dir: Path) -> Path:
    """The real HGNC complete set download."""
    return real_data_dir / "raw" / "hgnc" / "hgnc_complete_set.txt.gz"


@pytest.fixture(scope="session")
def hgnc_complete_set(hgnc_file: Path) -> pd.DataFrame:
    """The real HGNC complete set (43,882 genes), parsed once per test session."""
    return parse_complete_set(hgnc_file)


@pytest.fixture(scope="session")
def normaliser(hgnc_complete_set: pd.DataFrame) -> GeneNormaliser:
    """The gene normaliser built on the real HGNC complete set."""
    return GeneNormaliser(hgnc_complete_set)


@pytest.fixture(scope="session")
def real_genes(hgnc_complete_set: pd.DataFrame) -> pd.DataFrame:
    """All 43,882 HGNC genes as a genes frame (gene_id = row number + 1000), so the annotation
    parsers match real rows by real ids."""
    return pd.DataFrame(
        {
            "gene_id": range(1000, 1000 + len(hgnc_complete_set)),
            "hgnc_id": hgnc_complete_set["hgnc_id"],
            "approved_symbol": hgnc_complete_set["symbol"],
            "entrez_id": hgnc_complete_set["entrez_id"],
            "ensembl_gene_id": hgnc_complete_set["ensembl_gene_id"],
        }
    )
