"""GenCC submissions export: `gencc/download/action/submissions-export-tsv`.

The 30-column TSV of the real export, every value (and the header) in double quotes, one
submission per row.

Real-data mode (derived-from-real): the R run's GenCC classification summaries of its 603
high-evidence genes ("Definitive, Supportive (disease[MONDO:x]-Autosomal recessive) | ...")
become one row per listed classification, with the real gene, disease, MONDO id,
classification and inheritance; submitters, dates and original disease ids are made up.

Synthetic mode: ~950 kidney submissions over ~350 kidney genes among ~24,000 submissions, with
disease titles that only look renal ("adrenal", "cystic fibrosis"), and a few odd rows.
"""

from __future__ import annotations

import datetime as dt
import random
import re

from kg_pipeline.devtools.snapshot import names
from kg_pipeline.devtools.snapshot.clingen import DiseaseIds
from kg_pipeline.devtools.snapshot.context import SnapshotContext
from kg_pipeline.devtools.snapshot.evidence_plan import EvidencePlan, weighted_sample
from kg_pipeline.devtools.snapshot.names import pick, rint
from kg_pipeline.devtools.snapshot.realdata import R_MISSING, R_RUN_DATE, RealData, RTable
from kg_pipeline.devtools.snapshot.universe import SYNTHETIC_RELEASE, GeneUniverse
from kg_pipeline.sources.gencc.upstream import GENCC

(RELPATH,) = GENCC.files
FORMAT = "gencc-submissions-tsv"
COLUMNS: tuple[str, ...] = (
    "uuid",
    "gene_curie",
    "gene_symbol",
    "disease_curie",
    "disease_title",
    "disease_original_curie",
    "disease_original_title",
    "classification_curie",
    "classification_title",
    "moi_curie",
    "moi_title",
    "submitter_curie",
    "submitter_title",
    "submitted_as_hgnc_id",
    "submitted_as_hgnc_symbol",
    "submitted_as_disease_id",
    "submitted_as_disease_name",
    "submitted_as_moi_id",
    "submitted_as_moi_name",
    "submitted_as_submitter_id",
    "submitted_as_submitter_name",
    "submitted_as_classification_id",
    "submitted_as_classification_name",
    "submitted_as_date",
    "submitted_as_public_report_url",
    "submitted_as_notes",
    "submitted_as_pmids",
    "submitted_as_assertion_criteria_url",
    "submitted_as_submission_id",
    "submitted_run_date",
)
CLASSIFICATION_CURIES: dict[str, str] = {
    "Definitive": "GENCC:100001",
    "Strong": "GENCC:100002",
    "Moderate": "GENCC:100003",
    "Limited": "GENCC:100004",
    "Disputed Evidence": "GENCC:100005",
    "Refuted Evidence": "GENCC:100006",
    "No Known Disease Relationship": "GENCC:100008",
    "Supportive": "GENCC:100009",
}
MOI_CURIES: dict[str, str] = {
    "Autosomal dominant": "HP:0000006",
    "Autosomal recessive": "HP:0000007",
    "X-linked": "HP:0001417",
    "X-linked recessive": "HP:0001419",
    "X-linked dominant": "HP:0001423",
    "Mitochondrial": "HP:0001427",
    "Semidominant": "HP:0032113",
    "Somatic mosaicism": "HP:0001442",
    "Unknown": "HP:0000005",
}
# Made-up submitter registry (curie, name, how often it submits).
SUBMITTERS: tuple[tuple[str, str, int], ...] = (
    ("GENCC:000101", "Ambry Genetics", 6),
    ("GENCC:000102", "ClinGen", 4),
    ("GENCC:000104", "Genomics England PanelApp", 12),
    ("GENCC:000105", "Invitae", 10),
    ("GENCC:000106", "Myriad Women's Health", 2),
    ("GENCC:000107", "Orphanet", 14),
    ("GENCC:000108", "PanelApp Australia", 12),
    ("GENCC:000110", "TGMI|G2P", 9),
    ("GENCC:000111", "Illumina", 3),
    ("GENCC:000112", "Franklin by Genoox", 4),
    ("GENCC:000113", "Broad Center for Mendelian Genomics", 1),
    ("GENCC:000114", "Laboratory for Molecular Medicine", 2),
)
_SUBMITTER_BAG: tuple[tuple[str, str], ...] = tuple(
    (curie, name) for curie, name, weight in SUBMITTERS for _ in range(weight)
)
SYNTHETIC_KIDNEY_GENES = 420
SYNTHETIC_KIDNEY_SUBMISSIONS = 1_100
SYNTHETIC_TOTAL_SUBMISSIONS = 24_000


