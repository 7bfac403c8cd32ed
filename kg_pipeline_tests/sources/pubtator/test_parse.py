"""PubTator3 search pages (hand-made in the API's shape): gene mentions and per-gene PMIDs."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from kg_pipeline.raw_files import SourceFormatError
from kg_pipeline.sources.hgnc.normalise import GeneNormaliser
from kg_pipeline.sources.pubtator.parse import HIGHLIGHT, aggregate, entity_mention, parse
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


def test_upstream_keys_identifiers_and_evidence_score(
    pages: dict[str, Path], normaliser: GeneNormaliser
) -> None:
    """Upstream's readers look for `identifiers` (the gene tags' NCBI ids) and `evidence_score`
    (the mean score of the gene's distinct articles)."""
    rows = resolve(parse(pages).rows, normaliser)

    evidence = aggregate(rows)
    pkd1 = by_symbol(evidence, rows, "PKD1")["evidence_data"]
    pkd2 = by_symbol(evidence, rows, "PKD2")["evidence_data"]

    assert pkd1["identifiers"] == ["5310", "18763"]
    assert pkd1["evidence_score"] == 160.1667  # (310.5 + 120.0 + 50.0) / 3
    assert pkd2["identifiers"] == ["5311"]
    assert pkd2["evidence_score"] == 310.5


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


def test_highlighted_and_multi_id_gene_tags_are_matched(tmp_path: Path) -> None:
    # The shapes PubTator3 sends (upstream-live.md): a tag wrapped by the query highlight, a tag
    # with several ids, highlight marks around words and inside the display text.
    text = (
        "@<m>GENE_BRCA1</m> @GENE_672 @@@BRCA1@@@ and @GENE_IRS1 @GENE_25467;29376 @@@Irs1@@@ "
        "<m>variants</m> in @<m>GENE_PKD1</m> @GENE_5310;18763 @@@<m>PKD1</m> gene@@@ with "
        "@<m>DISEASE_Kidney_Diseases</m> @DISEASE_MESH:D007674 @@@kidney disease@@@"
    )
    page = {"pubtator/search/page-1": _page(tmp_path, 1, [_article(1, 1.0, text)], 1)}

    rows = parse(page).rows

    assert rows["symbol"].tolist() == ["BRCA1", "IRS1", "PKD1"]
    assert rows["entrez_id"].tolist() == ["672", "25467;29376", "5310;18763"]
    assert rows["mention"].tolist() == ["BRCA1", "Irs1", "PKD1 gene"]


def test_every_id_of_a_multi_id_tag_is_kept(tmp_path: Path, normaliser: GeneNormaliser) -> None:
    text = "@GENE_PKD1 @GENE_5310;18763 @@@PKD1@@@, @<m>GENE_PKD1</m> @GENE_5310 @@@PC1@@@"
    page = {"pubtator/search/page-1": _page(tmp_path, 1, [_article(7, 1.0, text)], 1)}
    rows = resolve(parse(page).rows, normaliser)

    data = by_symbol(aggregate(rows), rows, "PKD1")["evidence_data"]

    assert data["entrez_ids"] == ["5310", "18763"]
    assert data["total_mentions"] == 2
    assert data["pmids"] == ["7"]


def test_an_article_on_two_pages_counts_once(tmp_path: Path) -> None:
    # An incremental download carries stored pages over: an article can be on two pages.
    newer = _article(
        5, 2.0, "@GENE_PKD1 @GENE_5310 @@@PKD1@@@ and @GENE_PKD2 @GENE_5311 @@@PKD2@@@"
    )
    older = _article(5, 1.0, "@GENE_PKD1 @GENE_5310 @@@PKD1@@@")
    pages = {
        "pubtator/search/page-1": _page(tmp_path, 1, [newer], total_pages=2),
        "pubtator/search/page-2": _page(tmp_path, 2, [older], total_pages=2),
    }

    parsed = parse(pages)

    assert parsed.rows["symbol"].tolist() == ["PKD1", "PKD2"]
    assert parsed.rows["score"].tolist() == [2.0, 2.0]
    assert parsed.stats["articles"] == 1 and parsed.stats["repeated_articles"] == 1


def test_the_real_search_highlight(real_data_dir: Path) -> None:
    """The real `text_hl` of ten kidney search results: tags the query matched come wrapped
    (`@<m>DISEASE_Acute_Kidney_Injury</m> @DISEASE_MESH:D058186 @@@AKI@@@`). The sample tags no
    gene, so the gene tag grammar is checked on its disease and chemical tags."""
    sample = real_data_dir / "raw" / "pubtator" / "pubtator3_search_results.sample.json"
    texts = [r["text_hl"] for r in json.loads(sample.read_bytes())["results"]]

    parsed = parse({"pubtator/search/page-1": sample})

    assert parsed.stats == {"pages": 1, "articles": 10, "articles_with_genes": 0}
    assert parsed.rejects == [] and parsed.rows.empty
    for kind in ("DISEASE", "CHEMICAL"):
        grammar = entity_mention(kind, r"MESH:D\d+")
        # Every display text that follows a name and an id tag of this kind.
        expected = sum(
            len(re.findall(rf"@{kind}_\S+ @{kind}_MESH:\S+ @@@", HIGHLIGHT.sub("", t)))
            for t in texts
        )
        found = [m for t in texts for m in grammar.finditer(HIGHLIGHT.sub("", t))]
        unmarked = [m for t in texts for m in grammar.finditer(t)]
        assert len(found) == expected > 0, kind
        assert len(unmarked) < len(found), kind  # the wrapped tags are real and frequent
        assert all("<" not in m["name"] and "<" not in m["text"] for m in found)
