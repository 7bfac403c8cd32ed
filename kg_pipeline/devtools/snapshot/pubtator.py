"""PubTator3 search API pages: `pubtator/search/page-<n>`.

Each page is the JSON body of `GET /search/?text=<kidney query>&sort=date desc&page=n`: ten
results (`_id`, `pmid`, `pmcid`, `title`, `journal`, `authors`, `date`, `doi`, `meta_*`,
`score`, `text_hl`, `citations`), empty `facets`, `page_size`, `current`, `count`,
`total_pages`, newest article first across pages (the order the incremental refresh relies
on). Gene mentions inside `text_hl` follow PubTator's highlight pattern
`@GENE_<symbol> @GENE_<NCBI gene id(s)> @@@<display text>@@@`, next to disease
(`@DISEASE_<name> @DISEASE_<MeSH id> @@@...@@@`) and species mentions the parser must ignore;
as in the real service, query-matched words are wrapped `<m>..</m>`, and so are some whole
tags (`@<m>GENE_PKD1</m> @GENE_5310 @@@PKD1@@@`), and a few gene tags carry a second id
(`@GENE_PKD1 @GENE_5310;18763`, the gene in another species).

Real-data mode (derived-from-real): the R run's PubTator genes with their real PMIDs,
inverted to one article per PMID carrying all its genes; NCBI ids from the HGNC file. Titles,
journals, authors, dates (later for higher PMIDs), scores, the highlight marks and the second
ids are made up.

Synthetic mode: ~4,200 genes over ~775 pages, a few genes in hundreds of articles and most
in one or two; some mentions use a previous symbol, a mouse ortholog, or an alias. At `--scale`
1 older articles (six in ten without a gene, the rest re-using the genes' mentions) fill the
search to the real one's size, about 55,000 articles (5,500 pages).

`publish_new_articles` adds newer articles to a written snapshot, as the live search gains
them: the incremental refresh's tests and benchmark start from it.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg_pipeline.devtools.snapshot import names
from kg_pipeline.devtools.snapshot.context import SnapshotContext
from kg_pipeline.devtools.snapshot.evidence_plan import EvidencePlan
from kg_pipeline.devtools.snapshot.names import distinct, pick, rint
from kg_pipeline.devtools.snapshot.output import SnapshotWriter
from kg_pipeline.devtools.snapshot.realdata import R_RUN_DATE, RealData, RTable
from kg_pipeline.devtools.snapshot.universe import SYNTHETIC_RELEASE, GeneUniverse
from kg_pipeline.manifest import MANIFEST_NAME, Manifest, Origin
from kg_pipeline.sources.pubtator.parse import GENE_MENTION, HIGHLIGHT

PAGE_SIZE = 10
FORMAT = "pubtator3-search-json"
SEARCH = "search"
REAL_SEARCH_ARTICLES = 55_000
"""About 5,500 pages of ten for the kidney query (upstream-live.md)."""
_NO_GENE_SHARE = 0.6
_TAG_HIGHLIGHT_SHARE = 0.08
_WORD_HIGHLIGHT_SHARE = 0.03
_MULTI_ID_SHARE = 0.01
_FIRST_DAY = dt.date(1995, 1, 1)
_PMID_RANGE = (8_000_000, 39_500_000)
_DAYS_SPAN = 11_100
_DATE_JITTER_DAYS = 90
_DISEASES: tuple[tuple[str, str, str], ...] = (
    ("Kidney_Diseases", "MESH:D007674", "kidney disease"),
    ("Kidney_Diseases", "MESH:D007674", "renal disease"),
    ("Renal_Insufficiency_Chronic", "MESH:D051436", "chronic kidney disease"),
    ("Polycystic_Kidney_Diseases", "MESH:D007690", "polycystic kidney disease"),
    ("Nephrotic_Syndrome", "MESH:D009404", "nephrotic syndrome"),
    ("Glomerulosclerosis_Focal_Segmental", "MESH:D005923", "focal segmental glomerulosclerosis"),
    ("Nephritis_Hereditary", "MESH:D009394", "hereditary nephritis"),
    ("Acute_Kidney_Injury", "MESH:D058186", "acute kidney injury"),
    ("Kidney_Neoplasms", "MESH:D007680", "kidney neoplasms"),
    ("Nephrolithiasis", "MESH:D053040", "nephrolithiasis"),
)
_SENTENCES: tuple[str, ...] = (
    "We identified <m>variants</m> in {genes} in families with {disease}.",
    "{genes} <m>mutation</m> screening in a cohort with {disease}.",
    "Whole-exome sequencing revealed biallelic <m>variants</m> in {genes} causing {disease}.",
    "Loss of {genes} leads to {disease} through impaired ciliary signalling.",
    "Genotype-phenotype correlation of {genes} <m>variants</m> in {disease} patients.",
    "A novel <m>syndrome</m> with {disease} caused by de novo <m>variants</m> in {genes}.",
    "Targeted panel sequencing of {genes} in children with {disease}.",
)
_TITLE_SHAPES: tuple[str, ...] = (
    "{g} variants in {d}",
    "Genetic spectrum of {d} in a multicentre cohort",
    "Novel {g} mutation causing {d}",
    "Clinical and genetic characterisation of {d}",
    "{g}-associated {d}: a case series",
    "Exome sequencing in {d}",
    "Role of {g} in {d}",
)
# Mouse orthologs in text: PubTator tags them with mouse gene ids (no taxon check upstream).
_MOUSE_ID_BASE = 18_000
_ORTHOLOG_ID_BASE = 300_000_000
"""Second ids of multi-id tags: above every id the synthetic universe gives a human gene."""

GeneTag = tuple[str, str, str]
"""One gene mention: symbol, NCBI gene id(s) as the tag carries them, display text."""


@dataclass
class Article:
    """One search result, and the genes it mentions."""

    pmid: int
    genes: list[GeneTag] = field(default_factory=list)
    malformed: bool = False  # a result whose highlight text is missing
    date: dt.date = _FIRST_DAY


def _gene_token(rng: random.Random, symbol: str, ids: str, display: str) -> str:
    u = rng.random()
    if u < _MULTI_ID_SHARE and ";" not in ids and ids.isdigit():
        ids = f"{ids};{_ORTHOLOG_ID_BASE + int(ids)}"
    name = f"<m>GENE_{symbol}</m>" if rng.random() < _TAG_HIGHLIGHT_SHARE else f"GENE_{symbol}"
    if rng.random() < _WORD_HIGHLIGHT_SHARE:
        display = f"<m>{display}</m>"
    return f"@{name} @GENE_{ids} @@@{display}@@@"


def _text_hl(rng: random.Random, article: Article) -> str:
    name, mesh, disease = pick(rng, _DISEASES)
    # The query names kidney disease: its tags come highlighted, as in the real service.
    disease_token = f"@<m>DISEASE_{name}</m> @DISEASE_{mesh} @@@{disease}@@@"
    genes = [_gene_token(rng, *g) for g in article.genes]
    if not genes:
        gene_text = "candidate genes"
    elif len(genes) == 1:
        gene_text = genes[0]
    else:
        gene_text = ", ".join(genes[:-1]) + " and " + genes[-1]
    text = pick(rng, _SENTENCES).format(genes=gene_text, disease=disease_token)
    if rng.random() < 0.4:
        text = f"@SPECIES_9606 @@@Patients@@@ with {disease_token} were studied. " + text
    return text


def _result(rng: random.Random, article: Article) -> dict[str, Any]:
    first = article.genes[0][0] if article.genes else "gene"
    _, _, disease = pick(rng, _DISEASES)
    title = pick(rng, _TITLE_SHAPES).format(g=first, d=disease)
    title = title[0].upper() + title[1:] + "."
    journal = pick(rng, names.JOURNALS)
    authors = [names.author_short(rng) for _ in range(rint(rng, 1, 8))]
    volume, issue, first_page = str(rint(rng, 1, 110)), str(rint(rng, 1, 12)), rint(rng, 1, 3000)
    pages = f"{first_page}-{first_page + rint(rng, 2, 14)}"
    month = article.date.strftime("%Y %b")
    citation = f"{', '.join(authors)}. {title} {journal}. {month};{volume}({issue}):{pages}."
    return {
        "_id": str(article.pmid),
        "pmid": article.pmid,
        "pmcid": f"PMC{rint(rng, 1_000_000, 12_000_000)}" if rng.random() < 0.4 else None,
        "title": title,
        "journal": journal,
        "authors": authors,
        "date": f"{article.date.isoformat()}T00:00:00Z",
        "doi": f"10.{rint(rng, 1000, 9999)}/kg.{article.pmid}",
        "meta_date_publication": month,
        "meta_volume": volume,
        "meta_issue": issue,
        "meta_pages": pages,
        "score": round(rng.uniform(20_000.0, 51_000.0), 3),
        "text_hl": None if article.malformed else _text_hl(rng, article),
        "citations": {
            "NLM": f"{citation} PMID: {article.pmid}",
            "BibTeX": f"@article{{{article.pmid}, title={{{title}}}, journal={{{journal}}}}}",
        },
    }


def _date_of(rng: random.Random, pmid: int) -> dt.date:
    """A publication date that grows with the PMID, as PubMed's do, give or take a season."""
    low, high = _PMID_RANGE
    jitter = rint(rng, -_DATE_JITTER_DAYS, _DATE_JITTER_DAYS)
    days = (pmid - low) / (high - low) * _DAYS_SPAN + jitter
    return _FIRST_DAY + dt.timedelta(days=min(max(0, round(days)), _DAYS_SPAN))


