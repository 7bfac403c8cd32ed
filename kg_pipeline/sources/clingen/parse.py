"""Parse the ClinGen gene-disease validity CSV: kidney curations and their classifications.

Owns reading the download (`clingen/kb/gene-validity/download`: a banner, the header row, a
`+++` rule, then data), the kidney filter and the per-gene ClinGen evidence (reference 2.2).

Columns are found by their header names and the release by the banner's "FILE CREATED" line,
since the banner has had 4 and 6 lines. Decisions against upstream: the per-gene
`classifications` are ordered strongest first and `max_classification` is the strongest
(upstream stored an unordered set and the scoring read its first element); the kidney keywords
are the shared ones of `kg_pipeline.sources.keywords` (upstream's "tubul", "complement" and
"renal" also matched tubulinopathies, Fanconi anaemia complementation groups and adrenal
insufficiency).
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any, Final

import pandas as pd

from kg_pipeline.raw_files import RawFiles, SourceFormatError, read_text
from kg_pipeline.sources import aggregation, records
from kg_pipeline.sources.keywords import contains_any_mask, mentions_kidney_mask

SOURCE: Final = "ClinGen"
FILE_KEY: Final = "clingen/kb/gene-validity/download"

KIDNEY_EXPERT_PANELS: Final[frozenset[str]] = frozenset(
    f"{name} Gene Curation Expert Panel"
    for name in (
        "Kidney Cystic and Ciliopathy Disorders",
        "Glomerulopathy",
        "Tubulopathy",
        "Complement-Mediated Kidney Diseases",
        "Congenital Anomalies of the Kidney and Urinary Tract",
    )
)
"""The five ClinGen kidney GCEPs; every curation of theirs is kept."""

NON_KIDNEY_WORDS: Final[tuple[str, ...]] = (
    "hearing",
    "intellectual",
    "developmental",
    "cardiac",
    "retinal",
    "ocular",
)
"""Upstream's second filter: without a kidney keyword, a disease naming one of these is out."""

CLASSIFICATION_RANK: Final[dict[str, int]] = {
    "Definitive": 6,
    "Strong": 5,
    "Moderate": 4,
    "Limited": 3,
    "Disputed": 2,
    "Refuted": 1,
    "No Known Disease Relationship": 0,
}
"""ClinGen classifications, strongest highest (used to order and to take the maximum)."""

CLASSIFICATION_WEIGHT: Final[dict[str, float]] = {
    "Definitive": 1.0,
    "Strong": 0.8,
    "Moderate": 0.6,
    "Limited": 0.3,
    "Disputed": 0.1,
    "Refuted": 0.0,
    "No Known Disease Relationship": 0.0,
}
"""Upstream's ClinGen weights, for its `max_classification_score` key (our scoring view has its
own weights and reads `classifications`)."""

_CANONICAL: Final[dict[str, str]] = {name.lower(): name for name in CLASSIFICATION_RANK}

# Header name -> row column. The first five are required.
_COLUMNS: Final[dict[str, str]] = {
    "GENE SYMBOL": "symbol",
    "GENE ID (HGNC)": "reported_hgnc_id",
    "DISEASE LABEL": "disease_name",
    "CLASSIFICATION": "classification",
    "GCEP": "expert_panel",
    "DISEASE ID (MONDO)": "mondo_id",
    "MOI": "mode_of_inheritance",
    "SOP": "sop",
    "ONLINE REPORT": "submission_id",
    "CLASSIFICATION DATE": "classification_date",
}
_REQUIRED: Final = ("GENE SYMBOL", "GENE ID (HGNC)", "DISEASE LABEL", "CLASSIFICATION", "GCEP")
_BANNER_SEARCH_LINES: Final = 30
_CREATED: Final = re.compile(r"FILE CREATED:\s*(\S+)", re.IGNORECASE)
_CREATED_DATE: Final = re.compile(r"FILE CREATED:\s*(\d{4}-\d{2}-\d{2})")

