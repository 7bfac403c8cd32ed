"""DiagnosticPanels: the nine real provider files, providers per file, normalisation figures."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from kg_pipeline.raw_files import SourceFormatError
from kg_pipeline.sources.diagnostic_panels.parse import aggregate, parse
from kg_pipeline.sources.hgnc.normalise import GeneNormaliser
from kg_pipeline.sources.records import ParsedEvidence
from kg_pipeline_tests.sources.helpers import by_symbol, resolve, seed_files


@pytest.fixture(scope="module")
def parsed(real_data_dir: Path) -> ParsedEvidence:
    return parse(seed_files(real_data_dir, "diagnostic_panels"))


def test_the_nine_real_files_list_966_distinct_symbols(parsed: ParsedEvidence) -> None:
    assert parsed.source == "DiagnosticPanels"
    assert parsed.stats == {"files": 9, "gene_entries": 3184, "distinct_symbols": 966}
    assert parsed.rows["symbol"].str.upper().nunique() == 966
    assert parsed.rows["provider"].nunique() == 9
    assert parsed.rejects == []
    assert parsed.release == "2025-08-24"


def test_providers_are_attributed_per_file(parsed: ParsedEvidence) -> None:
    """Every gene is credited to the providers whose files list it (upstream credited all
    seeded genes to "Seeded from 9 files"); the provider-count distribution per symbol is the
    one upstream documents for the seed."""
    per_symbol = aggregate(parsed.rows.assign(hgnc_id=parsed.rows["symbol"].str.upper()))
    counts = Counter(per_symbol["evidence_data"].map(lambda e: e["provider_count"]))

    assert dict(sorted(counts.items())) == {
        1: 408, 2: 138, 3: 87, 4: 51, 5: 49, 6: 41, 7: 64, 8: 62, 9: 66
    }  # fmt: skip


def test_evidence_per_gene(parsed: ParsedEvidence, normaliser: GeneNormaliser) -> None:
    rows = resolve(parsed.rows, normaliser)

    evidence = aggregate(rows)
    cep290 = by_symbol(evidence, rows, "CEP290")
    rho = by_symbol(evidence, rows, "RHO")["evidence_data"]

    assert evidence["hgnc_id"].is_unique
    assert rho["providers"] == ["Centogene"]
    assert rho["panels"] == ["CentoNephro"]
    assert cep290["evidence_data"]["provider_count"] == len(cep290["evidence_data"]["providers"])
    assert "Blueprint Genetics" in cep290["evidence_data"]["providers"]
    assert "Joubert Syndrome Panel" in cep290["evidence_data"]["panels"]
    assert cep290["evidence_data"]["panel_count"] == len(cep290["evidence_data"]["panels"])
    panel_counts = evidence["evidence_data"].map(lambda e: e["panel_count"])
    assert (panel_counts.min(), panel_counts.max()) == (1, 16)
    detail = cep290["source_detail"]
    assert detail.startswith("DiagnosticPanels: ") and " panels from " in detail


def test_real_symbols_normalised_against_the_real_hgnc_set(
    parsed: ParsedEvidence, normaliser: GeneNormaliser
) -> None:
    symbols = parsed.rows[["symbol"]].drop_duplicates().assign(reported_hgnc_id=None)

    result = normaliser.normalise(symbols)

    resolved = result[result["status"].eq("resolved")]
    assert resolved["hgnc_id"].nunique() == 964
    assert result["method"].value_counts().to_dict() == {"approved_symbol": 961, "alias_symbol": 3}
    # newer symbols than the 2024-10 HGNC release know: DRC2 (CCDC65), DRC4 (GAS8), CPAP (CENPJ)
    assert set(resolved.loc[resolved["method"].eq("alias_symbol"), "symbol"]) == {
        "DRC2",
        "DRC4",
        "CPAP",
    }
    # scraping junk: "ACMG" (from a guideline reference) and "IV" (a roman numeral)
    assert sorted(result.loc[result["status"].ne("resolved"), "symbol"]) == ["ACMG", "IV"]
    assert set(result["status"]) == {"resolved", "unresolved"}


def test_symbol_fallbacks_and_placeholders(tmp_path: Path) -> None:
    provider = {
        "provider_id": "lab",
        "provider_name": "Example Lab",
        "genes": [
            {"gene_symbol": "pkd1", "panels": "Cystic, Ciliopathy"},
            {"reported_as": "UMOD", "panel_name": "Tubulointerstitial"},
            {"symbol": "N/A", "panels": ["Cystic"]},
            {"symbol": "  ", "panels": ["Cystic"]},
            "NPHS2",
        ],
    }
    path = tmp_path / "c0ffee"
    path.write_text(json.dumps(provider), encoding="utf-8")

    parsed = parse({"diagnostic_panels/example_lab.json": path})

    assert parsed.rows["symbol"].tolist() == ["pkd1", "UMOD", "NPHS2"]
    assert parsed.rows["panels"].tolist() == [
        ["Ciliopathy", "Cystic"],
        ["Tubulointerstitial"],
        ["Example Lab"],
    ]
    assert [(r.where, r.reason) for r in parsed.rejects] == [
        ("diagnostic_panels/example_lab.json:genes[2]", "placeholder symbol"),
        ("diagnostic_panels/example_lab.json:genes[3]", "gene entry without a symbol"),
    ]


def test_a_panel_name_shared_by_providers_counts_per_provider(tmp_path: Path) -> None:
    files = {}
    for name in ("a", "b"):
        path = tmp_path / name
        path.write_text(
            json.dumps(
                {
                    "provider_name": name.upper(),
                    "genes": [{"symbol": "PKD1", "panels": ["Kidney Panel"]}],
                }
            ),
            encoding="utf-8",
        )
        files[f"diagnostic_panels/{name}.json"] = path
    rows = parse(files).rows.assign(hgnc_id="HGNC:9008")

    data = aggregate(rows).iloc[0]["evidence_data"]

    assert data["panels"] == ["Kidney Panel (A)", "Kidney Panel (B)"]
    assert (data["panel_count"], data["provider_count"]) == (2, 2)


def test_a_file_without_a_gene_list_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x"
    path.write_text('{"provider_name": "Lab", "total_panels": 1}', encoding="utf-8")

    with pytest.raises(SourceFormatError, match=r"lab\.json: no gene list"):
        parse({"diagnostic_panels/lab.json": path})
