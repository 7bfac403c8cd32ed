"""MGI: `mgi/HMD_HumanPhenotype.rpt`, `mgi/MGI_GenePheno.rpt` and the Mammalian Phenotype
ontology `mgi/MPheno_OBO.ontology`.

The HMD report has no header; each tab-separated line is human symbol, NCBI gene id, mouse
symbol, MGI id, the mouse gene's phenotype terms (comma+space separated top-level MP
"system" terms), and a trailing tab. The genotype-phenotype report has no header; each
tab-separated line is one genotype and one MP term: allelic composition
(`Pkd1<tm1Jzh>/Pkd1<+>`), allele symbols and ids (`|`-separated), genetic background, MP
id, PubMed id, MGI marker id, MGI genotype id. The ontology is OBO 1.2 with `is_a` edges;
the kidney terms are MP:0005367 (renal/urinary system phenotype) and its descendants.

Real mode: the real HMD report is copied. No real genotype-phenotype report is available
offline, so it is derived from the real one: every marker with system terms gets made-up
alleles and genotypes carrying detailed terms of those systems; for the R run's genes the
kidney terms sit exactly on the zygosities R reported ("hm (true); ht (false)": a homozygous
genotype with kidney terms, no heterozygous one; R's values win where R, of 2024-05, and the
HMD report, of 2024-12, disagree), for other markers with the renal system on random
genotypes. The ontology is derived from the kidney-genetics-db list of 661 kidney MP ids
(placed below MP:0005367), every other MP id the report uses (as system terms) and made-up
detailed terms below those systems; term names and the shape of the subtrees are made up.
Synthetic mode: an HMD report for most protein-coding genes (kidney genes more often with
MP:0005367), its genotypes as above, and an ontology with ~660 made-up kidney terms among
other systems' terms.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from pathlib import Path

from kg_pipeline.devtools.snapshot.context import SnapshotContext
from kg_pipeline.devtools.snapshot.names import distinct, pick, rint
from kg_pipeline.devtools.snapshot.r_values import RValues
from kg_pipeline.devtools.snapshot.universe import SYNTHETIC_RELEASE, GeneUniverse
from kg_pipeline.manifest import Origin
from kg_pipeline.sources.mgi.parse import Zygosity
from kg_pipeline.sources.mgi.upstream import MGI

REPORT_RELPATH, GENEPHENO_RELPATH, ONTOLOGY_RELPATH = MGI.files
REPORT_FORMAT = "mgi-hmd-human-phenotype-rpt"
GENEPHENO_FORMAT = "mgi-genepheno-rpt"
ONTOLOGY_FORMAT = "obo"
REAL_REPORT_RELEASE = "2024-12"  # not stated in the file; from the real-data README
ROOT = "MP:0000001"
KIDNEY_ROOT = "MP:0005367"

# The top-level "system" terms of the MP ontology, with a rough share of mouse genes that
# have a phenotype in each (used for synthetic reports).
SYSTEM_TERMS: dict[str, tuple[str, float]] = {
    "MP:0005376": ("homeostasis/metabolism phenotype", 0.25),
    "MP:0010768": ("mortality/aging", 0.22),
    "MP:0005378": ("growth/size/body region phenotype", 0.22),
    "MP:0005386": ("behavior/neurological phenotype", 0.19),
    "MP:0005397": ("hematopoietic system phenotype", 0.19),
    "MP:0005387": ("immune system phenotype", 0.18),
    "MP:0005384": ("cellular phenotype", 0.18),
    "MP:0003631": ("nervous system phenotype", 0.14),
    "MP:0005385": ("cardiovascular system phenotype", 0.13),
    "MP:0005379": ("endocrine/exocrine gland phenotype", 0.11),
    "MP:0005389": ("reproductive system phenotype", 0.11),
    "MP:0005391": ("vision/eye phenotype", 0.1),
    "MP:0005390": ("skeleton phenotype", 0.1),
    "MP:0010771": ("integument phenotype", 0.09),
    "MP:0005380": ("embryo phenotype", 0.08),
    "MP:0005367": ("renal/urinary system phenotype", 0.05),
    "MP:0005369": ("muscle phenotype", 0.06),
    "MP:0005370": ("liver/biliary system phenotype", 0.06),
    "MP:0005381": ("digestive/alimentary phenotype", 0.06),
    "MP:0005388": ("respiratory system phenotype", 0.055),
    "MP:0005382": ("craniofacial phenotype", 0.05),
    "MP:0005375": ("adipose tissue phenotype", 0.05),
    "MP:0005371": ("limbs/digits/tail phenotype", 0.045),
    "MP:0005377": ("hearing/vestibular/ear phenotype", 0.03),
    "MP:0002006": ("neoplasm", 0.03),
    "MP:0001186": ("pigmentation phenotype", 0.02),
    "MP:0005394": ("taste/olfaction phenotype", 0.005),
}
KIDNEY_SHARE_FOR_KIDNEY_GENES = 0.45
SYNTHETIC_KIDNEY_TERMS = 660
SYNTHETIC_OTHER_TERMS = 1_800
FULL_EXTRA_ROWS = 14_000  # extra ortholog rows at full size (~29,600 rows in all)
CODING_COVERAGE = 0.85
FULL_EXTRA_GENOTYPE_ROWS = 250_000
"""Genotype-phenotype lines beyond one per system and marker, at full size: about 300,000
lines in all (an assumption; no real copy was at hand to count)."""
KIDNEY_IN_GENOTYPES = 0.85
"""Share of markers with the renal system whose kidney terms show in single-locus genotypes
(the rest only in conditional or multi-locus ones, which the report leaves out)."""
_BACKGROUNDS = (
    "involves: 129S4/SvJae * C57BL/6J",
    "involves: 129P2/OlaHsd * C57BL/6",
    "C57BL/6J",
    "C57BL/6N",
    "involves: 129S1/Sv * 129X1/SvJ * C57BL/6J",
    "B6.129S4",
    "either: (involves: 129S6/SvEvTac) or (involves: 129S6/SvEvTac * C57BL/6)",
)
_LABS = ("Jzh", "Gwu", "Mrt", "Sor", "Tyj", "Lex", "Mgn", "Hmns", "Pjn", "Wbg")

_KIDNEY_PARTS = (
    "kidney",
    "renal tubule",
    "glomerulus",
    "podocyte",
    "renal corpuscle",
    "collecting duct",
    "loop of Henle",
    "proximal convoluted tubule",
    "distal convoluted tubule",
    "ureter",
    "urinary bladder",
    "renal pelvis",
    "nephron",
    "glomerular basement membrane",
    "renal interstitium",
    "urine",
    "kidney cortex",
    "kidney medulla",
)
_OTHER_PARTS = (
    "heart",
    "heart valve",
    "liver",
    "hepatocyte",
    "retina",
    "lens",
    "cerebellum",
    "hippocampus",
    "cerebral cortex",
    "spinal cord",
    "bone",
    "cartilage",
    "skull",
    "skin",
    "hair follicle",
    "lung",
    "alveolus",
    "spleen",
    "thymus",
    "lymph node",
    "T cell",
    "B cell",
    "erythrocyte",
    "platelet",
    "testis",
    "ovary",
    "sperm",
    "muscle fiber",
    "tendon",
    "pancreas",
    "pancreatic islet",
    "adrenal gland",
    "thyroid gland",
    "inner ear",
    "cochlear hair cell",
    "adipose tissue",
    "blood vessel",
    "aorta",
    "intestinal villus",
    "tooth",
)
_MODIFIERS = ("abnormal", "increased", "decreased", "absent", "enlarged", "small", "dilated")
_ASPECTS = (
    "morphology",
    "size",
    "physiology",
    "number",
    "cell number",
    "development",
    "weight",
    "thickness",
    "degeneration",
    "inflammation",
    "cell morphology",
    "function",
)


def _term_name(rng: random.Random, parts: tuple[str, ...], seen: set[str]) -> str:
    while True:
        name = f"{pick(rng, _MODIFIERS)} {pick(rng, parts)} {pick(rng, _ASPECTS)}"
        if name in seen:
            name = f"{name} {rint(rng, 2, 99)}"
        if name not in seen:
            seen.add(name)
            return name


def _subtree(
    rng: random.Random, root: str, ids: list[str], parts: tuple[str, ...], seen: set[str]
) -> list[tuple[str, str, list[str]]]:
    """Terms below `root`: each `is_a` an earlier term of the subtree, some twice."""
    placed = [root]
    out = []
    for term_id in ids:
        parents = [pick(rng, placed[: max(1, len(placed))])]
        if len(placed) > 3 and rng.random() < 0.15:
            second = pick(rng, placed)
            if second not in parents:
                parents.append(second)
        out.append((term_id, _term_name(rng, parts, seen), sorted(parents)))
        placed.append(term_id)
    return out


def _write_ontology(
    ctx: SnapshotContext,
    terms: list[tuple[str, str, list[str]]],
    obsolete: list[tuple[str, str]],
    *,
    origin: Origin,
    release: str,
) -> None:
    names = {t: n for t, n, _ in terms}
    with ctx.writer.open_text(
        "mgi",
        ONTOLOGY_RELPATH,
        format=ONTOLOGY_FORMAT,
        origin=origin,
        release=release,
    ) as out:
        out.write(f"format-version: 1.2\ndata-version: {release}\nontology: mp\n")
        out.write("default-namespace: MPheno.ontology\n")
        for term_id, name, parents in sorted(terms):
            out.write(f"\n[Term]\nid: {term_id}\nname: {name}\n")
            if term_id == ROOT:
                out.write(
                    'def: "the observable morphological, physiological, behavioral and '
                    'other characteristics of mammalian organisms" [MGI:csmith]\n'
                )
            for parent in parents:
                out.write(f"is_a: {parent} ! {names[parent]}\n")
        for term_id, name in sorted(obsolete):
            out.write(f"\n[Term]\nid: {term_id}\nname: obsolete {name}\nis_obsolete: true\n")


def _unique_ids(rng: random.Random, n: int, taken: set[str]) -> list[str]:
    return distinct(lambda: f"MP:{rint(rng, 1, 14_999):07d}", n, taken)


@dataclass
class Marker:
    """One mouse marker of the HMD report: its symbol, MGI id, system terms and the human
    genes it is the ortholog of."""

    symbol: str
    mgi_id: str
    systems: list[str]
    humans: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class _Genotype:
    composition: str
    kind: Zygosity
    symbols: str
    ids: str
    background: str
    genotype_id: str
    pubmed: str


def _other_subtrees(
    rng: random.Random, systems: list[str], taken: set[str], seen: set[str]
) -> tuple[list[tuple[str, str, list[str]]], dict[str, list[str]]]:
    """Made-up detailed terms below each non-kidney system: the terms, and system -> its
    detailed term ids."""
    per_system = SYNTHETIC_OTHER_TERMS // max(1, len(systems))
    terms: list[tuple[str, str, list[str]]] = []
    detailed: dict[str, list[str]] = {}
    for system in systems:
        subtree = _subtree(rng, system, _unique_ids(rng, per_system, taken), _OTHER_PARTS, seen)
        terms += subtree
        detailed[system] = [t for t, _, _ in subtree]
    return terms, detailed


def _markers(lines: list[str]) -> list[Marker]:
    """The markers of HMD report lines, in MGI id order (a marker of several human genes
    once)."""
    markers: dict[str, Marker] = {}
    for line in lines:
        cols = line.rstrip("\n").split("\t")
        if len(cols) < 5:
            continue
        marker = markers.setdefault(cols[3], Marker(cols[2], cols[3], []))
        marker.humans.add(cols[0])
        marker.systems += [t for t in cols[4].split(", ") if t and t not in marker.systems]
    return sorted(markers.values(), key=lambda m: int(m.mgi_id.split(":")[1]))


def write_mgi_real(
    ctx: SnapshotContext, report: Path, kidney_terms_json: Path, r: RValues | None
) -> None:
    rng = ctx.rng("mgi-real-ontology")
    ctx.writer.copy_file(
        "mgi",
        REPORT_RELPATH,
        report,
        format=REPORT_FORMAT,
        origin="real",
        release=REAL_REPORT_RELEASE,
    )
    markers = _markers(report.read_text(encoding="utf-8").splitlines())
    used = {t for m in markers for t in m.systems}
    kidney = sorted(set(json.loads(kidney_terms_json.read_bytes())) - {KIDNEY_ROOT})
    seen: set[str] = set()
    terms: list[tuple[str, str, list[str]]] = [(ROOT, "mammalian phenotype", [])]
    terms.append((KIDNEY_ROOT, SYSTEM_TERMS[KIDNEY_ROOT][0], [ROOT]))
    for term_id in sorted(used - {KIDNEY_ROOT, ROOT} - set(kidney)):
        name = SYSTEM_TERMS.get(term_id, (f"phenotype {term_id}", 0.0))[0]
        terms.append((term_id, name, [ROOT]))
    terms += _subtree(rng, KIDNEY_ROOT, kidney, _KIDNEY_PARTS, seen)
    systems = sorted(used & set(SYSTEM_TERMS) - {KIDNEY_ROOT})
    taken = used | set(kidney) | {ROOT, KIDNEY_ROOT}
    other_terms, detailed = _other_subtrees(rng, systems, taken, seen)
    terms += other_terms
    _write_ontology(ctx, terms, [], origin="derived-from-real", release=REAL_REPORT_RELEASE)

    flags = {
        symbol: gene.mgi_kidney
        for symbol, gene in (r.genes.items() if r else ())
        if gene.mgi_kidney is not None
    }
    rows = _write_genepheno(
        ctx,
        markers,
        kidney,
        detailed,
        flags,
        origin="derived-from-real",
        release=REAL_REPORT_RELEASE,
    )
    ctx.say(
        f"mgi: real report; {rows:,} genotype lines ({len(flags)} genes with R's zygosity); "
        f"ontology with {len(kidney) + 1} kidney terms, {len(terms)} in all"
    )


def write_mgi_synthetic(
    ctx: SnapshotContext, universe: GeneUniverse, kidney_genes: set[str]
) -> None:
    rng = ctx.rng("mgi")
    taken = set(SYSTEM_TERMS) | {ROOT}
    seen: set[str] = set()
    terms: list[tuple[str, str, list[str]]] = [(ROOT, "mammalian phenotype", [])]
    terms += [(t, name, [ROOT]) for t, (name, _) in sorted(SYSTEM_TERMS.items())]
    kidney_subtree = _subtree(
        rng, KIDNEY_ROOT, _unique_ids(rng, SYNTHETIC_KIDNEY_TERMS, taken), _KIDNEY_PARTS, seen
    )
    terms += kidney_subtree
    others = sorted(t for t in SYSTEM_TERMS if t != KIDNEY_ROOT)
    other_terms, detailed = _other_subtrees(rng, others, taken, seen)
    terms += other_terms
    # Obsolete kidney-looking terms: not descendants of anything, must not count.
    obsolete = [(t, _term_name(rng, _KIDNEY_PARTS, seen)) for t in _unique_ids(rng, 8, taken)]
    _write_ontology(ctx, terms, obsolete, origin="synthetic", release=SYNTHETIC_RELEASE)

    rows: list[tuple[str, str]] = []
    systems = sorted(SYSTEM_TERMS.items())
    coding = [g for g in universe.protein_coding if g.mgd_ids and g.entrez_id]
    for gene in coding:
        if gene.symbol not in kidney_genes and rng.random() > CODING_COVERAGE:
            continue
        rows.append(
            (
                gene.symbol,
                _report_line(
                    rng,
                    gene.symbol,
                    gene.entrez_id,
                    gene.mgd_ids[0],
                    systems,
                    gene.symbol in kidney_genes,
                ),
            )
        )
    # Extra orthologs (one human gene, several mouse genes), scaled.
    for _ in range(ctx.scaled(FULL_EXTRA_ROWS)):
        gene = pick(rng, coding)
        mgi_id = f"MGI:{rint(rng, 7_000_001, 9_000_000)}"
        line = _report_line(
            rng,
            gene.symbol,
            gene.entrez_id,
            mgi_id,
            systems,
            gene.symbol in kidney_genes,
            mouse_suffix=pick(rng, ("l", "b", "2", "-ps")),
        )
        rows.append((gene.symbol, line))
    rows.sort()
    with ctx.writer.open_text(
        "mgi", REPORT_RELPATH, format=REPORT_FORMAT, origin="synthetic", release=SYNTHETIC_RELEASE
    ) as out:
        out.writelines(line for _, line in rows)
    genotype_rows = _write_genepheno(
        ctx,
        _markers([line for _, line in rows]),
        [t for t, _, _ in kidney_subtree],
        detailed,
        {},
        origin="synthetic",
        release=SYNTHETIC_RELEASE,
    )
    ctx.say(
        f"mgi: {len(rows):,} report rows, {genotype_rows:,} genotype lines; "
        f"ontology with {len(terms)} terms"
    )


def _report_line(
    rng: random.Random,
    human: str,
    entrez: str,
    mgi_id: str,
    systems: list[tuple[str, tuple[str, float]]],
    kidney: bool,
    mouse_suffix: str = "",
) -> str:
    mouse = human[0] + human[1:].lower() + mouse_suffix
    phenotypes: list[str] = []
    if rng.random() < 0.62:
        for term, (_, share) in systems:
            p = KIDNEY_SHARE_FOR_KIDNEY_GENES if kidney and term == KIDNEY_ROOT else share * 1.6
            if rng.random() < p:
                phenotypes.append(term)
    return f"{human}\t{entrez}\t{mouse}\t{mgi_id}\t{', '.join(phenotypes)}\t\n"


class _Ids:
    """Made-up MGI accession numbers for alleles and genotypes, above any marker's."""

    def __init__(self, start: int) -> None:
        self.next = start

    def take(self) -> str:
        self.next += 1
        return f"MGI:{self.next}"


