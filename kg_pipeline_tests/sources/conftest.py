"""Session fixtures of the parser tests: the real HGNC reference and the normaliser on it."""

from __future__ import annotations

import pandas as pd
import pytest

from kg_pipeline.sources.hgnc.normalise import GeneNormaliser
from kg_pipeline.sources.hgnc.parse import parse_complete_set
from kg_pipeline_tests.sources.helpers import HGNC_FILE


@pytest.fixture(scope="session")
def hgnc_complete_set() -> pd.DataFrame:
    """The real HGNC complete set (43,882 genes), parsed once per test session."""
    return parse_complete_set(HGNC_FILE)


@pytest.fixture(scope="session")
def normaliser(hgnc_complete_set: pd.DataFrame) -> GeneNormaliser:
    """The gene normaliser built on the real HGNC complete set."""
    return GeneNormaliser(hgnc_complete_set)
