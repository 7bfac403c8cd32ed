"""Parse PubTator3 search result pages into per-gene publication evidence.

Owns reading the pages (`pubtator/search/page-<n>`: `{"results": [...], "count",
"total_pages", "current", "page_size"}`), extracting gene mentions from each result's
highlighted text (`@GENE_<symbol> @GENE_<entrez> @@@<text>@@@`), and the per-gene PubTator
evidence (reference 2.5).

The highlight as PubTator3 really sends it: query-matched words are wrapped `<m>..</m>`, and
so is a tag when the query names its entity (`@<m>GENE_BRCA1</m> @GENE_672 @@@BRCA1@@@`);
a tag can carry several NCBI gene ids (`@GENE_IRS1 @GENE_25467;29376`, the gene in several
species). The `<m>` marks are removed before matching, and the ids are kept as sent.

Decisions against upstream: symbols keep their hyphens (upstream's `\\w+` token stops at the
hyphen, so a "HLA-DRB1" mention matched nothing and was lost); pages missing from a run are
reported instead of skipped silently. The highlight carries no taxon, so, as upstream, no
species filter is applied; the normaliser resolves only human symbols (mouse "Pkd1" matches
PKD1 case-insensitively, as upstream). An article on several pages (an incremental download
carries earlier pages over) counts once, as its first page has it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

import numpy as np
import pandas as pd

from kg_pipeline.raw_files import RawFiles, SourceFormatError, read_json
from kg_pipeline.sources import aggregation, records

SOURCE: Final = "PubTator"
_PAGE_KEY: Final = re.compile(r"pubtator/search/page-(\d+)")


def entity_mention(kind: str, ids: str) -> re.Pattern[str]:
    """One mention of a `kind` entity (GENE, DISEASE, ...) in `text_hl` without its `<m>`
    marks: `@<kind>_<name> @<kind>_<ids> @@@<text>@@@`. The name token is letters, digits,
    hyphens, ... but not an id token; `ids` is the regex of the id token."""
    return re.compile(
        rf"@{kind}_(?P<name>(?!{ids}\s)[^\s@]+)\s+@{kind}_(?P<ids>{ids})\s+@@@(?P<text>.*?)@@@",
        re.DOTALL,
    )


GENE_MENTION: Final = entity_mention("GENE", r"\d+(?:;\d+)*")
"""A gene mention: symbol, one or several NCBI gene ids joined by `;`, highlighted text."""

HIGHLIGHT: Final = re.compile(r"</?m>")
"""PubTator3's query highlight marks, around words and around whole entity tags."""

ID_SEPARATOR: Final = ";"
"""Between the ids of one gene tag."""

MAX_MENTIONS: Final = 20
TOP_MENTIONS: Final = 5

ROW_COLUMNS: Final[tuple[str, ...]] = (
    "symbol",
    "reported_hgnc_id",
    "entrez_id",
    "pmid",
    "title",
    "journal",
    "date",
    "score",
    "mention",
)
_ARTICLE_FIELDS: Final = ("pmid", "title", "journal", "date", "score", "text_hl")


def _articles(key: str, data: Any, rejects: list[records.Reject]) -> list[tuple[Any, ...]]:
    """The page's results as rows of `_ARTICLE_FIELDS`; results without a numeric PMID are
    rejects."""
    if not isinstance(data, Mapping) or not isinstance(data.get("results"), list):
        raise SourceFormatError(SOURCE, key, "a search page without a 'results' list")
    articles: list[tuple[Any, ...]] = []
    for position, result in enumerate(data["results"]):
        if not isinstance(result, Mapping):
            reason = "result is not an object"
        elif (pmid := str(result.get("pmid") or "").strip()).isdigit():
            get = result.get
            articles.append(
                (pmid, get("title"), get("journal"), get("date"), get("score"), get("text_hl"))
            )
            continue
        else:
            reason = "result without a numeric pmid"
        rejects.append(records.Reject(f"{key}:results[{position}]", reason, records.clip(result)))
    return articles


