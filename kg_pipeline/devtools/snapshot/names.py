"""Vocabulary for synthetic content: gene symbols and names, diseases, people, journals.

Everything here is made up from generic patterns (HGNC naming conventions, common disease
name shapes); none of it is taken from a data file. Generators take a `random.Random` so the
caller controls determinism.
"""

from __future__ import annotations

import random
import string
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")


def rint(rng: random.Random, low: int, high: int) -> int:
    """`rng.randint` without its overhead (hot loops draw hundreds of thousands of ids)."""
    return low + int(rng.random() * (high - low + 1))


def pick(rng: random.Random, seq: Sequence[T]) -> T:
    """`rng.choice` without its overhead."""
    return seq[int(rng.random() * len(seq))]


def distinct(draw: Callable[[], T], n: int, taken: set[T] | None = None) -> list[T]:
    """`n` values of `draw()`, in draw order, that differ from each other and from `taken`
    (which, when given, receives them: successive calls stay apart)."""
    seen: set[T] = set() if taken is None else taken
    out: list[T] = []
    while len(out) < n:
        value = draw()
        if value not in seen:
            seen.add(value)
            out.append(value)
    return out


CHROMOSOMES: tuple[str, ...] = (*(str(n) for n in range(1, 23)), "X", "Y")
# Rough share of genes per chromosome, so locations look like a genome and not a uniform draw.
CHROMOSOME_WEIGHTS: tuple[float, ...] = (
    *(10, 7, 6, 4.5, 5, 5.5, 5, 4, 4.5, 4, 6.5, 5.5, 2, 3.5, 3.5, 4.5, 6, 1.5, 7, 2.8, 1.4, 2.5),
    4,
    0.4,
)

# Protein-coding families: (prefix, numbered members, suffixes, name template). Enumerated in
# full, then shuffled and drawn by the caller, so drawing never retries on collisions.
_PC_FAMILIES: tuple[tuple[str, int, str, str], ...] = (
    ("ZNF", 990, "", "zinc finger protein {n}"),
    ("TMEM", 275, "ABC", "transmembrane protein {n}"),
    ("CCDC", 200, "ABC", "coiled-coil domain containing {n}"),
    ("FAM", 240, "ABCDEFG", "family with sequence similarity {n}"),
    ("KIAA", 2100, "", "KIAA{n}"),
    ("ANKRD", 66, "AB", "ankyrin repeat domain {n}"),
    ("LRRC", 75, "ABC", "leucine rich repeat containing {n}"),
    ("WDR", 97, "AB", "WD repeat domain {n}"),
    ("TRIM", 75, "AB", "tripartite motif containing {n}"),
    ("PRR", 36, "AB", "proline rich {n}"),
    ("ZBTB", 49, "", "zinc finger and BTB domain containing {n}"),
    ("RNF", 225, "AB", "ring finger protein {n}"),
    ("USP", 54, "", "ubiquitin specific peptidase {n}"),
    ("KLHL", 42, "", "kelch like family member {n}"),
    ("ARHGAP", 45, "", "Rho GTPase activating protein {n}"),
    ("DNAJC", 30, "", "DnaJ heat shock protein family (Hsp40) member C{n}"),
    ("SPATA", 33, "AB", "spermatogenesis associated {n}"),
    ("TBC1D", 32, "AB", "TBC1 domain family member {n}"),
    ("MRPL", 58, "", "mitochondrial ribosomal protein L{n}"),
    ("MRPS", 38, "", "mitochondrial ribosomal protein S{n}"),
    ("PCDH", 20, "AB", "protocadherin {n}"),
    ("CFAP", 300, "", "cilia and flagella associated protein {n}"),
    ("TTC", 40, "AB", "tetratricopeptide repeat domain {n}"),
    ("PHF", 24, "AB", "PHD finger protein {n}"),
    ("GPR", 180, "", "G protein-coupled receptor {n}"),
    ("TAS2R", 60, "", "taste 2 receptor member {n}"),
    ("DEFB", 140, "", "defensin beta {n}"),
    ("SMIM", 45, "", "small integral membrane protein {n}"),
    ("NUDT", 22, "", "nudix hydrolase {n}"),
    ("FBXO", 48, "", "F-box protein {n}"),
    ("DCAF", 17, "", "DDB1 and CUL4 associated factor {n}"),
    ("EFCAB", 14, "", "EF-hand calcium binding domain {n}"),
    ("ARMC", 12, "", "armadillo repeat containing {n}"),
    ("TEX", 50, "", "testis expressed {n}"),
    ("ZSCAN", 32, "", "zinc finger and SCAN domain containing {n}"),
    ("C1QTNF", 12, "", "C1q and TNF related {n}"),
)
_ORF_CHROMOSOMES: tuple[str, ...] = (*(str(c) for c in range(1, 23)), "X")


