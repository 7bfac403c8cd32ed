"""ClinGen gene-disease validity CSV: `clingen/kb/gene-validity/download`.

Real mode copies the real download. Synthetic mode writes the same layout: a six-line banner
(title, `FILE CREATED: <date>`, webpage, `+++` rule, header, `+++` rule), then one quoted
10-column row per curation. About 185 kidney genes come from the five kidney expert panels
and from kidney diseases curated by other panels; ~2,800 other rows cover other diseases,
including names that only look renal ("adrenal", "cystic fibrosis"). A few rows carry the
oddities real files have: outdated or lower-case symbols, a duplicate, a blank line, a short
row.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass
from pathlib import Path

from kg_pipeline.devtools.snapshot import names
from kg_pipeline.devtools.snapshot.context import SnapshotContext
from kg_pipeline.devtools.snapshot.evidence_plan import EvidencePlan, weighted_sample
from kg_pipeline.devtools.snapshot.names import pick, rint
from kg_pipeline.devtools.snapshot.universe import SYNTHETIC_RELEASE
from kg_pipeline.sources.clingen.upstream import CLINGEN

(RELPATH,) = CLINGEN.files
FORMAT = "clingen-gene-validity-csv"
COLUMNS: tuple[str, ...] = (
    "GENE SYMBOL",
    "GENE ID (HGNC)",
    "DISEASE LABEL",
    "DISEASE ID (MONDO)",
    "MOI",
    "SOP",
    "CLASSIFICATION",
    "ONLINE REPORT",
    "CLASSIFICATION DATE",
    "GCEP",
)
KIDNEY_GCEPS: dict[str, tuple[str, int]] = {
    # theme -> (expert panel, genes it curated)
    "cystic": ("Kidney Cystic and Ciliopathy Disorders Gene Curation Expert Panel", 60),
    "glomerular": ("Glomerulopathy Gene Curation Expert Panel", 17),
    "tubular": ("Tubulopathy Gene Curation Expert Panel", 24),
    "complement": ("Complement-Mediated Kidney Diseases Gene Curation Expert Panel", 12),
    "cakut": ("Congenital Anomalies of the Kidney and Urinary Tract Gene Curation Expert Panel", 3),
}
# Kidney diseases curated by non-kidney panels (syndromes, metabolism, prenatal...).
KIDNEY_ROWS_ELSEWHERE = 100
OTHER_ROWS = 2_780
OTHER_GCEPS: tuple[str, ...] = tuple(
    f"{name} Gene Curation Expert Panel"
    for name in (
        "RASopathy",
        "Hearing Loss",
        "Cardiomyopathy",
        "Epilepsy",
        "Intellectual Disability and Autism",
        "Retina",
        "Hereditary Cancer",
        "Skeletal Disorders",
        "Mitochondrial Diseases",
        "Aminoacidopathy",
        "Brain Malformations",
        "Craniofacial Malformations",
        "Syndromic Disorders",
        "Prenatal",
        "Primary Immune Regulatory Disorders",
        "Hemostasis Thrombosis",
        "Peroxisomal Disorders",
        "Motor Neuron Disease",
        "Lysosomal Diseases",
        "Arrhythmia",
        "General Inborn Errors of Metabolism",
        "Monogenic Diabetes",
        "Familial Hypercholesterolemia",
        "Leukodystrophy and Leukoencephalopathy",
    )
)
CLASSIFICATIONS: tuple[str, ...] = (
    *("Definitive",) * 9,
    *("Strong",) * 2,
    *("Moderate",) * 5,
    *("Limited",) * 6,
    "Disputed",
    "Refuted",
    "No Known Disease Relationship",
)
MOIS: tuple[str, ...] = ("AD", "AD", "AR", "AR", "AR", "XL", "SD", "MT", "UD")


@dataclass
class DiseaseIds:
    """Stable made-up MONDO ids per disease label within one file."""

    rng: random.Random
    prefix: str = "MONDO:"

    def __post_init__(self) -> None:
        self._ids: dict[str, str] = {}
        self._used: set[int] = set()

    def id_for(self, label: str) -> str:
        if label not in self._ids:
            n = rint(self.rng, 7_000, 1_100_000)
            while n in self._used:
                n = rint(self.rng, 7_000, 1_100_000)
            self._used.add(n)
            self._ids[label] = f"{self.prefix}{n:07d}"
        return self._ids[label]


def _uuid(rng: random.Random) -> str:
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _row(
    rng: random.Random,
    ids: DiseaseIds,
    symbol: str,
    hgnc_id: str,
    disease: str,
    gcep: str,
) -> list[str]:
    when = dt.datetime(2017, 6, 1) + dt.timedelta(days=rint(rng, 0, 2_770), hours=rint(rng, 0, 23))
    stamp = when.strftime("%Y-%m-%dT%H:00:00.000Z")
    report = (
        "https://search.clinicalgenome.org/kb/gene-validity/CGGV:assertion_"
        f"{_uuid(rng)}-{when.strftime('%Y-%m-%dT%H0000.000Z')}"
    )
    return [
        symbol,
        hgnc_id,
        disease,
        ids.id_for(disease),
        pick(rng, MOIS),
        f"SOP{rint(rng, 4, 11)}",
        pick(rng, CLASSIFICATIONS),
        report,
        stamp,
        gcep,
    ]


def _csv_line(values: list[str]) -> str:
    return ",".join('"' + v.replace('"', '""') + '"' for v in values) + "\n"


def _banner(created: str) -> list[str]:
    rule = [
        "+" * n for n in (11, 14, 13, 18, 9, 9, 14, 13, 19, 19)
    ]  # the real file's rule widths follow the header
    return [
        _csv_line(["CLINGEN GENE DISEASE VALIDITY CURATIONS", *[""] * 9]),
        _csv_line([f"FILE CREATED: {created}", *[""] * 9]),
        _csv_line(["WEBPAGE: https://search.clinicalgenome.org/kb/gene-validity", *[""] * 9]),
        _csv_line(rule),
        _csv_line(list(COLUMNS)),
        _csv_line(rule),
    ]


def release_of_real(text_head: str) -> str:
    match = re.search(r"FILE CREATED: (\d{4}-\d{2}-\d{2})", text_head)
    return match.group(1) if match else "unknown"


def write_clingen_real(ctx: SnapshotContext, path: Path) -> None:
    with path.open(encoding="utf-8", errors="replace") as fh:
        head = fh.read(400)
    ctx.writer.copy_file(
        "clingen", RELPATH, path, format=FORMAT, origin="real", release=release_of_real(head)
    )
    ctx.say(f"clingen: real validity CSV ({path.name})")


def write_clingen_synthetic(ctx: SnapshotContext, plan: EvidencePlan) -> set[str]:
    """Write the synthetic CSV; returns the kidney genes it names (for sanity reporting)."""
    rng = ctx.rng("clingen")
    ids = DiseaseIds(ctx.rng("clingen-mondo"))
    universe = plan.universe
    rows: list[list[str]] = []
    kidney_genes: set[str] = set()

    for theme, (gcep, n_genes) in KIDNEY_GCEPS.items():
        pool = plan.theme_pool(theme)[:400]
        weights = [1.0 / (1 + i / 25) ** 1.5 for i in range(len(pool))]
        for symbol in weighted_sample(rng, pool, weights, n_genes):
            gene = universe.by_symbol[symbol]
            for _ in range(1 if rng.random() < 0.85 else 2):
                disease = names.fill(pick(rng, names.KIDNEY_DISEASES[theme]), rng)
                rows.append(_row(rng, ids, symbol, gene.hgnc_id, disease, gcep))
            kidney_genes.add(symbol)
    pool = [g for g in plan.core[:600] if g not in kidney_genes]
    weights = [1.0 / (1 + i / 80) for i in range(len(pool))]
    for symbol in weighted_sample(rng, pool, weights, KIDNEY_ROWS_ELSEWHERE):
        gene = universe.by_symbol[symbol]
        theme = pick(rng, tuple(names.KIDNEY_DISEASES))
        disease = names.fill(pick(rng, names.KIDNEY_DISEASES[theme]), rng)
        rows.append(_row(rng, ids, symbol, gene.hgnc_id, disease, pick(rng, OTHER_GCEPS)))
        kidney_genes.add(symbol)

    # Other diseases: mostly genes outside the kidney ranking, some kidney genes too
    # (a kidney gene curated for a cardiac disease must not count).
    for i in range(OTHER_ROWS):
        pool = plan.core if i % 12 == 0 else plan.others
        symbol = pool[int(rng.random() * min(len(pool), 9_000))]
        gene = universe.by_symbol[symbol]
        disease = names.fill(pick(rng, names.OTHER_DISEASES), rng)
        rows.append(_row(rng, ids, symbol, gene.hgnc_id, disease, pick(rng, OTHER_GCEPS)))

    rows.sort(key=lambda r: (r[0].upper(), r[2], r[9]))
    # Odd rows, placed among the recent additions at the end as the real file appends them.
    tail: list[str] = []
    gcep_cystic = KIDNEY_GCEPS["cystic"][0]
    for odd in plan.oddities(rng, sorted(kidney_genes), 6):
        gene = universe.by_symbol.get(odd.gene) if odd.gene else None
        disease = names.fill(pick(rng, names.KIDNEY_DISEASES["cystic"]), rng)
        row = _row(rng, ids, odd.text, gene.hgnc_id if gene else "", disease, gcep_cystic)
        tail.append(_csv_line(row))
    tail.append(_csv_line(rows[len(rows) // 3]))  # a duplicated curation
    tail.append("\n")  # a blank line
    tail.append(_csv_line(rows[len(rows) // 2][:5]))  # a truncated row
    rng.shuffle(tail)

    with ctx.writer.open_text(
        "clingen", RELPATH, format=FORMAT, origin="synthetic", release=SYNTHETIC_RELEASE
    ) as out:
        out.writelines(_banner(SYNTHETIC_RELEASE))
        out.writelines(_csv_line(r) for r in rows)
        out.writelines(tail)
    ctx.say(f"clingen: {len(rows) + len(tail)} synthetic rows, {len(kidney_genes)} kidney genes")
    return kidney_genes
