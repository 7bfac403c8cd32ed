"""GenCC submissions export: `gencc/download/action/submissions-export-tsv?format=new`.

The current ("new") export: 31 tab-separated columns, nothing quoted, one submission per row,
`sgc_id` first. Submission ids (`SGC-<n>`) and version numbers are made up.

Real-data mode (derived-from-real): the rows of a real GenCC export under `raw/gencc/` when
there is one, in whichever layout it has (the shared sample is the legacy 30-column quoted
export), moved to the new columns with a made-up `sgc_id`; then the R run's GenCC
classification summaries of its 603 high-evidence genes ("Definitive, Supportive
(disease[MONDO:x]-Autosomal recessive) | ...") as one row per listed classification, with the
real gene, disease, MONDO id, classification and inheritance; their submitters, dates and
original disease ids are made up.

Synthetic mode: ~950 kidney submissions over ~350 kidney genes among ~24,000 submissions, with
disease titles that only look renal ("adrenal", "cystic fibrosis"), "Animal Model Only"
submissions, and a few odd rows.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Iterable, Mapping

from kg_pipeline.devtools.snapshot import names
from kg_pipeline.devtools.snapshot.clingen import DiseaseIds
from kg_pipeline.devtools.snapshot.context import SnapshotContext
from kg_pipeline.devtools.snapshot.evidence_plan import EvidencePlan, weighted_sample
from kg_pipeline.devtools.snapshot.names import pick, rint
from kg_pipeline.devtools.snapshot.realdata import R_MISSING, R_RUN_DATE, RealData, RTable
from kg_pipeline.devtools.snapshot.universe import SYNTHETIC_RELEASE, GeneUniverse
from kg_pipeline.raw_files import read_text
from kg_pipeline.sources.gencc.parse import ANIMAL_MODEL_ONLY, SOURCE, read_export
from kg_pipeline.sources.gencc.upstream import GENCC

(RELPATH,) = GENCC.files
FORMAT = "gencc-submissions-tsv"
COLUMNS: tuple[str, ...] = (
    "sgc_id",
    "version_number",
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
"""The new export's columns, in order (berntpopp/gencc-link gencc_link/constants.py)."""
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
ANIMAL_MODEL_CURIE = "GENCC:101000"  # as recalled, not verified against a real export
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
# Synthetic "Animal Model Only" kidney submissions: on genes with other kidney submissions, and
# as the only kidney submission of a few more genes (which the load keeps at weight 0).
SYNTHETIC_ANIMAL_MODEL_SUBMISSIONS = 14
SYNTHETIC_ANIMAL_MODEL_ONLY_GENES = 6

Row = dict[str, str]
"""One submission by column name; absent columns are blank."""

_UNSAFE = re.compile(r"[\t\r\n]+")


def _line(values: Iterable[str]) -> str:
    """One line of the unquoted export (tabs and line breaks inside a value become spaces)."""
    return "\t".join(_UNSAFE.sub(" ", v) for v in values) + "\n"


def _values(row: Mapping[str, str]) -> list[str]:
    return [row.get(column, "") for column in COLUMNS]


def _render(row: Mapping[str, str]) -> str:
    return _line(_values(row))


class _RowMaker:
    """Renders submissions with unique `sgc_id`s, plausible dates and report fields."""

    def __init__(self, rng: random.Random, disease_ids: DiseaseIds) -> None:
        self.rng = rng
        self.disease_ids = disease_ids
        self.sgc_ids: set[str] = set()
        self.next_sgc = 100_000
        self.submission = 1_000

    def new_sgc_id(self) -> str:
        while f"SGC-{self.next_sgc}" in self.sgc_ids:
            self.next_sgc += 1
        self.sgc_ids.add(f"SGC-{self.next_sgc}")
        return f"SGC-{self.next_sgc}"

    def row(
        self,
        *,
        hgnc_id: str,
        symbol: str,
        disease: str,
        mondo: str | None,
        classification: str,
        moi: str,
    ) -> Row:
        rng = self.rng
        curie, submitter = pick(rng, _SUBMITTER_BAG)
        mondo_id = mondo if mondo is not None else self.disease_ids.id_for(disease)
        original = f"OMIM:{rint(rng, 100_050, 620_000)}" if rng.random() < 0.7 else mondo_id
        moi_curie = MOI_CURIES.get(moi, "HP:0000005")
        cls_curie = (
            ANIMAL_MODEL_CURIE
            if classification == ANIMAL_MODEL_ONLY
            else CLASSIFICATION_CURIES.get(classification, "GENCC:100004")
        )
        self.submission += rint(rng, 1, 40)
        submitted = dt.datetime(2018, 1, 1) + dt.timedelta(seconds=rint(rng, 0, 220_000_000))
        run = submitted.date() + dt.timedelta(days=rint(rng, 0, 400))
        pmids = (
            "; ".join(f"PMID: {rint(rng, 9_000_000, 39_000_000)}" for _ in range(rint(rng, 1, 3)))
            if rng.random() < 0.6
            else ""
        )
        return {
            "sgc_id": self.new_sgc_id(),
            "version_number": "1",
            "gene_curie": hgnc_id,
            "gene_symbol": symbol,
            "disease_curie": mondo_id,
            "disease_title": disease,
            "disease_original_curie": original,
            "disease_original_title": disease,
            "classification_curie": cls_curie,
            "classification_title": classification,
            "moi_curie": moi_curie,
            "moi_title": moi,
            "submitter_curie": curie,
            "submitter_title": submitter,
            "submitted_as_hgnc_id": hgnc_id,
            "submitted_as_hgnc_symbol": symbol,
            "submitted_as_disease_id": original,
            "submitted_as_disease_name": disease,
            "submitted_as_moi_id": moi_curie,
            "submitted_as_moi_name": f"{moi} inheritance" if moi not in ("Unknown", "") else moi,
            "submitted_as_submitter_id": curie,
            "submitted_as_submitter_name": submitter,
            "submitted_as_classification_id": cls_curie,
            "submitted_as_classification_name": classification,
            "submitted_as_date": submitted.strftime("%Y-%m-%d %H:%M:%S"),
            "submitted_as_pmids": pmids,
            "submitted_as_submission_id": str(self.submission),
            "submitted_run_date": run.isoformat(),
        }

    def converted(self, row: Mapping[str, str]) -> Row:
        """A row of a real export in either layout, moved to the new columns: the same values
        by name; a legacy row (no `sgc_id`) gets a made-up `sgc_id` and version 1."""
        out = {column: row.get(column, "") for column in COLUMNS}
        if out["sgc_id"] and out["sgc_id"] not in self.sgc_ids:
            self.sgc_ids.add(out["sgc_id"])
        else:
            out["sgc_id"] = self.new_sgc_id()
        out["version_number"] = out["version_number"] or "1"
        return out