def _q(values: list[str]) -> str:
    return "\t".join('"' + v.replace('"', "'") + '"' for v in values) + "\n"


class _RowMaker:
    """Renders submissions with unique uuids, plausible dates and report fields."""

    def __init__(self, rng: random.Random, disease_ids: DiseaseIds) -> None:
        self.rng = rng
        self.disease_ids = disease_ids
        self.uuids: set[str] = set()
        self.submission = 1_000

    def row(
        self,
        *,
        hgnc_id: str,
        symbol: str,
        disease: str,
        mondo: str | None,
        classification: str,
        moi: str,
    ) -> list[str]:
        rng = self.rng
        curie, submitter = pick(rng, _SUBMITTER_BAG)
        mondo_id = mondo if mondo is not None else self.disease_ids.id_for(disease)
        original = f"OMIM:{rint(rng, 100_050, 620_000)}" if rng.random() < 0.7 else mondo_id
        moi_curie = MOI_CURIES.get(moi, "HP:0000005")
        cls_curie = CLASSIFICATION_CURIES.get(classification, "GENCC:100004")
        base = "-".join(
            part.replace(":", "_") for part in (curie, hgnc_id, original, moi_curie, cls_curie)
        )
        uuid, n = base, 2
        while uuid in self.uuids:
            uuid, n = f"{base}-{n}", n + 1
        self.uuids.add(uuid)
        self.submission += rint(rng, 1, 40)
        submitted = dt.datetime(2018, 1, 1) + dt.timedelta(seconds=rint(rng, 0, 220_000_000))
        run = submitted.date() + dt.timedelta(days=rint(rng, 0, 400))
        pmids = (
            "; ".join(f"PMID: {rint(rng, 9_000_000, 39_000_000)}" for _ in range(rint(rng, 1, 3)))
            if rng.random() < 0.6
            else ""
        )
        return [
            uuid,
            hgnc_id,
            symbol,
            mondo_id,
            disease,
            original,
            disease,
            cls_curie,
            classification,
            moi_curie,
            moi,
            curie,
            submitter,
            hgnc_id,
            symbol,
            original,
            disease,
            moi_curie,
            f"{moi} inheritance" if moi not in ("Unknown", "") else moi,
            curie,
            submitter,
            cls_curie,
            classification,
            submitted.strftime("%Y-%m-%d %H:%M:%S"),
            "",
            "",
            pmids,
            "",
            str(self.submission),
            run.isoformat(),
        ]


# ----------------------------------------------------------------------- real-data mode

_SUMMARY_RE = re.compile(
    r"^(?P<cls>[A-Za-z ,]+?) \((?P<disease>.*)\[(?P<mondo>[^\[\]]*)\]-(?P<moi>[^()\[\]]*)\)$"
)


def write_gencc_real(ctx: SnapshotContext, real: RealData, universe: GeneUniverse) -> None:
    rng = ctx.rng("gencc-real")
    maker = _RowMaker(rng, DiseaseIds(ctx.rng("gencc-real-mondo")))
    rows: list[list[str]] = []
    table = real.r_table(RTable.ANNOTATED)
    for r_symbol, hgnc_num, summary in zip(
        table["approved_symbol"], table["hgnc_id"], table["gencc_summary"], strict=True
    ):
        if summary in (R_MISSING, ""):
            continue
        hgnc_id = f"HGNC:{hgnc_num}"
        gene = universe.by_hgnc_id.get(hgnc_id)
        symbol = gene.symbol if gene is not None else r_symbol
        for part in summary.split(" | "):
            match = _SUMMARY_RE.match(part.strip())
            if not match:
                continue
            disease = match.group("disease")
            mondo = match.group("mondo")
            if disease == "NA":  # R wrote missing disease titles as NA
                disease, mondo = "", ""
            for classification in match.group("cls").split(", "):
                rows.append(
                    maker.row(
                        hgnc_id=hgnc_id,
                        symbol=symbol,
                        disease=disease,
                        mondo=mondo,
                        classification=classification.strip(),
                        moi=match.group("moi"),
                    )
                )
    rows.sort(key=lambda r: r[0])
    with ctx.writer.open_text(
        "gencc", RELPATH, format=FORMAT, origin="derived-from-real", release=R_RUN_DATE
    ) as out:
        out.write(_q(list(COLUMNS)))
        out.writelines(_q(r) for r in rows)
    ctx.say(f"gencc: {len(rows)} submissions from the R GenCC summaries")


