"""The registry: one entry per source, names the database and the asset graph rely on."""

from __future__ import annotations

import pytest

from kg_pipeline.http.transport import mirror_relpath
from kg_pipeline.sources.registry import (
    ANNOTATION_LOADS,
    EVIDENCE_LOADS,
    SOURCES,
    SOURCES_BY_KEY,
    UPSTREAMS,
    source,
)


def test_fourteen_sources_with_unique_keys_and_upstreams() -> None:
    assert [s.key for s in SOURCES] == [
        "hgnc",
        "panelapp",
        "clingen",
        "gencc",
        "hpo",
        "pubtator",
        "diagnostic_panels",
        "literature",
        "gnomad",
        "gtex",
        "descartes",
        "clinvar",
        "mgi",
        "string",
    ]
    assert len(UPSTREAMS) == sum(len(s.upstreams) for s in SOURCES)
    assert UPSTREAMS["mgi"].keys() == (
        "mgi/HMD_HumanPhenotype.rpt",
        "mgi/MGI_GenePheno.rpt",
        "mgi/MPheno_OBO.ontology",
    )


def test_evidence_names_are_the_database_values() -> None:
    assert [load.name for _, load in EVIDENCE_LOADS] == [
        "PanelApp",
        "ClinGen",
        "GenCC",
        "HPO",
        "PubTator",
        "DiagnosticPanels",
        "Literature",
    ]
    assert [s.key for s, load in EVIDENCE_LOADS if load.file_based] == [
        "diagnostic_panels",
        "literature",
    ]


def test_annotation_names_are_the_seeded_annotation_sources() -> None:
    assert sorted(load.name for _, load in ANNOTATION_LOADS) == [
        "clinvar",
        "descartes",
        "gnomad",
        "gtex",
        "hgnc",
        "hpo",
        "mpo_mgi",
        "string_ppi",
    ]
    assert SOURCES_BY_KEY["string"].load_assets() == ["string_ppi_annotations"]
    assert SOURCES_BY_KEY["hpo"].load_assets() == ["hpo_evidence", "hpo_annotations"]


def test_every_source_either_lists_files_or_walks_an_api() -> None:
    for entry in SOURCES:
        fixed = all(upstream.files for upstream in entry.upstreams)
        # A walk over fixed files chooses among them by its options (STRING's network).
        chooses = fixed and entry.walk is not None and entry.options is not None
        assert fixed != (entry.walk is not None) or chooses, entry.key
        paged = [u for u in entry.upstreams if not u.files]
        assert all(u.api_format == "json" for u in paged), entry.key
    assert [s.key for s in SOURCES if all(u.files for u in s.upstreams) and s.walk] == ["string"]


def test_every_fixed_file_is_named_as_its_request() -> None:
    """A file's request path (query included) is its snapshot path and raw-file key: the mirror,
    the emulator and the snapshot writer all find it under the same name."""
    for upstream in UPSTREAMS.values():
        for relpath in upstream.files:
            assert mirror_relpath(relpath) == relpath, relpath
    gencc = UPSTREAMS["gencc"]
    assert f"{gencc.base_url}/{gencc.files[0]}" == (
        "https://thegencc.org/download/action/submissions-export-tsv?format=new"
    )


def test_an_unknown_key_names_the_known_ones() -> None:
    with pytest.raises(KeyError, match="known: hgnc, panelapp"):
        source("omim")