ROW_COLUMNS: Final[tuple[str, ...]] = (*_COLUMNS.values(), "kidney_expert_panel")


def _canonical_classification(value: str) -> str | None:
    # The web export has marked "No Known Disease Relationship" with a trailing asterisk.
    return _CANONICAL.get(value.strip().rstrip("*").strip().lower())


def kidney_mask(disease: pd.Series, expert_panel: pd.Series) -> pd.Series:
    """Which curations are about kidney disease (reference 2.2, both filters).

    First filter: curated by a kidney GCEP, or the disease label has a kidney keyword.
    Second filter: the disease label plus GCEP name has a kidney keyword, or else the disease
    label is not blank and names none of `NON_KIDNEY_WORDS`. With today's five GCEP names (each
    containing a keyword) the second filter removes nothing the first admits; it is kept so a
    renamed kidney GCEP still has its non-kidney-sounding curations checked.
    """
    by_panel = expert_panel.isin(KIDNEY_EXPERT_PANELS)
    first = by_panel | mentions_kidney_mask(disease)
    second = mentions_kidney_mask(disease.fillna("") + " " + expert_panel.fillna("")) | (
        disease.fillna("").str.strip().ne("") & ~contains_any_mask(disease, NON_KIDNEY_WORDS)
    )
    return first & second


def _read_table(text: str) -> tuple[list[str], list[tuple[int, list[str]]], str | None]:
    """Header names, numbered data rows, and the release date of the banner."""
    reader = csv.reader(io.StringIO(text))
    release: str | None = None
    header: list[str] | None = None
    for line_number, cells in enumerate(reader, start=1):
        first = cells[0].strip() if cells else ""
        created = _CREATED.search(first)
        if created:
            release = created.group(1)
        if first.upper() == "GENE SYMBOL":
            header = [c.strip().upper() for c in cells]
            break
        if line_number >= _BANNER_SEARCH_LINES:
            break
    if header is None:
        first = next((line for line in text.splitlines() if line.strip()), "")
        raise records.layout_error(
            SOURCE,
            FILE_KEY,
            f"comma-separated, a banner then a header row starting GENE SYMBOL within the first "
            f"{_BANNER_SEARCH_LINES} lines",
            first,
        )
    rows = [
        (reader.line_num, cells)
        for cells in reader
        # the `+++` rules under the header (and blank lines) are layout, not data
        if any(c.strip() for c in cells) and not all(set(c.strip()) <= {"+"} for c in cells)
    ]
    return header, rows, release