def _genotypes(rng: random.Random, marker: Marker, ids: _Ids) -> list[_Genotype]:
    """One to three alleles of the marker and the genotypes MGI would curate for them."""
    alleles = [
        (f"{marker.symbol}<tm{n + 1}{pick(rng, _LABS)}>", ids.take())
        for n in range(1 + (rng.random() < 0.35) + (rng.random() < 0.1))
    ]
    wild = f"{marker.symbol}<+>"
    pairs: list[tuple[Zygosity, str, str, list[tuple[str, str]]]] = []
    for allele in alleles:
        if rng.random() < 0.75:
            pairs.append(("homozygous", allele[0], allele[0], [allele]))
        if rng.random() < 0.45:
            pairs.append(("heterozygous", allele[0], wild, [allele]))
    if len(alleles) > 1 and rng.random() < 0.3:
        pairs.append(("compound_heterozygous", alleles[0][0], alleles[1][0], alleles[:2]))
    if rng.random() < 0.03:
        pairs.append(("hemizygous", alleles[0][0], "Y", alleles[:1]))
    if not pairs:
        pairs.append(("homozygous", alleles[0][0], alleles[0][0], alleles[:1]))
    return [_genotype(rng, kind, a, b, used, ids) for kind, a, b, used in pairs]


def _genotype(
    rng: random.Random,
    kind: Zygosity,
    first: str,
    second: str,
    alleles: list[tuple[str, str]],
    ids: _Ids,
) -> _Genotype:
    pubmed = "|".join(
        str(rint(rng, 7_000_000, 39_999_999)) for _ in range(1 + (rng.random() < 0.2))
    )
    return _Genotype(
        composition=f"{first}/{second}",
        kind=kind,
        symbols="|".join(a for a, _ in alleles),
        ids="|".join(i for _, i in alleles),
        background=pick(rng, _BACKGROUNDS),
        genotype_id=ids.take(),
        pubmed=pubmed,
    )


