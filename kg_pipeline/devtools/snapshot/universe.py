"""The gene universe: every HGNC gene the snapshot knows, with the identifiers files share.

All upstream files of one snapshot must agree on genes: PanelApp's `hgnc_id`, PubTator's
Entrez ids, GTEx's Ensembl ids, gnomAD's MANE transcripts, MGI's MGI ids and STRING's
proteins all point at the same HGNC rows. The universe holds those shared identifiers; each
upstream module renders them in its own format.

Two ways to build it:
- `load_real_universe`: from the real HGNC complete set (`--real-data`).
- `build_synthetic_universe`: ~45,000 made-up HGNC rows around the real HPO genes, whose real
  symbols and NCBI gene ids are kept so that HPO evidence normalises.
"""

from __future__ import annotations

import gzip
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

from kg_pipeline.devtools.snapshot import names
from kg_pipeline.devtools.snapshot.hpo import HpoRelease
from kg_pipeline.devtools.snapshot.names import pick, rint

SYNTHETIC_TOTAL_ROWS = 45_000
SYNTHETIC_WITHDRAWN = 270
# Locus-group sizes of a current HGNC release (approved rows), rounded.
SYNTHETIC_GROUP_SIZES: dict[str, int] = {
    "protein-coding gene": 19_400,
    "pseudogene": 14_600,
    "non-coding RNA": 9_700,
}

PROTEIN_CODING = "protein-coding gene"


@dataclass(slots=True)
class Gene:
    """One HGNC row's identifiers. Multi-valued fields are lists in HGNC's order."""

    hgnc_id: str
    symbol: str
    name: str
    locus_group: str
    locus_type: str
    status: str = "Approved"
    location: str = ""
    alias_symbols: list[str] = field(default_factory=list)
    alias_names: list[str] = field(default_factory=list)
    prev_symbols: list[str] = field(default_factory=list)
    prev_names: list[str] = field(default_factory=list)
    entrez_id: str = ""
    ensembl_gene_id: str = ""
    refseq_accessions: list[str] = field(default_factory=list)
    uniprot_ids: list[str] = field(default_factory=list)
    omim_ids: list[str] = field(default_factory=list)
    mgd_ids: list[str] = field(default_factory=list)
    mane_select: tuple[str, str] | None = None  # (ENST..., NM_...)

    @property
    def hgnc_number(self) -> int:
        return int(self.hgnc_id.split(":", 1)[1])

    @property
    def is_approved(self) -> bool:
        return self.status == "Approved"

    @property
    def is_protein_coding(self) -> bool:
        return self.locus_group == PROTEIN_CODING and self.is_approved

    @property
    def chromosome(self) -> str:
        match = re.match(r"^(\d+|X|Y)", self.location)
        if match:
            return match.group(1)
        return "MT" if self.location.startswith("mito") else ""


@dataclass
class GeneUniverse:
    """All genes, sorted by symbol, with lookups built once."""

    genes: list[Gene]
    source: str  # "real" or "synthetic"
    release: str
    withdrawn_symbols: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.genes.sort(key=lambda g: (g.symbol.upper(), g.symbol))
        self.by_symbol: dict[str, Gene] = {g.symbol: g for g in self.genes if g.is_approved}
        self.by_hgnc_id: dict[str, Gene] = {g.hgnc_id: g for g in self.genes}
        self.by_entrez: dict[str, Gene] = {
            g.entrez_id: g for g in self.genes if g.entrez_id and g.is_approved
        }
        self.protein_coding: list[Gene] = [g for g in self.genes if g.is_protein_coding]
        self.approved: list[Gene] = [g for g in self.genes if g.is_approved]
        prev: dict[str, list[Gene]] = {}
        alias: dict[str, list[Gene]] = {}
        for g in self.approved:
            for p in g.prev_symbols:
                prev.setdefault(p, []).append(g)
            for a in g.alias_symbols:
                alias.setdefault(a, []).append(g)
        self.by_prev_symbol = prev
        self.by_alias = alias

    def gene(self, symbol: str) -> Gene:
        return self.by_symbol[symbol]

    def unique_prev_symbol(self, gene: Gene) -> str | None:
        """A previous symbol of `gene` that resolves to it alone and is no approved symbol."""
        for p in gene.prev_symbols:
            if p not in self.by_symbol and len(self.by_prev_symbol.get(p, ())) == 1:
                return p
        return None

    def unique_alias(self, gene: Gene) -> str | None:
        """An alias of `gene` that is no approved or previous symbol and names only it."""
        for a in gene.alias_symbols:
            if (
                a not in self.by_symbol
                and a not in self.by_prev_symbol
                and len(self.by_alias.get(a, ())) == 1
            ):
                return a
        return None


