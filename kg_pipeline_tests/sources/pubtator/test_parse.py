"""PubTator3 search pages (hand-made in the API's shape): gene mentions and per-gene PMIDs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kg_pipeline.raw_files import SourceFormatError
from kg_pipeline.sources.hgnc.normalise import GeneNormaliser
from kg_pipeline.sources.pubtator.parse import aggregate, parse
from kg_pipeline_tests.sources.helpers import by_symbol, resolve


def _article(pmid: Any, score: float, text_hl: str, title: str = "A kidney study") -> dict:
    return {
        "_id": str(pmid),
        "pmid": pmid,
        "title": title,
        "journal": "Kidney Int",
        "date": "2024-01-01T00:00:00Z",
        "score": score,
        "text_hl": text_hl,
        "authors": ["A B"],
    }


def _page(tmp_path: Path, number: int, results: list[dict], total_pages: int) -> Path:
    path = tmp_path / f"sha{number}"
    page = {
        "results": results,
        "count": 10 * total_pages,
        "total_pages": total_pages,
        "current": number,
        "page_size": 10,
    }
    path.write_text(json.dumps(page), encoding="utf-8")
    return path


@pytest.fixture
def pages(tmp_path: Path) -> dict[str, Path]:
    one = [
        _article(
            30000001,
            310.5,
            "Variants in @GENE_PKD1 @GENE_5310 @@@<m>PKD1</m>@@@ and "
            "@GENE_PKD2 @GENE_5311 @@@polycystin-2@@@ cause ADPKD.",
        ),
        _article(
            "30000002",
            120.0,
            "@GENE_HLA-DRB1 @GENE_3123 @@@HLA-DRB1@@@ alleles in @DISEASE_MESH:D009393 "
            "@@@nephritis@@@; @GENE_PKD1 @GENE_5310 @@@PC1@@@ again.",
        ),
        _article("", 99.0, "@GENE_UMOD @GENE_7369 @@@UMOD@@@"),
    ]
    three = [
        _article(9000001, 50.0, "mouse @GENE_Pkd1 @GENE_18763 @@@Pkd1@@@ model"),
        _article(30000003, 200.0, "no genes highlighted here"),
    ]
    return {
        "pubtator/search/page-1": _page(tmp_path, 1, one, total_pages=3),
        "pubtator/search/page-3": _page(tmp_path, 3, three, total_pages=3),
    }


def test_gene_mentions_are_extracted_with_hyphens(pages: dict[str, Path]) -> None:
    parsed = parse(pages)
    rows = parsed.rows

    assert parsed.source == "PubTator"
    assert rows["symbol"].tolist() == ["PKD1", "PKD2", "HLA-DRB1", "PKD1", "Pkd1"]
    assert rows["entrez_id"].tolist() == ["5310", "5311", "3123", "5310", "18763"]
    assert rows["pmid"].tolist() == ["30000001", "30000001", "30000002", "30000002", "9000001"]
    assert rows["mention"].tolist()[:2] == ["PKD1", "polycystin-2"]
    assert parsed.stats == {
        "pages": 2,
        "articles": 4,
        "articles_with_genes": 3,
        "gene_mentions": 5,
    }


def test_bad_results_and_missing_pages_are_reported(pages: dict[str, Path]) -> None:
    rejects = parse(pages).rejects

    assert [(r.where, r.reason) for r in rejects] == [
        ("pubtator/search/page-1:results[2]", "result without a numeric pmid"),
        ("pubtator/search", "search pages missing"),
    ]
    assert rejects[1].text == "1 of 3 pages missing: 2"


def test_one_evidence_per_gene_with_its_publications(
    pages: dict[str, Path], normaliser: GeneNormaliser
) -> None:
    rows = resolve(parse(pages).rows, normaliser)

    evidence = aggregate(rows)
    pkd1 = by_symbol(evidence, rows, "PKD1")
    data = pkd1["evidence_data"]

    assert len(evidence) == 3  # PKD1 (human and mouse mentions), PKD2, HLA-DRB1
    assert data["pmids"] == ["9000001", "30000001", "30000002"]
    assert data["publication_count"] == 3
    assert data["entrez_ids"] == ["5310", "18763"]
    assert data["total_mentions"] == 3
    assert [m["pmid"] for m in data["mentions"]] == ["30000001", "30000002", "9000001"]
    assert data["top_mentions"][0] == {
        "pmid": "30000001",
        "title": "A kidney study",
        "journal": "Kidney Int",
        "date": "2024-01-01T00:00:00Z",
        "score": 310.5,
        "text": "PKD1",
    }
    assert data["mean_score"] == round((310.5 + 120.0 + 50.0) / 3, 4)
    assert pkd1["source_detail"] == "PubTator: 3 publications"
    assert by_symbol(evidence, rows, "HLA-DRB1")["evidence_data"]["pmids"] == ["30000002"]


def test_a_page_without_results_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "p"
    path.write_text('{"detail": "rate limited"}', encoding="utf-8")

    with pytest.raises(SourceFormatError, match="page-1: a search page without a 'results'"):
        parse({"pubtator/search/page-1": path})


def test_a_truncated_page_is_refused(tmp_path: Path, pages: dict[str, Path]) -> None:
    path = tmp_path / "p"
    path.write_text('{"results": [{"pmid": 1, "text_hl": "@GENE_PK', encoding="utf-8")

    with pytest.raises(SourceFormatError, match="page-2: not valid JSON"):
        parse({**pages, "pubtator/search/page-2": path})