def _sort_key(row: Row) -> tuple[str, ...]:
    # Submitter, gene, disease, inheritance, classification: the order the real export lists
    # submissions in.
    return tuple(
        row[c]
        for c in (
            "submitter_curie",
            "gene_curie",
            "disease_original_curie",
            "moi_curie",
            "classification_curie",
            "sgc_id",
        )
    )


# ----------------------------------------------------------------------- real-data mode

_SUMMARY_RE = re.compile(
    r"^(?P<cls>[A-Za-z ,]+?) \((?P<disease>.*)\[(?P<mondo>[^\[\]]*)\]-(?P<moi>[^()\[\]]*)\)$"
)


def _real_export_rows(maker: _RowMaker, real: RealData) -> list[Row]:
    """The rows of the real GenCC export, if the real-data directory has one, in new columns."""
    path = real.gencc_export
    if path is None:
        return []
    table = read_export(read_text(SOURCE, f"raw/gencc/{path.name}", path))
    return [maker.converted(row) for row in table.to_dict("records")]


def write_gencc_real(ctx: SnapshotContext, real: RealData, universe: GeneUniverse) -> None:
    rng = ctx.rng("gencc-real")
    maker = _RowMaker(rng, DiseaseIds(ctx.rng("gencc-real-mondo")))
    exported = _real_export_rows(maker, real)
    rows: list[Row] = []
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
    rows = sorted(exported + rows, key=_sort_key)
    with ctx.writer.open_text(
        "gencc", RELPATH, format=FORMAT, origin="derived-from-real", release=R_RUN_DATE
    ) as out:
        out.write(_line(COLUMNS))
        out.writelines(_render(r) for r in rows)
    ctx.say(
        f"gencc: {len(rows)} submissions ({len(exported)} from the real export, the rest from "
        "the R GenCC summaries)"
    )


# ----------------------------------------------------------------------- synthetic mode


def write_gencc_synthetic(ctx: SnapshotContext, plan: EvidencePlan) -> set[str]:
    """Write the synthetic export; returns the genes that have a GenCC row (HGNC `gencc`)."""
    rng = ctx.rng("gencc")
    maker = _RowMaker(rng, DiseaseIds(ctx.rng("gencc-mondo")))
    universe = plan.universe
    rows: list[Row] = []
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
    rows += _animal_model_rows(rng, maker, plan, kidney)
    rows.sort(key=_sort_key)
    # A free-text note opening with an unbalanced quote: harmless in the unquoted export, but
    # a reader that honours quotes would swallow the rows after it.
    rows[len(rows) // 3]["submitted_as_notes"] = '"proband 2 reported in abstract only'

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
        odd_lines.append(_render(row))
    odd_lines.append(_render(rows[len(rows) // 4]))  # duplicated submission
    odd_lines.append("\n")  # blank line
    odd_lines.append(_line(_values(rows[len(rows) // 5])[:12]))  # truncated row
    lines = [_render(r) for r in rows]
    for i, line in enumerate(odd_lines):
        lines.insert((i + 1) * len(lines) // (len(odd_lines) + 1), line)

    with ctx.writer.open_text(
        "gencc", RELPATH, format=FORMAT, origin="synthetic", release=SYNTHETIC_RELEASE
    ) as out:
        out.write(_line(COLUMNS))
        out.writelines(lines)
    ctx.say(f"gencc: {len(lines)} synthetic submissions, {len(kidney)} kidney genes")
    return {r["gene_symbol"] for r in rows}


def _animal_model_rows(
    rng: random.Random, maker: _RowMaker, plan: EvidencePlan, kidney: list[str]
) -> list[Row]:
    """Synthetic "Animal Model Only" kidney submissions: some on genes that have other kidney
    submissions, and the only kidney submission of a few genes that have none."""
    listed = set(kidney)
    without = [s for s in plan.core if s not in listed]
    symbols = [pick(rng, kidney) for _ in range(SYNTHETIC_ANIMAL_MODEL_SUBMISSIONS)]
    symbols += rng.sample(without, SYNTHETIC_ANIMAL_MODEL_ONLY_GENES)
    rows = []
    for symbol in symbols:
        theme = pick(rng, tuple(names.KIDNEY_DISEASES))
        rows.append(
            maker.row(
                hgnc_id=plan.universe.by_symbol[symbol].hgnc_id,
                symbol=symbol,
                disease=names.fill(pick(rng, names.KIDNEY_DISEASES[theme]), rng),
                mondo=None,
                classification=ANIMAL_MODEL_ONLY,
                moi="Autosomal recessive",
            )
        )
    return rows