# ----------------------------------------------------------------------- synthetic mode


def write_gencc_synthetic(ctx: SnapshotContext, plan: EvidencePlan) -> set[str]:
    """Write the synthetic export; returns the genes that have a GenCC row (HGNC `gencc`)."""
    rng = ctx.rng("gencc")
    maker = _RowMaker(rng, DiseaseIds(ctx.rng("gencc-mondo")))
    universe = plan.universe
    rows: list[list[str]] = []
    classes = tuple(CLASSIFICATION_CURIES)
    class_weights = (30, 25, 10, 10, 1, 0.3, 0.5, 30)
    mois = ("Autosomal dominant", "Autosomal recessive", "X-linked", "Semidominant", "Unknown")
    moi_weights = (45, 45, 6, 2, 2)

    kidney = weighted_sample(
        rng, plan.core, plan.core_weights(plateau=150, tau=220, alpha=2.0), SYNTHETIC_KIDNEY_GENES
    )
    # Every kidney gene has at least one kidney submission; popular ones get several.
    per_gene = [1] * len(kidney)
    for _ in range(SYNTHETIC_KIDNEY_SUBMISSIONS - len(kidney)):
        per_gene[min(len(kidney) - 1, int(rng.random() ** 2 * len(kidney)))] += 1
    for symbol, n in zip(kidney, per_gene, strict=True):
        gene = universe.by_symbol[symbol]
        theme = pick(rng, tuple(names.KIDNEY_DISEASES))
        diseases = [names.fill(pick(rng, names.KIDNEY_DISEASES[theme]), rng) for _ in range(2)]
        for _ in range(n):
            rows.append(
                maker.row(
                    hgnc_id=gene.hgnc_id,
                    symbol=symbol,
                    disease=pick(rng, diseases),
                    mondo=None,
                    classification=rng.choices(classes, class_weights)[0],
                    moi=rng.choices(mois, moi_weights)[0],
                )
            )
    other_pool = plan.others[:8_000] + plan.core[:600]
    while len(rows) < SYNTHETIC_TOTAL_SUBMISSIONS:
        symbol = pick(rng, other_pool)
        gene = universe.by_symbol[symbol]
        disease = names.fill(pick(rng, names.OTHER_DISEASES), rng)
        rows.append(
            maker.row(
                hgnc_id=gene.hgnc_id,
                symbol=symbol,
                disease=disease,
                mondo=None,
                classification=rng.choices(classes, class_weights)[0],
                moi=rng.choices(mois, moi_weights)[0],
            )
        )
    rows.sort(key=lambda r: r[0])

    odd_lines: list[str] = []
    for odd in plan.oddities(rng, kidney, 6):
        gene = universe.by_symbol.get(odd.gene) if odd.gene else None
        row = maker.row(
            hgnc_id=gene.hgnc_id if gene and odd.kind != "previous" else "",
            symbol=odd.text,
            disease=names.fill(pick(rng, names.KIDNEY_DISEASES["glomerular"]), rng),
            mondo=None,
            classification="Strong",
            moi="Autosomal recessive",
        )
        odd_lines.append(_q(row))
    odd_lines.append(_q(rows[len(rows) // 4]))  # duplicated submission
    odd_lines.append("\n")  # blank line
    odd_lines.append(_q(rows[len(rows) // 5][:12]))  # truncated row
    lines = [_q(r) for r in rows]
    for i, line in enumerate(odd_lines):
        lines.insert((i + 1) * len(lines) // (len(odd_lines) + 1), line)

    with ctx.writer.open_text(
        "gencc", RELPATH, format=FORMAT, origin="synthetic", release=SYNTHETIC_RELEASE
    ) as out:
        out.write(_q(list(COLUMNS)))
        out.writelines(lines)
    ctx.say(f"gencc: {len(lines)} synthetic submissions, {len(kidney)} kidney genes")
    return {r[2] for r in rows}