def protein_coding_candidates() -> list[tuple[str, str]]:
    """Every synthetic protein-coding (symbol, name), in a fixed order."""
    out: list[tuple[str, str]] = []
    for prefix, size, suffixes, template in _PC_FAMILIES:
        for n in range(1, size + 1):
            number = f"{n:04d}" if prefix == "KIAA" else str(n)
            for suffix in ("", *suffixes) if suffixes != "ABCDEFG" else suffixes:
                symbol = f"{prefix}{number}{suffix}"
                out.append((symbol, template.format(n=f"{number}{suffix}")))
    for chrom in _ORF_CHROMOSOMES:
        for n in range(1, 221):
            out.append((f"C{chrom}orf{n}", f"chromosome {chrom} open reading frame {n}"))
    for family in range(1, 15):
        for sub in "ABCDEFGHIJKLMN":
            for n in range(1, 31):
                out.append(
                    (
                        f"OR{family}{sub}{n}",
                        f"olfactory receptor family {family} subfamily {sub} member {n}",
                    )
                )
    for family in range(1, 67):
        for member in range(1, 15):
            out.append((f"SLC{family}A{member}", f"solute carrier family {family} member {member}"))
    for family in range(1, 30):
        for member in range(1, 13):
            out.append((f"KRTAP{family}-{member}", f"keratin associated protein {family}-{member}"))
    return out


_PSEUDO_BASES: tuple[str, ...] = (
    *(f"RPL{n}" for n in range(3, 42)),
    *(f"RPS{n}" for n in range(2, 30)),
    *(f"MTND{n}" for n in range(1, 7)),
    *(f"MTCO{n}" for n in range(1, 4)),
    "MTATP6",
    "MTATP8",
    "HNRNPA1",
    "EEF1A1",
    "GAPDH",
    "NPM1",
    "TUBB",
    "ACTG1",
    "KRT8",
    "YWHAZ",
    "HMGB1",
    "PTMA",
    "RPSA",
    "CYCS",
    "FTH1",
    "NACA",
)


def pseudogene_candidates() -> list[tuple[str, str]]:
    """Every synthetic pseudogene (symbol, name), in a fixed order."""
    return [
        (f"{base}P{n}", f"{base} pseudogene {n}") for base in _PSEUDO_BASES for n in range(1, 351)
    ]


_TRNA_AMINO: tuple[tuple[str, str], ...] = (
    ("A", "Ala"),
    ("R", "Arg"),
    ("N", "Asn"),
    ("G", "Gly"),
    ("L", "Leu"),
    ("K", "Lys"),
    ("S", "Ser"),
    ("V", "Val"),
    ("E", "Glu"),
    ("Q", "Gln"),
)


def ncrna_candidates(parents: Sequence[str]) -> list[tuple[str, str, str]]:
    """Every synthetic non-coding RNA (symbol, name, locus type), in a fixed order.

    `parents` are protein-coding symbols that antisense and divergent transcripts attach to.
    """
    out: list[tuple[str, str, str]] = []
    lnc = "RNA, long non-coding"
    for n in range(1, 5001):
        out.append((f"LINC{n:05d}", f"long intergenic non-protein coding RNA {n}", lnc))
    for parent in parents[::3]:
        out.append((f"{parent}-AS1", f"{parent} antisense RNA 1", lnc))
    for parent in parents[1::7]:
        out.append((f"{parent}-DT", f"{parent} divergent transcript", lnc))
    for n in range(1, 4001):
        out.append((f"MIR{n}", f"microRNA {n}", "RNA, micro"))
    for n in range(1, 181):
        out.append((f"SNORD{n}", f"small nucleolar RNA, C/D box {n}", "RNA, small nucleolar"))
    for n in range(1, 81):
        out.append((f"SNORA{n}", f"small nucleolar RNA, H/ACA box {n}", "RNA, small nucleolar"))
    for code, amino in _TRNA_AMINO:
        for anticodon in ("AGC", "CGT", "GTT", "TCC", "CAG", "CTT", "GCT", "AAC"):
            for a in range(1, 9):
                out.append(
                    (
                        f"TR{code}-{anticodon}{a}-1",
                        f"tRNA-{amino} ({anticodon}) {a}-1",
                        "RNA, transfer",
                    )
                )
    return out