# ------------------------------------------------------------------------------ real HGNC


def _split_multi(value: str) -> list[str]:
    value = value.strip('"')
    return [v for v in value.split("|") if v] if value else []


def load_real_universe(path: Path) -> GeneUniverse:
    """Read the real HGNC complete set (gzipped TSV); columns are looked up by name."""
    genes: list[Gene] = []
    latest = ""
    with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
        header = fh.readline().rstrip("\n").split("\t")
        col = {name: i for i, name in enumerate(header)}
        needed = ("hgnc_id", "symbol", "name", "locus_group", "locus_type", "status")
        missing = [c for c in needed if c not in col]
        if missing:
            raise ValueError(f"{path}: HGNC header lacks {', '.join(missing)}")

        def get(cols: list[str], name: str) -> str:
            i = col.get(name)
            return cols[i] if i is not None and i < len(cols) else ""

        for line in fh:
            cols = line.rstrip("\n").split("\t")
            if len(cols) < len(needed):
                continue
            mane = _split_multi(get(cols, "mane_select"))
            latest = max(latest, get(cols, "date_modified"))
            genes.append(
                Gene(
                    hgnc_id=get(cols, "hgnc_id"),
                    symbol=get(cols, "symbol"),
                    name=get(cols, "name"),
                    locus_group=get(cols, "locus_group"),
                    locus_type=get(cols, "locus_type"),
                    status=get(cols, "status"),
                    location=get(cols, "location"),
                    alias_symbols=_split_multi(get(cols, "alias_symbol")),
                    alias_names=_split_multi(get(cols, "alias_name")),
                    prev_symbols=_split_multi(get(cols, "prev_symbol")),
                    prev_names=_split_multi(get(cols, "prev_name")),
                    entrez_id=get(cols, "entrez_id"),
                    ensembl_gene_id=get(cols, "ensembl_gene_id"),
                    refseq_accessions=_split_multi(get(cols, "refseq_accession")),
                    uniprot_ids=_split_multi(get(cols, "uniprot_ids")),
                    omim_ids=_split_multi(get(cols, "omim_id")),
                    mgd_ids=_split_multi(get(cols, "mgd_id")),
                    mane_select=(mane[0], mane[1]) if len(mane) == 2 else None,
                )
            )
    return GeneUniverse(genes=genes, source="real", release=latest or "unknown")


# ------------------------------------------------------------------------- synthetic HGNC


def _hpo_locus(symbol: str) -> tuple[str, str]:
    """Locus group and type of a real HPO gene, guessed from HGNC naming conventions."""
    if re.fullmatch(r"MIR\d+[A-Z]?\d*(HG)?", symbol):
        if symbol.endswith("HG"):
            return "non-coding RNA", "RNA, long non-coding"
        return "non-coding RNA", "RNA, micro"
    if symbol.startswith(("SNORD", "SNORA")):
        return "non-coding RNA", "RNA, small nucleolar"
    if symbol.startswith("RNU"):
        return "non-coding RNA", "RNA, small nuclear"
    if symbol.startswith("MT-T"):
        return "non-coding RNA", "RNA, transfer"
    if symbol.startswith("MT-R"):
        return "non-coding RNA", "RNA, ribosomal"
    if symbol.startswith("LINC") or re.search(r"-AS\d$|-DT$", symbol):
        return "non-coding RNA", "RNA, long non-coding"
    if symbol in {"RMRP", "RPPH1", "TERC", "H19", "XIST", "MALAT1", "MEG3"}:
        return "non-coding RNA", "RNA, misc" if symbol != "H19" else "RNA, long non-coding"
    return PROTEIN_CODING, "gene with protein product"


# Chromosomes repeated by weight, so a location is one cheap `pick`.
_CHROMOSOME_BAG: tuple[str, ...] = tuple(
    c
    for c, w in zip(names.CHROMOSOMES, names.CHROMOSOME_WEIGHTS, strict=True)
    for _ in range(round(w * 10))
)


