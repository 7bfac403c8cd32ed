"""Parse the GenCC submissions export: kidney gene-disease submissions and classifications.

Owns reading the export (`gencc/download/action/submissions-export-tsv`: 30 quoted,
tab-separated columns; a comma-separated export is accepted too), picking each field from the
first non-blank of its candidate columns, the kidney filter on the disease texts, and the
per-gene GenCC evidence (reference 2.3).

Decisions against upstream: per submission only the fields the evidence uses are kept (upstream
stored the whole spreadsheet row in JSONB); `classifications` are ordered strongest first with
`max_classification` the strongest; the kidney keywords are the shared ones of
`kg_pipeline.sources.keywords`.
"""

from __future__ import annotations

from typing import Any, Final

import pandas as pd

from kg_pipeline.raw_files import RawFiles, SourceFormatError, read_text
from kg_pipeline.sources import aggregation, records
from kg_pipeline.sources.keywords import mentions_kidney_mask

SOURCE: Final = "GenCC"
FILE_KEY: Final = "gencc/download/action/submissions-export-tsv"

CLASSIFICATION_RANK: Final[dict[str, int]] = {
    "Definitive": 7,
    "Strong": 6,
    "Moderate": 5,
    "Supportive": 4,
    "Limited": 3,
    "Disputed Evidence": 2,
    "Refuted Evidence": 1,
    "No Known Disease Relationship": 0,
}
"""GenCC classification titles, strongest highest."""

_CANONICAL: Final[dict[str, str]] = {
    **{name.lower(): name for name in CLASSIFICATION_RANK},
    "disputed": "Disputed Evidence",
    "refuted": "Refuted Evidence",
}

# Each row field is the first non-blank of these columns (the export has renamed some).
FIELD_COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "symbol": ("gene_symbol", "submitted_as_hgnc_symbol", "hgnc_symbol", "symbol"),
    "reported_hgnc_id": ("gene_curie", "submitted_as_hgnc_id", "hgnc_id"),
    "disease_name": (
        "disease_title",
        "disease_original_title",
        "submitted_as_disease_name",
        "disease_name",
    ),
    "disease_curie": ("disease_curie", "disease_original_curie", "submitted_as_disease_id"),
    "classification": ("classification_title", "submitted_as_classification_name"),
    "mode_of_inheritance": ("moi_title", "submitted_as_moi_name"),
    "submitter": ("submitter_title", "submitted_as_submitter_name"),
    "submitted_date": ("submitted_as_date", "submitted_run_date"),
    "submission_id": ("uuid", "submitted_as_submission_id"),
}
_REQUIRED_FIELDS: Final = ("symbol", "classification", "disease_name")

DISEASE_TEXT_COLUMNS: Final[tuple[str, ...]] = (
    "disease_title",
    "disease_original_title",
    "submitted_as_disease_name",
    "disease_name",
    "condition",
    "disease",
    "phenotype",
    "disorder",
)
"""Texts searched for kidney keywords, with any column whose name contains "description"."""

ROW_COLUMNS: Final[tuple[str, ...]] = tuple(FIELD_COLUMNS)


def _first_present(table: pd.DataFrame, columns: tuple[str, ...]) -> pd.Series:
    """Row-wise first non-blank value among `columns` (None when all are blank or absent)."""
    result = pd.Series(None, index=table.index, dtype=object)
    for column in reversed([c for c in columns if c in table.columns]):
        values = table[column].astype(object)
        result = values.where(values.str.strip().ne(""), result)
    return result


def _read_table(text: str) -> pd.DataFrame:
    first_line = text.split("\n", 1)[0]
    separator = "\t" if "\t" in first_line else ","
    table = records.read_table(SOURCE, FILE_KEY, text, sep=separator)
    table.columns = [str(c).strip().lower() for c in table.columns]
    return table