def other_candidates(parents: Sequence[str]) -> list[tuple[str, str, str]]:
    """Readthroughs, fragile sites, retroviruses, immunoglobulin genes and unknown loci."""
    out: list[tuple[str, str, str]] = []
    for a, b in zip(parents[::11], parents[5::11], strict=False):
        out.append((f"{a}-{b}", f"{a}-{b} readthrough", "readthrough"))
    for chrom in CHROMOSOMES[:23]:
        for letter in "ABCDEFGH":
            out.append((f"FRA{chrom}{letter}", f"fragile site, chromosome {chrom}", "fragile site"))
    for n in range(1, 151):
        out.append(
            (f"ERVK{n}", f"endogenous retrovirus group K member {n}", "endogenous retrovirus")
        )
    for n in range(1, 8):
        for m in range(1, 81):
            out.append(
                (f"IGHV{n}-{m}", f"immunoglobulin heavy variable {n}-{m}", "immunoglobulin gene")
            )
    for n in range(1, 401):
        out.append((f"LOC{100_287_000 + n}", f"uncharacterized locus {n}", "unknown"))
    return out


_GENERIC_NAME_PARTS: tuple[str, ...] = (
    "ankyrin repeat",
    "WD repeat",
    "zinc finger",
    "serine/threonine kinase",
    "solute carrier",
    "ion channel",
    "cilia and flagella associated",
    "collagen type",
    "transcription factor",
    "membrane associated",
    "ubiquitin ligase",
    "GTPase activating",
    "phosphatase",
    "receptor",
    "adhesion molecule",
    "mitochondrial carrier",
    "intraflagellar transport",
    "nephronophthisis associated",
    "podocyte expressed",
    "extracellular matrix",
)
_GENERIC_NAME_SHAPES: tuple[str, ...] = (
    "{p} domain containing {n}",
    "{p} protein {n}",
    "{p} family member {n}",
    "{p} associated protein {n}",
    "{p} regulator {n}",
    "{p} {n}",
)


def generic_gene_name(rng: random.Random) -> str:
    """A plausible HGNC-style approved name with no family pattern behind it."""
    shape = pick(rng, _GENERIC_NAME_SHAPES)
    return shape.format(p=pick(rng, _GENERIC_NAME_PARTS), n=rint(rng, 1, 40))


def old_symbol(rng: random.Random) -> str:
    """A retired-looking symbol, as found in prev_symbol and alias_symbol columns."""
    kind = rng.random()
    if kind < 0.3:
        return f"FLJ{rint(rng, 10000, 46999)}"
    if kind < 0.38:
        return f"KIAA{rint(rng, 2200, 9999):04d}"
    if kind < 0.48:
        return f"C{pick(rng, _ORF_CHROMOSOMES)}orf{rint(rng, 221, 999)}"
    if kind < 0.6:
        return f"DKFZp{rint(rng, 300, 800)}{pick(rng, string.ascii_uppercase)}{rint(rng, 1, 99)}"
    if kind < 0.7:
        return f"MGC{rint(rng, 2000, 99999)}"
    letters = "".join(pick(rng, string.ascii_uppercase) for _ in range(rint(rng, 3, 4)))
    return f"{letters}{rint(rng, 1, 99)}"


# ---------------------------------------------------------------- diseases and phenotypes

