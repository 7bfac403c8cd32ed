"""Real annotation values of the R run's 603 high-evidence genes, keyed by current symbol.

The R predecessor published, per gene: gnomAD pLI, oe_lof, lof_z and mis_z; GTEx kidney
cortex and medulla median TPM; Descartes kidney TPM; its STRING partners as
`9606.ENSP...:<combined score>` lists; and whether homozygous and heterozygous mouse genotypes
of its MGI orthologs have a kidney phenotype ("hm (true); ht (false)", "NA" without an
answer). The snapshot's annotation files carry these values verbatim (the same decimal text)
for those genes.

The R STRING lists name partners by protein id only, never the gene's own protein. Because
links are symmetric (A lists B's protein with score s exactly when B lists A's protein with
score s), each gene's own protein is recovered by matching: a gene's multiset of partner
scores must equal the multiset of scores under which a protein appears in other genes'
lists, and the assignment must be consistent with its neighbours'. A few genes stay
symmetric (pairs or cycles of genes with the same partner scores); there the protein the real
STRING info file names after the gene is taken, so the derived network attaches each gene's
links to the protein the real info file gives it.
"""

from __future__ import annotations

import gzip
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from kg_pipeline.devtools.snapshot.realdata import R_MISSING, RealData, RTable
from kg_pipeline.devtools.snapshot.universe import GeneUniverse


@dataclass
class RGene:
    """One R gene: its symbol in the snapshot's HGNC file, and its R values as text."""

    symbol: str
    hgnc_id: str
    pli: str | None = None
    oe_lof: str | None = None
    lof_z: str | None = None
    mis_z: str | None = None
    gtex_cortex: str | None = None
    gtex_medulla: str | None = None
    descartes_tpm: str | None = None
    string_protein: str | None = None
    string_partners: dict[str, int] = field(default_factory=dict)  # ENSP id -> score
    mgi_kidney: tuple[bool, bool] | None = None
    """(homozygous, heterozygous) genotypes with a kidney phenotype; None: R had no answer."""


@dataclass
class RValues:
    genes: dict[str, RGene]  # symbol -> values
    protein_of: dict[str, str]  # symbol -> 9606.ENSP id, for R genes in the R network
    links: dict[tuple[str, str], int]  # (protein a, protein b), a < b -> combined score

    @property
    def proteins(self) -> set[str]:
        return set(self.protein_of.values())


def _value(text: str) -> str | None:
    return None if text in (R_MISSING, "", "NA") else text


_MGI_SUMMARY = re.compile(r"^hm \((true|false)\); ht \((true|false)\)$")


def mgi_kidney(text: str) -> tuple[bool, bool] | None:
    """R's "hm (true); ht (false)" as (homozygous, heterozygous); None for "hm (NA); ht (NA)"
    or a missing value."""
    found = _MGI_SUMMARY.match(text.strip())
    return (found.group(1) == "true", found.group(2) == "true") if found else None


def infer_own_proteins(
    lists: dict[str, dict[str, int]], named: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Recover each gene's own protein id from symmetric partner lists (see module doc);
    `named` (symbol -> the protein named so) decides between consistent choices."""
    occurrences: dict[str, dict[str, int]] = defaultdict(dict)
    for gene, partners in lists.items():
        for protein, score in partners.items():
            occurrences[protein][gene] = score
    protein_sig = {p: tuple(sorted(d.values())) for p, d in occurrences.items()}
    candidates = {
        g: {p for p, sig in protein_sig.items() if sig == tuple(sorted(partners.values()))}
        for g, partners in lists.items()
    }
    assigned: dict[str, str] = {}

    def consistent(gene: str, protein: str, owner: dict[str, str]) -> bool:
        for partner, score in lists[gene].items():
            other = owner.get(partner)
            if other is not None and lists[other].get(protein) != score:
                return False
        for other, score in occurrences[protein].items():
            if other in assigned and lists[gene].get(assigned[other]) != score:
                return False
        return True

    genes = sorted(lists)
    while len(assigned) < len(genes):
        progressed = True
        while progressed:
            progressed = False
            owner = {p: g for g, p in assigned.items()}
            for gene in genes:
                if gene in assigned:
                    continue
                options = {
                    p for p in candidates[gene] if p not in owner and consistent(gene, p, owner)
                }
                candidates[gene] = options
                if len(options) == 1:
                    assigned[gene] = next(iter(options))
                    owner[assigned[gene]] = gene
                    progressed = True
        remaining = [g for g in genes if g not in assigned]
        if not remaining:
            break
        # Symmetric leftovers: take the first consistent option and propagate again.
        gene = remaining[0]
        owner = {p: g for g, p in assigned.items()}
        options = sorted(p for p in candidates[gene] if p not in owner)
        if not options:
            candidates[gene] = set()
            lists = {g: v for g, v in lists.items() if g != gene}
            genes.remove(gene)
            continue
        name = (named or {}).get(gene)
        assigned[gene] = name if name in options else options[0]
    return assigned


def string_names(real: RealData) -> dict[str, str]:
    """Preferred name -> protein id, from the real STRING v12 protein info."""
    with gzip.open(real.string_info, "rt", encoding="utf-8") as fh:
        next(fh)  # the header
        return {cols[1]: cols[0] for cols in (line.split("\t", 2) for line in fh)}


def load_r_values(real: RealData, universe: GeneUniverse) -> RValues:
    table = real.r_table(RTable.ANNOTATED)
    expression = {row["hgnc_id"]: row for row in real.r_table(RTable.EXPRESSION).to_dict("records")}
    string_rows = {row["hgnc_id"]: row for row in real.r_table(RTable.STRING).to_dict("records")}
    genes: dict[str, RGene] = {}
    for row in table.to_dict("records"):
        hgnc_id = f"HGNC:{row['hgnc_id']}"
        gene = universe.by_hgnc_id.get(hgnc_id)
        if gene is None or not gene.is_approved:
            continue
        expr = expression.get(row["hgnc_id"], row)
        genes[gene.symbol] = RGene(
            symbol=gene.symbol,
            hgnc_id=hgnc_id,
            pli=_value(row["pLI"]),
            oe_lof=_value(row["oe_lof"]),
            lof_z=_value(row["lof_z"]),
            mis_z=_value(row["mis_z"]),
            gtex_cortex=_value(expr["gtex_kidney_cortex"]),
            gtex_medulla=_value(expr["gtex_kidney_medulla"]),
            descartes_tpm=_value(expr["descartes_kidney_tpm"]),
            mgi_kidney=mgi_kidney(row["mgi_phenotype"]),
        )

    by_number = {g.hgnc_id.split(":")[1]: g for g in genes.values()}
    lists: dict[str, dict[str, int]] = {}
    for number, row in string_rows.items():
        text = row["stringdb_interaction_string"]
        if number not in by_number or _value(text) is None:
            continue
        partners: dict[str, int] = {}
        for item in text.split(","):
            protein, _, score = item.strip().rpartition(":")
            if protein and score.isdigit():
                partners[protein] = int(score)
        lists[by_number[number].symbol] = partners
    own = infer_own_proteins(lists, string_names(real))
    links: dict[tuple[str, str], int] = {}
    for symbol, protein in sorted(own.items()):
        genes[symbol].string_protein = protein
        genes[symbol].string_partners = lists[symbol]
        for partner, score in sorted(lists[symbol].items()):
            key = (protein, partner) if protein < partner else (partner, protein)
            links.setdefault(key, score)
    return RValues(genes=genes, protein_of=own, links=links)