def _newest_first(articles: list[Article]) -> list[Article]:
    return sorted(articles, key=lambda a: (a.date, a.pmid), reverse=True)


def _write_pages(
    writer: SnapshotWriter,
    results: Sequence[dict[str, Any]],
    *,
    origin: Origin,
    release: str,
    synthetic_pmids: frozenset[int] = frozenset(),
) -> int:
    """`results` (newest first) as pages of ten; a page holding one of `synthetic_pmids` is
    marked synthetic whatever `origin` says."""
    total = len(results)
    pages = max(1, math.ceil(total / PAGE_SIZE))
    for n in range(1, pages + 1):
        chunk = results[(n - 1) * PAGE_SIZE : n * PAGE_SIZE]
        body = {
            "results": list(chunk),
            "facets": {},
            "page_size": PAGE_SIZE,
            "current": n,
            "count": total,
            "total_pages": pages,
        }
        mixed = any(r["pmid"] in synthetic_pmids for r in chunk)
        writer.write_json(
            "pubtator",
            f"{SEARCH}/page-{n}",
            body,
            format=FORMAT,
            origin="synthetic" if mixed else origin,
            release=release,
        )
    return pages


def _write_articles(
    ctx: SnapshotContext, articles: list[Article], *, origin: Origin, release: str
) -> int:
    rng = ctx.rng("pubtator-pages")
    for article in articles:
        article.date = _date_of(rng, article.pmid)
    results = [_result(rng, article) for article in _newest_first(articles)]
    return _write_pages(ctx.writer, results, origin=origin, release=release)