KIDNEY_DISEASES: dict[str, tuple[str, ...]] = {
    "cystic": (
        "polycystic kidney disease {n}",
        "nephronophthisis {n}",
        "autosomal recessive polycystic kidney disease",
        "Joubert syndrome {n}",
        "Bardet-Biedl syndrome {n}",
        "Meckel syndrome, type {n}",
        "renal cysts and diabetes syndrome",
        "ciliopathy with cystic kidney disease",
    ),
    "glomerular": (
        "focal segmental glomerulosclerosis {n}",
        "nephrotic syndrome, type {n}",
        "Alport syndrome {n}",
        "steroid resistant nephrotic syndrome",
        "glomerulopathy with fibronectin deposits {n}",
        "IgA nephropathy, susceptibility to, {n}",
        "proteinuria, familial",
    ),
    "tubular": (
        "renal tubular acidosis, distal, {n}",
        "Bartter syndrome, type {n}",
        "Gitelman syndrome",
        "Dent disease {n}",
        "Fanconi renotubular syndrome {n}",
        "nephrogenic diabetes insipidus, type {n}",
        "tubulointerstitial kidney disease, autosomal dominant, {n}",
        "hypomagnesemia, renal, {n}",
    ),
    "complement": (
        "atypical hemolytic uremic syndrome {n}",
        "C3 glomerulopathy {n}",
        "membranoproliferative glomerulonephritis {n}",
        "complement factor H related nephropathy",
    ),
    "cakut": (
        "congenital anomalies of kidney and urinary tract {n}",
        "renal hypodysplasia/aplasia {n}",
        "vesicoureteral reflux {n}",
        "branchiootorenal syndrome {n}",
        "renal coloboma syndrome",
        "CAKUT, syndromic, {n}",
    ),
    "stones": (
        "nephrolithiasis/nephrocalcinosis {n}",
        "primary hyperoxaluria, type {n}",
        "cystinuria",
        "hypercalciuria, absorptive, {n}",
        "kidney stone disease, susceptibility to, {n}",
    ),
    "other": (
        "chronic kidney disease, susceptibility to",
        "renal cell carcinoma, papillary, {n}",
        "Wilms tumor {n}",
        "end-stage renal disease, familial",
        "renal amyloidosis, hereditary",
    ),
}

# Diseases outside the kidney, including names that trip naive keyword filters: "adrenal"
# contains "renal", "cystic fibrosis" contains "cystic", tubulinopathies contain "tubul".
OTHER_DISEASES: tuple[str, ...] = (
    "Noonan syndrome {n}",
    "dilated cardiomyopathy {n}",
    "hypertrophic cardiomyopathy {n}",
    "nonsyndromic hearing loss, autosomal recessive {n}",
    "retinitis pigmentosa {n}",
    "developmental and epileptic encephalopathy {n}",
    "intellectual developmental disorder, autosomal dominant {n}",
    "hereditary breast and ovarian cancer syndrome",
    "Charcot-Marie-Tooth disease, axonal, type 2{a}",
    "mitochondrial complex I deficiency, nuclear type {n}",
    "spondyloepiphyseal dysplasia {n}",
    "Ehlers-Danlos syndrome, type {n}",
    "long QT syndrome {n}",
    "amyotrophic lateral sclerosis {n}",
    "primary ciliary dyskinesia {n}",
    "severe combined immunodeficiency, type {n}",
    "congenital myasthenic syndrome {n}",
    "Leber congenital amaurosis {n}",
    "microcephaly {n}, primary, autosomal recessive",
    "cystic fibrosis",
    "congenital adrenal hyperplasia due to 21-hydroxylase deficiency",
    "adrenal insufficiency, congenital, {n}",
    "adrenoleukodystrophy",
    "cortical dysplasia, complex, with other brain malformations {n} (tubulinopathy)",
    "complement component {n} deficiency",
    "hypertension, essential, susceptibility to, {n}",
)

