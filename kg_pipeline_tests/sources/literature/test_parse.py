"""Literature: the twelve real publication files, publications per gene, normalisation."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from kg_pipeline.sources.hgnc.normalise import GeneNormaliser
from kg_pipeline.sources.literature.parse import aggregate, parse
from kg_pipeline.sources.records import ParsedEvidence
from kg_pipeline_tests.sources.helpers import by_symbol, resolve, seed_files


@pytest.fixture(scope="module")
def parsed(real_data_dir: Path) -> ParsedEvidence:
    return parse(seed_files(real_data_dir, "literature"))


def test_the_twelve_real_files_list_815_distinct_symbols(parsed: ParsedEvidence) -> None:
    assert parsed.source == "Literature"
    assert parsed.stats == {"files": 12, "gene_entries": 2993, "distinct_symbols": 815}
    assert parsed.rows["symbol"].str.upper().nunique() == 815
    assert parsed.rows["pmid"].nunique() == 12
    assert parsed.rejects == []


def test_publication_counts_match_the_documented_seed(parsed: ParsedEvidence) -> None:
    per_symbol = aggregate(parsed.rows.assign(hgnc_id=parsed.rows["symbol"].str.upper()))
    counts = Counter(per_symbol["evidence_data"].map(lambda e: e["publication_count"]))

    assert dict(sorted(counts.items())) == {
        1: 328, 2: 157, 3: 53, 4: 37, 5: 29, 6: 26, 7: 34, 8: 31, 9: 27, 10: 49, 11: 30, 12: 14
    }  # fmt: skip


def test_evidence_per_gene(parsed: ParsedEvidence, normaliser: GeneNormaliser) -> None:
    rows = resolve(parsed.rows, normaliser)

    evidence = aggregate(rows)
    pkd1 = by_symbol(evidence, rows, "PKD1")
    data = pkd1["evidence_data"]

    assert evidence["hgnc_id"].is_unique
    assert data["publications"] == sorted(data["publications"], key=int)
    assert data["publication_count"] == len(data["publications"])
    assert list(data["publication_details"]) == data["publications"]
    first = data["publication_details"][data["publications"][0]]
    assert set(first) == {"pmid", "title", "authors", "journal", "publication_date", "url", "doi"}
    assert pkd1["source_detail"] == f"Literature: {data['publication_count']} publications"
    json.dumps(evidence["evidence_data"].tolist(), allow_nan=False)


def test_real_symbols_normalised_against_the_real_hgnc_set(
    parsed: ParsedEvidence, normaliser: GeneNormaliser
) -> None:
    symbols = parsed.rows[["symbol"]].drop_duplicates().assign(reported_hgnc_id=None)

    result = normaliser.normalise(symbols)

    assert result["status"].eq("resolved").all()
    assert result["hgnc_id"].nunique() == 815
    assert set(result["method"]) == {"approved_symbol"}  # "C21orf58" matches case-insensitively


def test_placeholders_are_rejected(tmp_path: Path) -> None:
    path = tmp_path / "x"
    publication = {"pmid": "1", "title": "T", "genes": [{"symbol": "NULL"}, {"symbol": "NPHS1"}]}
    path.write_text(json.dumps(publication), encoding="utf-8")

    parsed = parse({"literature/literature_pmid_1.json": path})

    assert parsed.rows["symbol"].tolist() == ["NPHS1"]
    assert parsed.rows["pmid"].tolist() == ["1"]
    assert [r.reason for r in parsed.rejects] == ["placeholder symbol"]
