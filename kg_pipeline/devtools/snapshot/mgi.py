"""MGI: `mgi/HMD_HumanPhenotype.rpt` and the Mammalian Phenotype ontology `mgi/MPheno_OBO.ontology`.

The report has no header; each tab-separated line is human symbol, NCBI gene id, mouse
symbol, MGI id, the mouse gene's phenotype terms (comma+space separated top-level MP
"system" terms), and a trailing tab. The ontology is OBO 1.2 with `is_a` edges; the kidney
terms are MP:0005367 (renal/urinary system phenotype) and its descendants.

Real mode: the real report is copied; the ontology is derived from the kidney-genetics-db
list of 661 kidney MP ids (placed below MP:0005367) plus every other MP id the report uses
(as non-kidney system terms); term names and the shape of the kidney subtree are made up.
Synthetic mode: a report for most protein-coding genes (kidney genes more often with
MP:0005367) and an ontology with ~660 made-up kidney terms among other systems' terms.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from kg_pipeline.devtools.snapshot.context import SnapshotContext
from kg_pipeline.devtools.snapshot.names import distinct, pick, rint
from kg_pipeline.devtools.snapshot.universe import SYNTHETIC_RELEASE, GeneUniverse
from kg_pipeline.manifest import Origin
from kg_pipeline.sources.mgi.upstream import MGI

REPORT_RELPATH, ONTOLOGY_RELPATH = MGI.files
REPORT_FORMAT = "mgi-hmd-human-phenotype-rpt"
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


def write_mgi_real(ctx: SnapshotContext, report: Path, kidney_terms_json: Path) -> None:
    rng = ctx.rng("mgi-real-ontology")
    ctx.writer.copy_file(
        "mgi",
        REPORT_RELPATH,
        report,
        format=REPORT_FORMAT,
        origin="real",
        release=REAL_REPORT_RELEASE,
    )
    used: set[str] = set()
    with report.open(encoding="utf-8") as fh:
        for line in fh:
            cols = line.rstrip("\n").split("\t")
            if len(cols) > 4:
                used.update(t for t in cols[4].split(", ") if t)
    kidney = sorted(set(json.loads(kidney_terms_json.read_bytes())) - {KIDNEY_ROOT})
    seen: set[str] = set()
    terms: list[tuple[str, str, list[str]]] = [(ROOT, "mammalian phenotype", [])]
    terms.append((KIDNEY_ROOT, SYSTEM_TERMS[KIDNEY_ROOT][0], [ROOT]))
    for term_id in sorted(used - {KIDNEY_ROOT, ROOT} - set(kidney)):
        name = SYSTEM_TERMS.get(term_id, (f"phenotype {term_id}", 0.0))[0]
        terms.append((term_id, name, [ROOT]))
    terms += _subtree(rng, KIDNEY_ROOT, kidney, _KIDNEY_PARTS, seen)
    _write_ontology(ctx, terms, [], origin="derived-from-real", release=REAL_REPORT_RELEASE)
    ctx.say(f"mgi: real report; ontology with {len(kidney) + 1} kidney terms, {len(terms)} in all")


def write_mgi_synthetic(
    ctx: SnapshotContext, universe: GeneUniverse, kidney_genes: set[str]
) -> None:
    rng = ctx.rng("mgi")
    taken = set(SYSTEM_TERMS) | {ROOT}
    seen: set[str] = set()
    terms: list[tuple[str, str, list[str]]] = [(ROOT, "mammalian phenotype", [])]
    terms += [(t, name, [ROOT]) for t, (name, _) in sorted(SYSTEM_TERMS.items())]
    terms += _subtree(
        rng, KIDNEY_ROOT, _unique_ids(rng, SYNTHETIC_KIDNEY_TERMS, taken), _KIDNEY_PARTS, seen
    )
    others = sorted(t for t in SYSTEM_TERMS if t != KIDNEY_ROOT)
    per_system = SYNTHETIC_OTHER_TERMS // len(others)
    for system in others:
        terms += _subtree(rng, system, _unique_ids(rng, per_system, taken), _OTHER_PARTS, seen)
    # Obsolete kidney-looking terms: not descendants of anything, must not count.
    obsolete = [(t, _term_name(rng, _KIDNEY_PARTS, seen)) for t in _unique_ids(rng, 8, taken)]
    _write_ontology(ctx, terms, obsolete, origin="synthetic", release=SYNTHETIC_RELEASE)

    rows: list[tuple[str, str]] = []
    systems = sorted(SYSTEM_TERMS.items())
    mgi_taken: set[str] = set()
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
        mgi_taken.add(gene.mgd_ids[0])
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
    ctx.say(f"mgi: {len(rows):,} report rows; ontology with {len(terms)} terms")


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