PANEL_OTHER_NAMES: tuple[str, ...] = (
    "Cardiomyopathies",
    "Hearing loss",
    "Retinal disorders",
    "Epilepsy plus",
    "Intellectual disability",
    "Hereditary ataxia",
    "Skeletal dysplasia",
    "Primary immunodeficiency",
    "Inherited cancer susceptibility",
    "Mitochondrial disorders",
    "Congenital myopathy",
    "Hereditary spastic paraplegia",
    "Rare anaemia",
    "Thoracic aortic aneurysm",
    "Familial hypercholesterolaemia",
    "Inborn errors of metabolism",
    "Severe microcephaly",
    "Craniosynostosis",
    "Congenital hypothyroidism",
    "Arrhythmogenic cardiomyopathy",
    "Osteogenesis imperfecta",
    "Neonatal diabetes",
    "Hereditary neuropathy",
    "Leukodystrophy",
    "Ehlers-Danlos syndromes",
    "Fetal anomalies",
    "Paediatric motor disorders",
    "Hydrocephalus",
    "Albinism",
    "Periodic fever syndromes",
)

# Panels whose names contain a kidney keyword by accident.
PANEL_TRAP_NAMES: tuple[str, ...] = (
    "Congenital adrenal hyperplasia",
    "Adrenal insufficiency",
    "Cystic fibrosis diagnostic test",
    "Tubulinopathies",
    "Adrenoleukodystrophy",
    "Complement deficiency",
)

PANEL_DISEASE_GROUPS: tuple[str, ...] = (
    "Cardiovascular disorders",
    "Hearing and ear disorders",
    "Ophthalmological disorders",
    "Neurology and neurodevelopmental disorders",
    "Skeletal disorders",
    "Haematological disorders",
    "Metabolic disorders",
    "Endocrine disorders",
    "Tumour syndromes",
    "Dermatological disorders",
    "Respiratory disorders",
    "Gastrohepatology",
)

MODES_OF_INHERITANCE: tuple[str, ...] = (
    "BIALLELIC, autosomal or pseudoautosomal",
    "MONOALLELIC, autosomal or pseudoautosomal, NOT imprinted",
    "MONOALLELIC, autosomal or pseudoautosomal, imprinted status unknown",
    "BOTH monoallelic and biallelic, autosomal or pseudoautosomal",
    "X-LINKED: hemizygous mutation in males, biallelic mutations in females",
    "",
)

_GIVEN = (
    "Anna",
    "Ben",
    "Carla",
    "David",
    "Elena",
    "Felix",
    "Grace",
    "Hiro",
    "Ines",
    "Jonas",
    "Kemal",
    "Laura",
    "Mei",
    "Nora",
    "Omar",
    "Paula",
    "Quentin",
    "Rosa",
    "Sven",
    "Tara",
    "Uma",
    "Victor",
    "Wen",
    "Yara",
    "Zoe",
)
_FAMILY = (
    "Andersen",
    "Becker",
    "Costa",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Hoffmann",
    "Ito",
    "Jansen",
    "Kowalski",
    "Lindqvist",
    "Moreau",
    "Nakamura",
    "Oliveira",
    "Petrov",
    "Rossi",
    "Schmidt",
    "Tanaka",
    "Usman",
    "Varga",
    "Weber",
    "Yilmaz",
    "Zhang",
    "Okafor",
)

JOURNALS: tuple[str, ...] = (
    "Kidney Int",
    "J Am Soc Nephrol",
    "Nephrol Dial Transplant",
    "Pediatr Nephrol",
    "Am J Kidney Dis",
    "Clin J Am Soc Nephrol",
    "Kidney Int Rep",
    "BMC Nephrol",
    "Hum Mutat",
    "Eur J Hum Genet",
    "Genet Med",
    "J Med Genet",
    "Am J Hum Genet",
    "Front Genet",
    "Mol Genet Genomic Med",
    "Sci Rep",
    "PLoS One",
    "Nat Genet",
)


def person(rng: random.Random) -> str:
    """A made-up author name, "Given Family"."""
    return f"{pick(rng, _GIVEN)} {pick(rng, _FAMILY)}"


def author_short(rng: random.Random) -> str:
    """A made-up author in PubMed's "Family GI" form."""
    return f"{pick(rng, _FAMILY)} {pick(rng, string.ascii_uppercase)}"


def fill(template: str, rng: random.Random) -> str:
    """Fill `{n}` (a small number) and `{a}` (a letter) in a disease-name template."""
    return template.format(n=rint(rng, 1, 24), a=pick(rng, "ABCDEFGHIJKLMN"))