REAL_CHROMOSOMES: dict[str, str] = dict.fromkeys(("COL4A5", "OCRL", "CLCN5"), "X")
"""HPO genes whose synthetic location keeps the real chromosome: the X-linked kidney genes the
gnomAD chrX check is about."""


def _location(rng: random.Random, chrom: str | None = None) -> str:
    # Drawn even when `chrom` is given, so fixing one gene's chromosome shifts no later draw.
    drawn = pick(rng, _CHROMOSOME_BAG)
    chrom = chrom or drawn
    arm = pick(rng, "pq")
    band = f"{rint(rng, 1, 3)}{rint(rng, 1, 6)}"
    if rng.random() < 0.6:
        band += f".{rint(rng, 1, 3)}"
    return f"{chrom}{arm}{band}"


def _uniprot(rng: random.Random) -> str:
    first = pick(rng, "OPQ")
    middle = "".join(pick(rng, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(3))
    return f"{first}{rint(rng, 0, 9)}{middle}{rint(rng, 0, 9)}"


class _UniqueIds:
    """Draws distinct integers from a range, skipping reserved ones."""

    def __init__(
        self, rng: random.Random, low: int, high: int, reserved: set[int] | None = None
    ) -> None:
        self._rng = rng
        self._low, self._high = low, high
        self._used: set[int] = set(reserved or ())

    def take(self) -> int:
        while True:
            value = rint(self._rng, self._low, self._high)
            if value not in self._used:
                self._used.add(value)
                return value


def build_synthetic_universe(rng: random.Random, hpo: HpoRelease) -> GeneUniverse:
    """~45,000 HGNC rows: the real HPO genes (real symbol and NCBI id) plus made-up genes."""
    genes: list[Gene] = []
    # Every approved symbol, upper-cased: symbols must stay unique even case-insensitively,
    # since normalisers compare them that way.
    taken: set[str] = set()

    # The HPO genes first, in sorted order, so the random stream does not depend on dict order.
    hpo_entrez = {int(e) for e in hpo.gene_entrez.values() if e.isdigit()}
    for symbol in sorted(hpo.gene_entrez):
        group, ltype = _hpo_locus(symbol)
        taken.add(symbol.upper())
        genes.append(
            Gene(
                hgnc_id="",
                symbol=symbol,
                name=names.generic_gene_name(rng),
                locus_group=group,
                locus_type=ltype,
                entrez_id=hpo.gene_entrez[symbol],
            )
        )

    counts = dict.fromkeys(SYNTHETIC_GROUP_SIZES, 0)
    for g in genes:
        if g.locus_group in counts:
            counts[g.locus_group] += 1

    def draw(candidates: list[tuple[str, str, str]], group: str, wanted: int) -> None:
        """Add `wanted` genes of `group` from the shuffled candidates not already taken."""
        rng.shuffle(candidates)
        added = 0
        for symbol, name, ltype in candidates:
            if added >= wanted:
                break
            if symbol.upper() in taken:
                continue
            taken.add(symbol.upper())
            genes.append(
                Gene(hgnc_id="", symbol=symbol, name=name, locus_group=group, locus_type=ltype)
            )
            added += 1
        if added < wanted:
            raise RuntimeError(f"not enough synthetic {group} symbols ({added} of {wanted})")

    coding = "gene with protein product"
    draw(
        [(s, n, coding) for s, n in names.protein_coding_candidates()],
        PROTEIN_CODING,
        SYNTHETIC_GROUP_SIZES[PROTEIN_CODING] - counts[PROTEIN_CODING],
    )
    parents = sorted(g.symbol for g in genes if g.locus_group == PROTEIN_CODING)
    draw(
        [(s, n, "pseudogene") for s, n in names.pseudogene_candidates()],
        "pseudogene",
        SYNTHETIC_GROUP_SIZES["pseudogene"] - counts["pseudogene"],
    )
    draw(
        names.ncrna_candidates(parents),
        "non-coding RNA",
        SYNTHETIC_GROUP_SIZES["non-coding RNA"] - counts["non-coding RNA"],
    )
    approved_target = SYNTHETIC_TOTAL_ROWS - SYNTHETIC_WITHDRAWN
    draw(names.other_candidates(parents), "other", approved_target - len(genes))

    # Previous symbols and aliases: retired-looking symbols, never an approved symbol. Previous
    # symbols are unique (HGNC keeps them so); aliases may be shared, as in HGNC.
    prev_taken: set[str] = set()
    for g in genes:
        if rng.random() < 0.28:
            for _ in range(1 if rng.random() < 0.8 else rint(rng, 2, 3)):
                for _attempt in range(20):
                    candidate = names.old_symbol(rng)
                    if candidate.upper() not in taken and candidate not in prev_taken:
                        prev_taken.add(candidate)
                        g.prev_symbols.append(candidate)
                        g.prev_names.append(names.generic_gene_name(rng))
                        break
        if rng.random() < 0.5:
            for _ in range(pick(rng, (1, 1, 1, 2, 2, 3))):
                candidate = names.old_symbol(rng)
                if candidate.upper() not in taken and candidate not in g.alias_symbols:
                    g.alias_symbols.append(candidate)
            if rng.random() < 0.35:
                g.alias_names.append(names.generic_gene_name(rng))

    withdrawn: list[str] = []
    while len(withdrawn) < SYNTHETIC_WITHDRAWN:
        candidate = names.old_symbol(rng)
        if candidate.upper() in taken or candidate in prev_taken or candidate in withdrawn:
            continue
        withdrawn.append(candidate)
        genes.append(
            Gene(
                hgnc_id="",
                symbol=f"{candidate}~withdrawn",
                name="entry withdrawn",
                locus_group="other",
                locus_type="unknown",
                status="Entry Withdrawn",
            )
        )

    _assign_identifiers(rng, genes, hpo_entrez)
    return GeneUniverse(
        genes=genes, source="synthetic", release=SYNTHETIC_RELEASE, withdrawn_symbols=withdrawn
    )


SYNTHETIC_RELEASE = "2025-01-16"


def _assign_identifiers(rng: random.Random, genes: list[Gene], hpo_entrez: set[int]) -> None:
    """HGNC, NCBI, Ensembl, MANE, UniProt, OMIM and MGI ids, unique where the real ones are."""
    hgnc_ids = _UniqueIds(rng, 5, 135_000)
    entrez_old = _UniqueIds(rng, 1, 150_000, hpo_entrez)
    entrez_new = _UniqueIds(rng, 100_130_000, 130_000_000, hpo_entrez)
    ensembl = _UniqueIds(rng, 3, 310_000)
    enst = _UniqueIds(rng, 200_000, 799_999)
    refseq_nm = _UniqueIds(rng, 1_000, 999_999)
    refseq_nr = _UniqueIds(rng, 1_000, 199_999)
    omim = _UniqueIds(rng, 100_050, 620_000)
    mgi = _UniqueIds(rng, 87_000, 7_000_000)
    uniprot_seen: set[str] = set()
    for g in genes:
        g.hgnc_id = f"HGNC:{hgnc_ids.take()}"
        if not g.is_approved:
            continue
        g.location = (
            "mitochondria"
            if g.symbol.startswith("MT-")
            else _location(rng, REAL_CHROMOSOMES.get(g.symbol))
        )
        coding = g.locus_group == PROTEIN_CODING
        if not g.entrez_id and rng.random() < 0.998:
            g.entrez_id = str(entrez_old.take() if coding else entrez_new.take())
        if rng.random() < (0.995 if coding else 0.9):
            g.ensembl_gene_id = f"ENSG{ensembl.take():011d}"
        if coding:
            nm = refseq_nm.take()
            g.refseq_accessions = [f"NM_{nm:06d}"]
            if g.ensembl_gene_id and rng.random() < 0.985:
                g.mane_select = (
                    f"ENST{enst.take():011d}.{rint(rng, 1, 12)}",
                    f"NM_{nm:06d}.{rint(rng, 1, 7)}",
                )
            while True:
                acc = _uniprot(rng)
                if acc not in uniprot_seen:
                    uniprot_seen.add(acc)
                    break
            g.uniprot_ids = [acc]
            if rng.random() < 0.72:
                g.omim_ids = [str(omim.take())]
            if rng.random() < 0.85:
                g.mgd_ids = [f"MGI:{mgi.take()}"]
        elif rng.random() < 0.8:
            g.refseq_accessions = [f"NR_{refseq_nr.take():06d}"]
