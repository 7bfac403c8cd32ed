"""PubTator3 search API pages: `pubtator/search/page-<n>`.

Each page is the JSON body of `GET /search/?text=<kidney query>&page=n`: ten results (`_id`,
`pmid`, `title`, `journal`, `date`, `authors`, `score`, `text_hl`), empty `facets`,
`page_size`, `current`, `count`, `total_pages`. Results are ordered by descending score
across pages. Gene mentions inside `text_hl` follow PubTator's highlight pattern
`@GENE_<symbol> @GENE_<NCBI gene id> @@@<display text>@@@`, next to disease and species
mentions the parser must ignore.

Real-data mode (derived-from-real): the R run's PubTator genes with their real PMIDs,
inverted to one article per PMID carrying all its genes; NCBI ids from the HGNC file. Titles,
journals, authors and scores are made up.

Synthetic mode: ~4,200 genes over ~1,000 pages, a few genes in hundreds of articles and most
in one or two; some mentions use a previous symbol, a mouse ortholog, or an alias.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from kg_pipeline.devtools.snapshot import names
from kg_pipeline.devtools.snapshot.context import SnapshotContext
from kg_pipeline.devtools.snapshot.evidence_plan import EvidencePlan
from kg_pipeline.devtools.snapshot.names import distinct, pick, rint
from kg_pipeline.devtools.snapshot.realdata import R_RUN_DATE, RealData, RTable
from kg_pipeline.devtools.snapshot.universe import SYNTHETIC_RELEASE, GeneUniverse
from kg_pipeline.manifest import Origin

PAGE_SIZE = 10
FORMAT = "pubtator3-search-json"
_DISEASES: tuple[tuple[str, str], ...] = (
    ("MESH:D007674", "kidney disease"),
    ("MESH:D007674", "renal disease"),
    ("MESH:D051436", "chronic kidney disease"),
    ("MESH:D016491", "polycystic kidney disease"),
    ("MESH:D009404", "nephrotic syndrome"),
    ("MESH:D005923", "focal segmental glomerulosclerosis"),
    ("MESH:D009394", "nephritis, hereditary"),
    ("MESH:D058186", "acute kidney injury"),
    ("MESH:D007680", "kidney neoplasms"),
    ("MESH:D053099", "nephrolithiasis"),
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


@dataclass
class Article:
    """One search result, and the genes (symbol, NCBI id, display text) it mentions."""

    pmid: int
    genes: list[tuple[str, str, str]] = field(default_factory=list)
    malformed: bool = False  # a result whose highlight text is missing


def _gene_token(symbol: str, entrez: str, display: str) -> str:
    return f"@GENE_{symbol} @GENE_{entrez} @@@{display}@@@"


def _text_hl(rng: random.Random, article: Article) -> str:
    mesh, disease = pick(rng, _DISEASES)
    disease_token = f"@DISEASE_{mesh} @@@<m>{disease}</m>@@@"
    genes = [_gene_token(*g) for g in article.genes]
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


def _result(rng: random.Random, article: Article, score: float) -> dict[str, Any]:
    day = dt.date(1995, 1, 1) + dt.timedelta(days=rint(rng, 0, 10_800))
    first = article.genes[0][0] if article.genes else "gene"
    _, disease = pick(rng, _DISEASES)
    title = pick(rng, _TITLE_SHAPES).format(g=first, d=disease)
    return {
        "_id": str(article.pmid),
        "pmid": article.pmid,
        "title": title[0].upper() + title[1:] + ".",
        "journal": pick(rng, names.JOURNALS),
        "date": f"{day.isoformat()}T00:00:00Z",
        "authors": [names.author_short(rng) for _ in range(rint(rng, 1, 8))],
        "score": score,
        "text_hl": None if article.malformed else _text_hl(rng, article),
    }


def _write_pages(
    ctx: SnapshotContext,
    rng: random.Random,
    articles: list[Article],
    *,
    origin: Origin,
    release: str,
) -> int:
    # Scores fall with the rank, like the relevance-sorted real search.
    total = len(articles)
    pages = max(1, -(-total // PAGE_SIZE))
    score = 380.0
    for n in range(1, pages + 1):
        results = []
        for article in articles[(n - 1) * PAGE_SIZE : n * PAGE_SIZE]:
            score = max(5.0, score - rng.random() * 600.0 / max(total, 1))
            results.append(_result(rng, article, round(score, 4)))
        body = {
            "results": results,
            "facets": {},
            "page_size": PAGE_SIZE,
            "current": n,
            "count": total,
            "total_pages": pages,
        }
        ctx.writer.write_json(
            "pubtator", f"search/page-{n}", body, format=FORMAT, origin=origin, release=release
        )
    return pages


# ----------------------------------------------------------------------- real-data mode


def write_pubtator_real(ctx: SnapshotContext, real: RealData, universe: GeneUniverse) -> None:
    rng = ctx.rng("pubtator-real")
    by_pmid: dict[int, list[tuple[str, str, str]]] = {}
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
    rng.shuffle(articles)
    pages = _write_pages(ctx, rng, articles, origin="derived-from-real", release=R_RUN_DATE)
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
    pmids = distinct(lambda: rint(rng, 8_000_000, 39_500_000), len(articles))
    for article, pmid in zip(articles, pmids, strict=True):
        article.pmid = pmid
    pages = _write_pages(ctx, rng, articles, origin="synthetic", release=SYNTHETIC_RELEASE)
    ctx.say(
        f"pubtator: {len(articles)} synthetic articles, {len(plan.pubtator_genes)} genes, "
        f"{pages} pages"
    )
