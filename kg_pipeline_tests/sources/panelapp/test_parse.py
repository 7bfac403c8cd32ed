"""PanelApp: kidney panels of the real UK listing and details, green genes, UK + AU merge."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from kg_pipeline.raw_files import SourceFormatError
from kg_pipeline.sources.hgnc.normalise import GeneNormaliser
from kg_pipeline.sources.panelapp.parse import (
    KIDNEY_KEYWORDS,
    aggregate,
    is_kidney_panel,
    parse,
    read_release,
)
from kg_pipeline_tests.sources.helpers import (
    by_symbol,
    panelapp_au_files,
    panelapp_uk_files,
    resolve,
)

UK_KIDNEY_PANELS = {
    *(18, 83, 99, 106, 139, 149, 150, 154, 156, 234, 283, 292, 314, 487, 502, 521, 548, 678),
    *(725, 728, 1537, 1571),
}
"""The kidney panels of the real PanelApp UK listing of 2026-02 (the README lists them)."""

AU_KIDNEY_PANELS = {
    39: "Haematuria_Alport",
    53: "Bardet Biedl syndrome",
    61: "Congenital anomalies of the kidney and urinary tract (CAKUT) Nonsyndromic",
    63: "Congenital anomalies of the kidney and urinary tract (CAKUT) Syndromic",
    84: "Ciliopathies",
    129: "Joubert syndrome and other neurological ciliopathies",
    144: "Proteinuria",
    179: "Short Rib Polydactyly_Jeune Asphyxiating Thoracic Dystrophy_Skeletal Ciliopathy",
    190: "Hypertension and Aldosterone disorders",
    191: "Amyloidosis",
    192: "Calcium and Phosphate disorders",
    193: "Renal Ciliopathies and Nephronophthisis",
    194: "Renal Macrocystic Disease",
    199: "Renal Tubulointerstitial Disease",
    211: "Atypical Haemolytic Uraemic Syndrome_MPGN",
    251: "Congenital abnormalities of the kidneys and urinary tract (CAKUT)_SuperPanel",
    262: "Renal Glomerular Disease_SuperPanel",
    263: "Renal Cystic Disease_SuperPanel",
    275: "Kidneyome_SuperPanel",
    3763: "Fetal anomalies",
    3993: "Renal Tubulopathies and related disorders",
    4367: "Kidney Cancer",
}
"""The kidney panels of the real PanelApp Australia listing of 2025-10 (the README lists them)."""


@pytest.fixture(scope="module")
def uk_files(real_data_dir: Path) -> dict[str, Path]:
    return panelapp_uk_files(real_data_dir)


def _write(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_the_real_uk_files_keep_exactly_the_kidney_panels(uk_files: dict[str, Path]) -> None:
    parsed = parse(uk_files)

    assert parsed.source == "PanelApp"
    assert sorted(parsed.rows["panel_id"].unique()) == [149, 150, 156, 283, 292, 678]
    assert set(parsed.rows["region"]) == {"UK"}
    assert parsed.stats["panels_listed"] == 439
    assert parsed.stats["details_not_kidney"] == 4  # 1318 (cystic fibrosis), 1141, 123, 1221
    assert parsed.release == "2026-02-25"


def test_only_green_genes_are_kept(uk_files: dict[str, Path]) -> None:
    detail = json.loads(uk_files["panelapp_uk/api/v1/panels/149"].read_text())
    green = {
        g["gene_data"]["gene_symbol"]
        for g in detail["genes"]
        if g["confidence_level"] in ("3", "4")
    }

    rows = parse(uk_files).rows
    kept = set(rows.loc[rows["panel_id"].eq(149), "symbol"])

    assert kept == green
    assert len(kept) == 35  # of 51 genes on the panel
    assert set(rows["confidence_level"]) <= {"3", "4"}


def test_kidney_panels_listed_without_details_are_reported(uk_files: dict[str, Path]) -> None:
    rejects = parse(uk_files).rejects

    missing = {r.where for r in rejects if r.reason.startswith("kidney panel listed")}
    assert "panelapp_uk/api/v1/panels/234" in missing  # CAKUT: listed, detail not in the sample
    assert "panelapp_uk/api/v1/panels/1318" not in missing
    assert len(missing) == 16


@pytest.mark.parametrize(
    ("panel", "expected"),
    [
        ({"name": "Cystic kidney disease", "disease_group": "Renal"}, True),
        ({"name": "Rare multisystem ciliopathy disorders", "disease_group": "Ciliopathies"}, True),
        ({"name": "Extreme early-onset hypertension", "disease_group": "Renal and urinary"}, True),
        ({"name": "X", "relevant_disorders": ["Familial haematuria", "R194"]}, True),
        ({"name": "Congenital adrenal hyperplasia", "disease_group": "Endocrinology"}, False),
        ({"name": "Cystic fibrosis diagnostic test", "disease_group": "Respiratory"}, False),
        ({"name": "Acute rhabdomyolysis", "relevant_disorders": ["R419"]}, False),
        (
            {"name": "Primary immunodeficiency", "relevant_disorders": ["complement deficiency"]},
            False,
        ),
    ],
)
def test_is_kidney_panel(panel: dict[str, Any], expected: bool) -> None:
    assert is_kidney_panel(panel) is expected


def test_the_keyword_rule_is_exposed() -> None:
    assert {"kidney", "renal", "nephr", "cakut", "tubulopathy", "glomerul"} <= set(KIDNEY_KEYWORDS)


def test_the_real_listing_selects_the_uk_kidney_panels(uk_files: dict[str, Path]) -> None:
    listed = []
    for key, path in uk_files.items():
        if "/page-" in key:
            listed += json.loads(path.read_text())["results"]
    kidney = {p["id"] for p in listed if is_kidney_panel(p)}

    assert kidney == UK_KIDNEY_PANELS
    assert not {1318, 1141, 123, 1221, 1317, 145, 398, 653} & kidney


def test_the_real_australian_listing_selects_its_kidney_panels(real_data_dir: Path) -> None:
    files = panelapp_au_files(real_data_dir)

    parsed = parse(files)
    listed = [
        panel
        for path in files.values()
        for panel in json.loads(path.read_text(encoding="utf-8-sig"))["results"]
    ]
    missing = {
        int(r.where.rsplit("/", 1)[1])
        for r in parsed.rejects
        if r.reason == "kidney panel listed but its detail file is missing"
    }

    assert parsed.stats["panels_listed"] == len(listed) == 283
    assert not [r for r in parsed.rejects if r.reason == "panel listing incomplete"]
    assert {p["id"]: p["name"] for p in listed if is_kidney_panel(p)} == AU_KIDNEY_PANELS
    # Without details, every selected panel is reported as listed but not fetched.
    assert parsed.stats["kidney_panels_listed"] == len(missing) == len(AU_KIDNEY_PANELS)
    assert missing == set(AU_KIDNEY_PANELS)
    # Not kidney panels though their descriptions hold a keyword: "norepinephrine" ("nephr"),
    # "adrenal insufficiency" ("renal").
    descriptions = {p["id"]: p["description"].lower() for p in listed}
    assert "norepinephrine" in descriptions[145] and "adrenal" in descriptions[3166]
    assert not {145, 3166} & set(AU_KIDNEY_PANELS)
    assert read_release(files) == max(p["version_created"] for p in listed)[:10]


def test_genes_on_several_panels_list_each_panel(
    uk_files: dict[str, Path], normaliser: GeneNormaliser
) -> None:
    rows = resolve(parse(uk_files).rows, normaliser)

    evidence = aggregate(rows)
    hnf1b = by_symbol(evidence, rows, "HNF1B")

    assert evidence["hgnc_id"].is_unique
    assert len(evidence) == rows["hgnc_id"].nunique() == 281
    assert [p["id"] for p in hnf1b["evidence_data"]["panels"]] == [150, 156, 283, 292, 678]
    assert hnf1b["evidence_data"]["panel_count"] == 5
    assert hnf1b["evidence_data"]["panels"][0] == {
        "id": 150,
        "name": "Rare multisystem ciliopathy disorders",
        "version": "1.180",
        "region": "UK",
    }
    assert hnf1b["source_detail"] == "PanelApp (UK): 5 panels"
    assert "Renal cysts and diabetes syndrome" in hnf1b["evidence_data"]["phenotypes"]
    # the scalars upstream's PanelApp view reads: region, highest level as a number, MOI text
    assert {k: hnf1b["evidence_data"][k] for k in ("source", "confidence_level", "moi")} == {
        "source": "UK",
        "confidence_level": 3,
        "moi": "MONOALLELIC, autosomal or pseudoautosomal, NOT imprinted; "
        "MONOALLELIC, autosomal or pseudoautosomal, imprinted status unknown",
    }
    json.dumps(evidence["evidence_data"].tolist(), allow_nan=False)


def test_uk_and_australia_are_merged_per_gene(
    tmp_path: Path, uk_files: dict[str, Path], normaliser: GeneNormaliser
) -> None:
    cystic = json.loads(uk_files["panelapp_uk/api/v1/panels/283"].read_text())
    au_detail = {**cystic, "id": 3142, "name": "Renal Ciliopathies", "version": "1.40"}
    au_detail["genes"] = [
        g for g in cystic["genes"] if g["gene_data"]["gene_symbol"] in {"PKD1", "PKD2", "CFTR"}
    ] + [{"gene_data": {"gene_symbol": ""}, "entity_name": "", "confidence_level": "3"}]
    adrenal = {**au_detail, "id": 77, "name": "Adrenal insufficiency", "disease_group": ""}
    listing = {
        "count": 2,
        "next": None,
        "results": [
            {key: au_detail[key] for key in ("id", "name", "disease_group", "version")},
            {key: adrenal[key] for key in ("id", "name", "disease_group", "version")},
        ],
    }
    files = {
        **uk_files,
        "panelapp_au/api/v1/panels/page-1": _write(tmp_path / "l1", listing),
        "panelapp_au/api/v1/panels/3142": _write(tmp_path / "d1", au_detail),
        "panelapp_au/api/v1/panels/77": _write(tmp_path / "d2", adrenal),
    }

    parsed = parse(files)
    rows = resolve(parsed.rows, normaliser)
    pkd1 = by_symbol(aggregate(rows), rows, "PKD1")

    assert set(parsed.rows.loc[parsed.rows["region"].eq("Australia"), "panel_id"]) == {3142}
    assert pkd1["evidence_data"]["regions"] == ["UK", "Australia"]
    assert {"id": 3142, "name": "Renal Ciliopathies", "version": "1.40", "region": "Australia"} in (
        pkd1["evidence_data"]["panels"]
    )
    assert pkd1["source_detail"].startswith("PanelApp (UK, Australia): ")
    # the scalars upstream's PanelApp view reads
    assert pkd1["evidence_data"]["source"] == "UK, Australia"
    assert pkd1["evidence_data"]["confidence_level"] == 3
    assert [r.reason for r in parsed.rejects if r.where.startswith("panelapp_au")] == [
        "green gene without a symbol"
    ]


def test_a_broken_page_stops_the_parse(tmp_path: Path, uk_files: dict[str, Path]) -> None:
    broken = tmp_path / "page"
    broken.write_text('{"count": 439, "resul', encoding="utf-8")

    with pytest.raises(SourceFormatError, match="panelapp_uk/api/v1/panels/page-3"):
        parse({**uk_files, "panelapp_uk/api/v1/panels/page-3": broken})


def test_no_panelapp_files_is_an_error() -> None:
    with pytest.raises(SourceFormatError, match="no PanelApp files"):
        parse({"hpo/hp.obo": Path("x")})


def test_an_empty_rows_frame_still_has_the_columns(tmp_path: Path) -> None:
    listing = {"count": 1, "results": [{"id": 1, "name": "Cardiomyopathy"}]}

    parsed = parse({"panelapp_uk/api/v1/panels/page-1": _write(tmp_path / "p", listing)})

    assert parsed.rows.empty
    assert {"symbol", "reported_hgnc_id", "panel_id"} <= set(parsed.rows.columns)
    assert aggregate(pd.DataFrame(columns=[*parsed.rows.columns, "hgnc_id"])).empty