def _write_genepheno(
    ctx: SnapshotContext,
    markers: list[Marker],
    kidney: list[str],
    detailed: dict[str, list[str]],
    flags: dict[str, tuple[bool, bool]],
    *,
    origin: Origin,
    release: str,
) -> int:
    """The genotype-phenotype report of `markers`; returns its number of lines.

    Each system term of a marker is carried by one of its genotypes as a detailed term, the
    renal system by one or two genotypes as one to three kidney terms; more lines of
    non-kidney terms are added at scale. Where `flags` gives a human gene's
    (homozygous, heterozygous) kidney phenotypes, a homozygous resp. heterozygous genotype
    carries kidney terms exactly when its flag says so, and no other genotype does.
    """
    rng = ctx.rng("mgi-genepheno")
    ids = _Ids(10_000_000)
    lines: list[tuple[_Genotype, str, str]] = []  # genotype, MP id, marker
    carriers: list[tuple[Marker, _Genotype, list[str]]] = []  # for the extra lines
    for marker in markers:
        known = [flags[h] for h in sorted(marker.humans) if h in flags]
        if not marker.systems and not any(any(f) for f in known):
            continue
        genotypes = _genotypes(rng, marker, ids)
        for system in marker.systems:
            if system == KIDNEY_ROOT:
                continue
            pool = detailed.get(system) or [system]
            genotype = pick(rng, genotypes)
            lines.append((genotype, pick(rng, pool), marker.mgi_id))
            carriers.append((marker, genotype, pool))
        for genotype in _kidney_genotypes(rng, marker, genotypes, known, ids):
            for term in rng.sample(kidney, min(len(kidney), rint(rng, 1, 3))):
                lines.append((genotype, term, marker.mgi_id))
    for _ in range(ctx.scaled(FULL_EXTRA_GENOTYPE_ROWS) if carriers else 0):
        marker, genotype, pool = pick(rng, carriers)
        lines.append((genotype, pick(rng, pool), marker.mgi_id))
    unique = sorted(set(lines), key=lambda x: (x[2], x[0].genotype_id, x[1]))
    with ctx.writer.open_text(
        "mgi", GENEPHENO_RELPATH, format=GENEPHENO_FORMAT, origin=origin, release=release
    ) as out:
        for genotype, term, mgi_id in unique:
            out.write(
                f"{genotype.composition}\t{genotype.symbols}\t{genotype.ids}\t"
                f"{genotype.background}\t{term}\t{genotype.pubmed}\t{mgi_id}\t"
                f"{genotype.genotype_id}\n"
            )
    return len(unique)