def parse(files: RawFiles) -> records.ParsedEvidence:
    """Gene mentions of the search results, one row per (article, gene mention).

    Pages are read in page order and an article counts once (its first page's copy); results
    without a numeric PMID are rejects, and pages the first page announces (`total_pages`) but
    the run lacks are one reject listing them.
    """
    pages = records.select_files(files, _PAGE_KEY)
    if not pages:
        raise SourceFormatError(SOURCE, "pubtator/search/page-1", "no search pages given")
    numbered = {int(key.rsplit("-", 1)[1]): (key, path) for key, path in pages.items()}
    ordered = [numbered[n] for n in sorted(numbered)]

    rejects: list[records.Reject] = []
    articles: list[tuple[Any, ...]] = []
    announced = 0
    for key, path in ordered:
        data = read_json(SOURCE, key, path)
        articles.extend(_articles(key, data, rejects))
        total = data.get("total_pages")
        if isinstance(total, int):
            announced = max(announced, total)
    missing = sorted(set(range(1, announced + 1)) - numbered.keys())
    if missing:
        shown = ", ".join(map(str, missing[:20])) + (", ..." if len(missing) > 20 else "")
        rejects.append(
            records.Reject(
                "pubtator/search",
                "search pages missing",
                f"{len(missing)} of {announced} pages missing: {shown}",
            )
        )

    table = pd.DataFrame(articles, columns=list(_ARTICLE_FIELDS)).drop_duplicates("pmid")
    stats = {"pages": len(ordered), "articles": len(table)}
    if len(table) < len(articles):
        stats["repeated_articles"] = len(articles) - len(table)
    if table.empty:
        return records.ParsedEvidence(SOURCE, records.empty_rows(ROW_COLUMNS), rejects, None, stats)

    # A missing highlight is no text, not the text "nan"; a blank one finds no mention anyway.
    highlights = table["text_hl"].astype(str).fillna("")
    highlights = highlights.str.replace(HIGHLIGHT.pattern, "", regex=True)
    # What `str.extractall` would find, without its per-match index tuples and MultiIndex: the
    # article's position and the groups, an empty group missing as extractall has it.
    mentions = [
        (position, name, ids, text or np.nan)
        for position, highlight in enumerate(highlights.tolist())
        for name, ids, text in GENE_MENTION.findall(highlight)
    ]
    if not mentions:
        stats["articles_with_genes"] = 0
        return records.ParsedEvidence(SOURCE, records.empty_rows(ROW_COLUMNS), rejects, None, stats)
    article_of, names, ids, texts = zip(*mentions, strict=True)
    stats["articles_with_genes"] = len(set(article_of))

    found = table.iloc[list(article_of)]
    mention_text = pd.Series(texts, dtype=highlights.dtype).str.strip()
    rows = pd.DataFrame(
        {
            "symbol": np.array(names, dtype=object),
            "reported_hgnc_id": None,
            "entrez_id": np.array(ids, dtype=object),
            "pmid": found["pmid"].to_numpy(),
            "title": found["title"].to_numpy(),
            "journal": found["journal"].to_numpy(),
            "date": found["date"].to_numpy(),
            "score": pd.to_numeric(found["score"], errors="coerce").to_numpy(),
            "mention": mention_text.to_numpy(),
        },
        columns=list(ROW_COLUMNS),
    )
    stats["gene_mentions"] = len(rows)
    return records.ParsedEvidence(SOURCE, rows.astype(object), rejects, None, stats)


def _source_detail(e: dict[str, Any]) -> str:
    return f"PubTator: {aggregation.plural(e['publication_count'], 'publication')}"


def aggregate(rows: pd.DataFrame) -> pd.DataFrame:
    """One PubTator evidence row per gene.

    `evidence_data`: `pmids` (sorted numerically), `publication_count` (the scoring input),
    `entrez_ids`, `mentions` (the best-scored article per PMID, top 20 by score:
    {pmid, title, journal, date, score, text}), `top_mentions` (top 5 of those),
    `total_mentions`, `mean_score` (mean article score), `reported_symbols`; and under
    upstream's names `identifiers` (the NCBI gene ids of the gene's tags, as `entrez_ids`) and
    `evidence_score` (the mean score of the gene's distinct articles, as `mean_score`).
    """
    genes = aggregation.gene_index(rows)
    pmids = aggregation.value_lists(rows, genes, "pmid", key=aggregation.numeric_text_key)
    total_mentions = rows.groupby("hgnc_id").size().to_dict()

    scored = rows.assign(score=pd.to_numeric(rows["score"], errors="coerce"))
    # PMID order first, so that equal scores keep a deterministic order in the stable sort.
    scored = scored.sort_values("pmid", key=aggregation.numeric_text_key, kind="stable")
    per_article = scored.sort_values(
        ["hgnc_id", "score"], ascending=[True, False], kind="stable"
    ).drop_duplicates(["hgnc_id", "pmid"])
    mean_score = per_article.groupby("hgnc_id")["score"].mean().to_dict()
    best = per_article.groupby("hgnc_id", sort=False).head(MAX_MENTIONS)
    best = best.rename(columns={"mention": "text"})
    mentions = aggregation.record_lists(
        best, genes, ["pmid", "title", "journal", "date", "score", "text"]
    )
    scores = [mean_score.get(gene) for gene in genes]

    entrez_ids = aggregation.value_lists(
        rows.assign(entrez_id=rows["entrez_id"].str.split(ID_SEPARATOR)),
        genes,
        "entrez_id",
        explode=True,
        key=aggregation.numeric_text_key,
    )
    mean_scores = [None if s is None or pd.isna(s) else round(float(s), 4) for s in scores]
    evidence = aggregation.per_gene(
        pmids=pmids,
        publication_count=[len(p) for p in pmids],
        entrez_ids=entrez_ids,
        # Upstream's readers know the ids as `identifiers` and the mean as `evidence_score`
        # (its sum of article scores over the gene's distinct PMIDs, divided by their count).
        identifiers=entrez_ids,
        mentions=mentions,
        top_mentions=[m[:TOP_MENTIONS] for m in mentions],
        total_mentions=[int(total_mentions.get(gene, 0)) for gene in genes],
        mean_score=mean_scores,
        evidence_score=mean_scores,
        reported_symbols=aggregation.value_lists(rows, genes, "symbol"),
    )
    return aggregation.evidence_frame(genes, evidence, _source_detail)
