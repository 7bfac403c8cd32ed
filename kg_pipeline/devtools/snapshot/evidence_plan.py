"""Which synthetic genes each evidence source names, so the sources overlap like the real ones.

The synthetic kidney genes are anchored on real HPO: the ~1,490 genes annotated below
HP:0010935 are ranked (more kidney terms -> more likely near the top), a few hundred other
protein-coding genes are mixed in lower down (genes known to panels and papers but without
HPO kidney annotation), and every source draws from that ranking with its own weighting. The
result mirrors the real picture: a well-known core on every panel, long tails per source,
PubTator reaching far beyond the curated sources, ~4,800 distinct evidence genes in total.

The plan also supplies the realistic symbol oddities sources contain: previous symbols,
aliases, an alias shared by two genes, lower case, junk around a symbol, withdrawn symbols.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from kg_pipeline.devtools.snapshot.hpo import HpoRelease
from kg_pipeline.devtools.snapshot.universe import Gene, GeneUniverse

# Non-HPO genes mixed into the kidney ranking (real sources name ~20 % of genes that carry no
# HPO kidney annotation).
EXTRA_CORE_GENES = 400
# PubTator genes outside the kidney ranking: together with the ranking and HPO this gives the
# ~4,800 distinct evidence genes of the real database.
PUBTATOR_CORE_GENES = 1_100
PUBTATOR_OTHER_GENES = 3_100

# HPO terms that give panels and expert panels their theme (genes annotated below them are
# preferred). An id missing from the release just leaves the theme to the general ranking.
THEME_TERMS: dict[str, tuple[str, ...]] = {
    "cystic": ("HP:0000107",),  # Renal cyst
    "glomerular": ("HP:0000097", "HP:0000100", "HP:0000093"),  # FSGS, nephrotic, proteinuria
    "tubular": ("HP:0000114", "HP:0000103"),  # proximal tubulopathy, polyuria
    "complement": ("HP:0000790",),  # hematuria
    "cakut": ("HP:0000104", "HP:0000076", "HP:0000126"),  # agenesis, VUR, hydronephrosis
    "stones": ("HP:0000787", "HP:0000121"),  # nephrolithiasis, nephrocalcinosis
    "other": ("HP:0000083",),  # renal insufficiency
}


def weighted_sample(
    rng: random.Random, items: Sequence[str], weights: Sequence[float], k: int
) -> list[str]:
    """k distinct items, each drawn with probability proportional to its weight.

    Efraimidis-Spirakis: key u^(1/w), keep the k largest. Ties are broken by position so the
    result depends on the seed only.
    """
    keyed = [
        (rng.random() ** (1.0 / w) if w > 0 else 0.0, -i, item)
        for i, (item, w) in enumerate(zip(items, weights, strict=True))
    ]
    keyed.sort(reverse=True)
    return [item for _, _, item in keyed[:k]]


def rank_weights(n: int, *, plateau: int, tau: float, alpha: float) -> list[float]:
    """Near-certain inclusion for the top `plateau` ranks, then a power-law tail."""
    return [1000.0 if r < plateau else 1.0 / (1.0 + (r - plateau) / tau) ** alpha for r in range(n)]


@dataclass
class Oddity:
    """A raw symbol text that a source contains, and what it should resolve to."""

    text: str
    kind: str  # previous | alias | ambiguous_alias | lower_case | junk | withdrawn | unknown
    gene: str | None  # approved symbol it resolves to, None if it must not resolve


@dataclass
class EvidencePlan:
    """The ranked kidney genes and the pools each synthetic source draws from."""

    universe: GeneUniverse
    core: list[str]  # ranked: best-known kidney genes first
    hpo_kidney: set[str]
    themes: dict[str, list[str]]  # theme -> core genes preferred for it, ranked
    others: list[str]  # protein-coding genes outside the kidney ranking, shuffled
    pubtator_genes: list[str]
    ambiguous_aliases: list[tuple[str, tuple[str, ...]]]

    def core_weights(self, *, plateau: int, tau: float, alpha: float) -> list[float]:
        return rank_weights(len(self.core), plateau=plateau, tau=tau, alpha=alpha)

    def theme_pool(self, theme: str) -> list[str]:
        """Genes of the theme first, then the rest of the ranking."""
        preferred = self.themes.get(theme, [])
        seen = set(preferred)
        return preferred + [g for g in self.core if g not in seen]

    def oddities(self, rng: random.Random, genes: Sequence[str], n: int) -> list[Oddity]:
        """`n` odd references (cycling through the kinds) to genes drawn from `genes`."""
        kinds = ("previous", "alias", "lower_case", "junk", "ambiguous_alias", "withdrawn")
        out: list[Oddity] = []
        pool = list(genes)
        attempts = 0
        while len(out) < n and attempts < n * 20 and pool:
            attempts += 1
            kind = kinds[len(out) % len(kinds)]
            gene = self.universe.by_symbol.get(pool[int(rng.random() * len(pool))])
            if gene is None:
                continue
            odd = self._oddity(rng, kind, gene)
            if odd is not None and odd.text not in {o.text for o in out}:
                out.append(odd)
        return out

    def _oddity(self, rng: random.Random, kind: str, gene: Gene) -> Oddity | None:
        if kind == "previous":
            prev = self.universe.unique_prev_symbol(gene)
            return Oddity(prev, kind, gene.symbol) if prev else None
        if kind == "alias":
            alias = self.universe.unique_alias(gene)
            return Oddity(alias, kind, gene.symbol) if alias else None
        if kind == "lower_case":
            return Oddity(gene.symbol.lower(), kind, gene.symbol)
        if kind == "junk":
            return Oddity(f"GENE: {gene.symbol} ({gene.name.split(' ')[0]})", kind, gene.symbol)
        if kind == "ambiguous_alias" and self.ambiguous_aliases:
            alias, _ = self.ambiguous_aliases[int(rng.random() * len(self.ambiguous_aliases))]
            return Oddity(alias, kind, None)
        if kind == "withdrawn" and self.universe.withdrawn_symbols:
            symbols = self.universe.withdrawn_symbols
            return Oddity(symbols[int(rng.random() * len(symbols))], kind, None)
        return None


def build_plan(rng: random.Random, universe: GeneUniverse, hpo: HpoRelease) -> EvidencePlan:
    """Rank the kidney genes and fix each source's pools."""
    kidney_counts = {
        s: n for s, n in hpo.kidney_gene_term_counts().items() if s in universe.by_symbol
    }
    # More kidney terms -> larger key on average -> earlier in the ranking.
    scored = [
        (rng.random() ** (1.0 / (1.0 + n)), symbol) for symbol, n in sorted(kidney_counts.items())
    ]
    protein_coding = [g.symbol for g in universe.protein_coding]
    outside = [s for s in protein_coding if s not in kidney_counts]
    rng.shuffle(outside)
    extra = outside[:EXTRA_CORE_GENES]
    # Genes without HPO kidney terms sit lower in the ranking on average.
    scored += [(rng.random() * 0.8, symbol) for symbol in extra]
    scored.sort(reverse=True)
    core = [symbol for _, symbol in scored]
    core_set = set(core)

    themes: dict[str, list[str]] = {}
    for theme, terms in THEME_TERMS.items():
        members = hpo.genes_under(t for t in terms if t in hpo.names)
        themes[theme] = [g for g in core if g in members]

    others = [s for s in outside[EXTRA_CORE_GENES:] if s not in core_set]
    pub_core = weighted_sample(
        rng, core, rank_weights(len(core), plateau=300, tau=500, alpha=1.5), PUBTATOR_CORE_GENES
    )
    pubtator = pub_core + others[:PUBTATOR_OTHER_GENES]

    ambiguous = sorted(
        (alias, tuple(sorted(g.symbol for g in genes)))
        for alias, genes in universe.by_alias.items()
        if len(genes) >= 2
        and alias not in universe.by_symbol
        and alias not in universe.by_prev_symbol
        and any(g.symbol in core_set for g in genes)
    )
    return EvidencePlan(
        universe=universe,
        core=core,
        hpo_kidney=set(kidney_counts),
        themes=themes,
        others=others,
        pubtator_genes=pubtator,
        ambiguous_aliases=ambiguous,
    )