def _kidney_genotypes(
    rng: random.Random,
    marker: Marker,
    genotypes: list[_Genotype],
    known: list[tuple[bool, bool]],
    ids: _Ids,
) -> list[_Genotype]:
    """The genotypes of `marker` that carry its kidney terms (new ones added to `genotypes`
    where R's flags need a zygosity the marker's genotypes lack)."""
    if known:
        homozygous, heterozygous = (any(f[i] for f in known) for i in (0, 1))
        chosen = []
        for wanted, kind in ((homozygous, "homozygous"), (heterozygous, "heterozygous")):
            if not wanted:
                continue
            of_kind = [g for g in genotypes if g.kind == kind]
            if not of_kind:
                allele = genotypes[0].symbols.split("|")[0]
                allele_id = genotypes[0].ids.split("|")[0]
                second = allele if kind == "homozygous" else f"{marker.symbol}<+>"
                of_kind = [_genotype(rng, kind, allele, second, [(allele, allele_id)], ids)]
                genotypes += of_kind
            chosen.append(pick(rng, of_kind))
        return chosen
    if KIDNEY_ROOT not in marker.systems or rng.random() > KIDNEY_IN_GENOTYPES:
        return []
    return rng.sample(genotypes, min(len(genotypes), rint(rng, 1, 2)))