# ----------------------------------------------------------------------- real-data mode


def write_pubtator_real(ctx: SnapshotContext, real: RealData, universe: GeneUniverse) -> None:
    by_pmid: dict[int, list[GeneTag]] = {}
    table = real.r_table(RTable.PUBTATOR_GENES)
    for symbol, hgnc_num, source in zip(
        table["approved_symbol"], table["hgnc_id"], table["source"], strict=True
    ):
        gene = universe.by_hgnc_id.get(f"HGNC:{hgnc_num}")
        entrez = gene.entrez_id if gene is not None else ""
        if not entrez:
            continue
        for item in source.split(" | "):
            item = item.strip()
            if item.startswith("PMID_") and item[5:].isdigit():
                by_pmid.setdefault(int(item[5:]), []).append((symbol, entrez, symbol))
    articles = [Article(pmid, sorted(set(genes))) for pmid, genes in sorted(by_pmid.items())]
    pages = _write_articles(ctx, articles, origin="derived-from-real", release=R_RUN_DATE)
    n_genes = len({g[0] for a in articles for g in a.genes})
    ctx.say(f"pubtator: {len(articles)} R PMIDs, {n_genes} genes, {pages} pages")


# ----------------------------------------------------------------------- synthetic mode


def write_pubtator_synthetic(ctx: SnapshotContext, plan: EvidencePlan) -> None:
    rng = ctx.rng("pubtator")
    universe = plan.universe
    in_core = set(plan.core)
    core_part = [g for g in plan.pubtator_genes if g in in_core]
    core_set = set(core_part)
    mentions: list[str] = []
    for i, symbol in enumerate(core_part):
        # A few famous genes in hundreds of articles, a long tail in one or two.
        count = max(1, round(260.0 / (1.0 + i / 2.5) ** 0.95 + rng.random() * 2.5))
        mentions += [symbol] * count
    for symbol in plan.pubtator_genes:
        if symbol in core_set:
            continue
        u = rng.random()
        mentions += [symbol] * (1 if u < 0.62 else 2 if u < 0.82 else rint(rng, 3, 6))
    rng.shuffle(mentions)

    articles: list[Article] = []
    i = 0
    while i < len(mentions):
        u = rng.random()
        size = 1 if u < 0.6 else 2 if u < 0.85 else 3 if u < 0.95 else rint(rng, 4, 6)
        chunk = sorted(set(mentions[i : i + size]))
        i += size
        genes = []
        for symbol in chunk:
            gene = universe.by_symbol[symbol]
            display = symbol if rng.random() < 0.85 else f"{symbol} gene"
            genes.append((symbol, gene.entrez_id, display))
        articles.append(Article(0, genes))
    # Articles matching the query but tagging no gene (PubTator finds genes in ~40 % only;
    # a few here keep the parser honest about empty mentions).
    articles += [Article(0, []) for _ in range(len(articles) // 12)]

    # Odd mentions: outdated symbols with the right id, mouse orthologs, aliases.
    odd_articles = []
    for odd in plan.oddities(rng, core_part[:300], 10):
        gene = universe.by_symbol.get(odd.gene) if odd.gene else None
        if odd.kind in ("previous", "alias", "ambiguous_alias") and (gene or odd.gene is None):
            entrez = gene.entrez_id if gene else str(rint(rng, 200_000_000, 210_000_000))
            odd_articles.append(Article(0, [(odd.text, entrez, odd.text)]))
        elif gene is not None:
            mouse = gene.symbol[0] + gene.symbol[1:].lower()
            # NCBI gene ids are unique across species: a mouse id never names a human gene.
            mouse_id = _MOUSE_ID_BASE + int(gene.entrez_id or 0) % 90_000
            while str(mouse_id) in universe.by_entrez:
                mouse_id += 1
            odd_articles.append(Article(0, [(mouse, str(mouse_id), mouse)]))
    articles += odd_articles
    articles.append(Article(0, [], malformed=True))
    rng.shuffle(articles)
    articles += _older_articles(ctx, articles)
    pmids = distinct(lambda: rint(rng, *_PMID_RANGE), len(articles))
    for article, pmid in zip(articles, pmids, strict=True):
        article.pmid = pmid
    pages = _write_articles(ctx, articles, origin="synthetic", release=SYNTHETIC_RELEASE)
    ctx.say(
        f"pubtator: {len(articles)} synthetic articles, {len(plan.pubtator_genes)} genes, "
        f"{pages} pages"
    )


def _older_articles(ctx: SnapshotContext, articles: list[Article]) -> list[Article]:
    """Articles that fill the search up to the real one's size at the scale (none at the
    default scale): six in ten without a gene, the rest with one or two of the mentions
    already drawn."""
    missing = ctx.scaled(REAL_SEARCH_ARTICLES) - len(articles)
    rng = ctx.rng("pubtator-older")
    tags = [tag for article in articles for tag in article.genes]
    older = []
    for _ in range(max(0, missing)):
        genes = [] if rng.random() < _NO_GENE_SHARE else [pick(rng, tags)]
        if genes and rng.random() < 0.3:
            genes.append(pick(rng, tags))
        older.append(Article(0, sorted(set(genes))))
    return older


# ----------------------------------------------------------------------- the search grows


@dataclass(frozen=True)
class SearchGrowth:
    """What `publish_new_articles` did to a snapshot's search."""

    articles_before: int
    added: int
    pages_before: int
    pages_after: int


def publish_new_articles(snapshot: Path, share: float, *, seed: int = 0) -> SearchGrowth:
    """Add `share` of the search's article count (at least one) as articles newer than all of
    it, as the live search gains them: they come first, the known articles move down the
    pages (every page changes), and the MANIFEST is rewritten; the pages holding new articles
    are marked synthetic. New articles mention genes the search already tags."""
    search = snapshot / "pubtator" / SEARCH
    results: list[dict[str, Any]] = []
    page = 1
    while (search / f"page-{page}").is_file():
        results += json.loads((search / f"page-{page}").read_bytes())["results"]
        page += 1
    if not results:
        raise ValueError(f"{snapshot} has no PubTator search pages")
    manifest = Manifest.read(snapshot / MANIFEST_NAME)
    first = manifest.by_file()["pubtator/search/page-1"]

    rng = random.Random(f"kg-pipeline-snapshot:{seed}:pubtator-new")
    tags: list[GeneTag] = [
        (match["name"], match["ids"], match["text"])
        for result in results
        for match in GENE_MENTION.finditer(HIGHLIGHT.sub("", result.get("text_hl") or ""))
    ]
    newest = max(dt.date.fromisoformat(r["date"][:10]) for r in results)
    next_pmid = max(int(r["pmid"]) for r in results) + 1
    added = max(1, round(share * len(results)))
    new: list[Article] = []
    for n in range(added):
        genes = [pick(rng, tags) for _ in range(rint(rng, 1, 3))] if tags else []
        date = newest + dt.timedelta(days=1 + n * 30 // added)
        new.append(Article(next_pmid + n, sorted(set(genes)), date=date))
    fresh = [_result(rng, article) for article in _newest_first(new)]

    writer = SnapshotWriter(snapshot)
    pages = _write_pages(
        writer,
        fresh + results,
        origin=first.origin,
        release=first.release,
        synthetic_pmids=frozenset(a.pmid for a in new),
    )
    kept = [e for e in manifest.entries if not e.file.startswith(f"pubtator/{SEARCH}/")]
    Manifest([*kept, *writer.manifest.entries]).write(snapshot / MANIFEST_NAME)
    return SearchGrowth(len(results), added, page - 1, pages)