def parse(files: RawFiles) -> records.ParsedEvidence:
    """Kidney gene-disease validity curations of ClinGen, one row per curation.

    Rows without a gene symbol, with a classification ClinGen does not define, or with a cell
    count different from the header's are rejects. Release: the "FILE CREATED" date.
    """
    path = records.require_file(files, SOURCE, FILE_KEY)
    header, numbered, release = _read_table(read_text(SOURCE, FILE_KEY, path))
    records.require_columns(SOURCE, FILE_KEY, header, _REQUIRED, delimiter=",")

    rejects: list[records.Reject] = []
    good: list[list[str]] = []
    lines: list[int] = []
    for line, cells in numbered:
        if len(cells) != len(header):
            rejects.append(
                records.Reject(
                    f"{FILE_KEY}:line {line}",
                    f"row has {len(cells)} cells, the header {len(header)}",
                    records.clip(",".join(cells)),
                )
            )
            continue
        good.append([c.strip() for c in cells])
        lines.append(line)
    if not good:
        raise SourceFormatError(
            SOURCE, FILE_KEY, f"no well-formed curation rows ({len(rejects)} malformed)"
        )

    table = pd.DataFrame(good, columns=header, dtype=object)
    frame = pd.DataFrame(
        {
            column: table[name] if name in table.columns else None
            for name, column in _COLUMNS.items()
        },
        index=table.index,
        dtype=object,
    )
    frame["line"] = lines
    kidney = kidney_mask(frame["disease_name"], frame["expert_panel"])
    stats = {"curations": len(frame), "not_kidney": int((~kidney).sum())}
    frame = frame[kidney].copy()

    frame["classification"] = frame["classification"].map(_canonical_classification)
    no_symbol = frame["symbol"].fillna("").eq("")
    unknown = frame["classification"].isna() & ~no_symbol
    for mask, reason in (
        (no_symbol, "curation without a gene symbol"),
        (unknown, "unknown classification"),
    ):
        rejects.extend(
            records.Reject(
                f"{FILE_KEY}:line {line}", reason, records.clip(" | ".join(map(str, values)))
            )
            for line, values in zip(
                frame.loc[mask, "line"],
                table.loc[frame.index[mask]].itertuples(index=False, name=None),
                strict=True,
            )
        )
    frame = frame[~(no_symbol | unknown)]
    frame["kidney_expert_panel"] = frame["expert_panel"].isin(KIDNEY_EXPERT_PANELS)
    frame["reported_hgnc_id"] = frame["reported_hgnc_id"].where(
        frame["reported_hgnc_id"].fillna("").ne(""), None
    )
    rows = frame[list(ROW_COLUMNS)].reset_index(drop=True)
    if rows.empty:
        rows = records.empty_rows(ROW_COLUMNS)
    stats["kidney_curations"] = len(rows)
    return records.ParsedEvidence(SOURCE, rows.astype(object), rejects, release, stats)


def _source_detail(e: dict[str, Any]) -> str:
    curations = aggregation.plural(e["validity_count"], "curation")
    return f"ClinGen: {curations}, max {e['max_classification']}"


def aggregate(rows: pd.DataFrame) -> pd.DataFrame:
    """One ClinGen evidence row per gene.

    `evidence_data`: `classifications` (distinct, strongest first), `max_classification`,
    `validities` (one per curation: disease, MONDO id, classification, MOI, GCEP, date, report),
    `validity_count`, `diseases`, `mondo_ids`, `expert_panels`, `modes_of_inheritance`,
    `reported_symbols`; and upstream's `max_classification_score` (the weight of the strongest
    classification, `CLASSIFICATION_WEIGHT`) and `evidence_score` (that weight times 100).
    """
    genes = aggregation.gene_index(rows)
    classifications, strongest = aggregation.ranked_classifications(
        rows, genes, CLASSIFICATION_RANK
    )
    curations = aggregation.strongest_first(
        rows, CLASSIFICATION_RANK, ["disease_name", "mode_of_inheritance"]
    ).drop_duplicates(["hgnc_id", "submission_id", "disease_name", "mode_of_inheritance"])
    validities = aggregation.record_lists(
        curations,
        genes,
        [
            "disease_name",
            "mondo_id",
            "classification",
            "mode_of_inheritance",
            "expert_panel",
            "classification_date",
            "submission_id",
        ],
    )
    scores = aggregation.max_weights(classifications, CLASSIFICATION_WEIGHT)
    evidence = aggregation.per_gene(
        classifications=classifications,
        max_classification=strongest,
        max_classification_score=scores,
        evidence_score=[round(score * 100, 6) for score in scores],
        validities=validities,
        validity_count=[len(v) for v in validities],
        diseases=aggregation.value_lists(rows, genes, "disease_name"),
        mondo_ids=aggregation.value_lists(rows, genes, "mondo_id"),
        expert_panels=aggregation.value_lists(rows, genes, "expert_panel"),
        modes_of_inheritance=aggregation.value_lists(rows, genes, "mode_of_inheritance"),
        reported_symbols=aggregation.value_lists(rows, genes, "symbol"),
    )
    return aggregation.evidence_frame(genes, evidence, _source_detail)


def read_release(files: RawFiles) -> str | None:
    """The banner's "FILE CREATED" date."""
    return records.release_in_head(files, FILE_KEY, _CREATED_DATE)