def parse(files: RawFiles) -> records.ParsedEvidence:
    """Kidney-related GenCC submissions, one row per submission.

    A submission is kidney-related when one of its disease texts contains a kidney keyword.
    Kidney submissions without a gene symbol or with an unknown classification are rejects.
    Release: the latest `submitted_run_date`.
    """
    path = records.require_file(files, SOURCE, FILE_KEY)
    table = _read_table(read_text(SOURCE, FILE_KEY, path))
    for field in _REQUIRED_FIELDS:
        if not any(c in table.columns for c in FIELD_COLUMNS[field]):
            raise SourceFormatError(
                SOURCE,
                FILE_KEY,
                f"no column for {field} (expected one of {', '.join(FIELD_COLUMNS[field])})",
            )
    frame = pd.DataFrame(
        {field: _first_present(table, columns) for field, columns in FIELD_COLUMNS.items()},
        index=table.index,
    )

    text_columns = [c for c in DISEASE_TEXT_COLUMNS if c in table.columns]
    text_columns += [c for c in table.columns if "description" in c and c not in text_columns]
    disease_text = table[text_columns[0]].str.cat([table[c] for c in text_columns[1:]], sep=" | ")
    kidney = mentions_kidney_mask(disease_text)
    stats = {"submissions": len(frame), "not_kidney": int((~kidney).sum())}
    frame = frame[kidney].copy()

    frame["classification"] = frame["classification"].map(
        lambda v: _CANONICAL.get(str(v).strip().lower()) if isinstance(v, str) else None
    )
    no_symbol = frame["symbol"].isna()
    unknown = frame["classification"].isna() & ~no_symbol
    rejects: list[records.Reject] = []
    for mask, reason in (
        (no_symbol, "submission without a gene symbol"),
        (unknown, "unknown classification"),
    ):
        for index in frame.index[mask]:
            rejects.append(
                records.Reject(
                    f"{FILE_KEY}:row {index + 2}",  # +1 header, +1 one-based
                    reason,
                    records.clip(" | ".join(table.loc[index].astype(str))),
                )
            )
    frame = frame[~(no_symbol | unknown)]
    rows = frame[list(ROW_COLUMNS)].reset_index(drop=True)
    if rows.empty:
        rows = records.empty_rows(ROW_COLUMNS)
    stats["kidney_submissions"] = len(rows)

    run_dates = table["submitted_run_date"] if "submitted_run_date" in table.columns else None
    release = None
    if run_dates is not None and run_dates.str.strip().ne("").any():
        release = str(run_dates[run_dates.str.strip().ne("")].max()).strip()[:10]
    return records.ParsedEvidence(SOURCE, rows.astype(object), rejects, release, stats)


def _source_detail(e: dict[str, Any]) -> str:
    submissions = aggregation.plural(e["submission_count"], "submission")
    submitters = aggregation.plural(e["submitter_count"], "submitter")
    return f"GenCC: {submissions} from {submitters} ({', '.join(e['classifications'][:2])})"


def aggregate(rows: pd.DataFrame) -> pd.DataFrame:
    """One GenCC evidence row per gene.

    `evidence_data`: `classifications` (distinct, strongest first; the scoring takes the
    maximum), `max_classification`, `submissions` (disease, curie, classification, MOI,
    submitter, date, id), `submission_count`, `diseases`, `submitters`, `submitter_count`,
    `modes_of_inheritance`, `reported_symbols`.
    """
    genes = aggregation.gene_index(rows)
    classifications, strongest = aggregation.ranked_classifications(
        rows, genes, CLASSIFICATION_RANK
    )
    submissions = aggregation.record_lists(
        aggregation.strongest_first(rows, CLASSIFICATION_RANK, ["disease_name", "submitter"]),
        genes,
        [
            "disease_name",
            "disease_curie",
            "classification",
            "mode_of_inheritance",
            "submitter",
            "submitted_date",
            "submission_id",
        ],
    )
    submitters = aggregation.value_lists(rows, genes, "submitter")
    evidence = aggregation.per_gene(
        classifications=classifications,
        max_classification=strongest,
        submissions=submissions,
        submission_count=[len(s) for s in submissions],
        diseases=aggregation.value_lists(rows, genes, "disease_name"),
        submitters=submitters,
        submitter_count=[len(s) for s in submitters],
        modes_of_inheritance=aggregation.value_lists(rows, genes, "mode_of_inheritance"),
        reported_symbols=aggregation.value_lists(rows, genes, "symbol"),
    )
    return aggregation.evidence_frame(genes, evidence, _source_detail)
