"""Parse the GenCC submissions export: kidney gene-disease submissions and classifications.

Owns reading the export, picking each field by column name (the first non-blank of its
candidate columns), the kidney filter on the disease texts, and the per-gene GenCC evidence
(reference 2.3). Two layouts exist and both are read: the current export
(`download/action/submissions-export-tsv?format=new`: 31 unquoted tab-separated columns from
`sgc_id`, the submission id, and `version_number`) and the legacy one (no `format`: 30 columns
from `uuid`, every value quoted), which GenCC announced as deprecated after 2026-09-30. The
header tells them apart; a comma-separated export is accepted too.

Decisions against upstream: per submission only the fields the evidence uses are kept (upstream
stored the whole spreadsheet row in JSONB); `classifications` are ordered strongest first with
`max_classification` the strongest; the kidney keywords are the shared ones of
`kg_pipeline.sources.keywords`. Like upstream, a classification outside the weight table (GenCC's
"Animal Model Only", or a title GenCC adds later) is kept and weighs 0 in the scoring; such rows
are counted in `flagged` so the load's check names them.
"""

from __future__ import annotations

import csv
from typing import Any, Final

import pandas as pd

from kg_pipeline.raw_files import RawFiles, read_text
from kg_pipeline.sources import aggregation, records
from kg_pipeline.sources.gencc.upstream import GENCC
from kg_pipeline.sources.keywords import mentions_kidney_mask

SOURCE: Final = "GenCC"
FILE_KEY: Final = GENCC.keys()[0]

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
"""The GenCC classification titles upstream's weight table scores, strongest highest. Any other
title weighs 0 and ranks below all of these."""

CLASSIFICATION_WEIGHT: Final[dict[str, float]] = {
    "Definitive": 1.0,
    "Strong": 0.8,
    "Moderate": 0.6,
    "Supportive": 0.5,
    "Limited": 0.3,
    "Disputed Evidence": 0.1,
    "Refuted Evidence": 0.0,
    "No Known Disease Relationship": 0.0,
}
"""Upstream's configured GenCC weights, for its `evidence_score` key (our scoring view has its
own weights and reads `classifications`)."""

ANIMAL_MODEL_ONLY: Final = "Animal Model Only"
"""A real GenCC classification that the weight table leaves out (weight 0)."""

_CANONICAL: Final[dict[str, str]] = {
    **{name.lower(): name for name in (*CLASSIFICATION_RANK, ANIMAL_MODEL_ONLY)},
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
    "submission_id": ("sgc_id", "uuid"),
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


def read_export(text: str) -> pd.DataFrame:
    """The export as text cells with lower-case column names, whichever layout: the new TSV
    quotes nothing, so a quote in a note is a plain character there; the legacy TSV and any
    CSV are read with quoting."""
    first_line = text.split("\n", 1)[0]
    separator = "\t" if "\t" in first_line else ","
    quoted = separator == "," or first_line.lstrip().startswith('"')
    table = records.read_table(
        SOURCE,
        FILE_KEY,
        text.encode("utf-8"),  # pandas reads UTF-8 bytes faster than a str
        sep=separator,
        quoting=csv.QUOTE_MINIMAL if quoted else csv.QUOTE_NONE,
    )
    table.columns = [str(c).strip().lower() for c in table.columns]
    return table


def _short_rows(text: str, table: pd.DataFrame) -> pd.Series:
    """Rows with fewer cells than the header (a junk line): rejects, not non-kidney rows.
    Counted on the lines of the unquoted export, where a tab always separates cells; the
    quoted legacy export relies on pandas' missing cells."""
    lines = [line for line in text.splitlines()[1:] if line.strip()]
    first_line = text.split("\n", 1)[0]
    if "\t" in first_line and not first_line.lstrip().startswith('"') and len(lines) == len(table):
        cells = pd.Series([line.count("\t") + 1 for line in lines], index=table.index)
        return cells < len(table.columns)
    return table.isna().any(axis=1)


def _classification_titles(values: pd.Series) -> pd.Series:
    """GenCC's spelling of each classification title; a title it does not list is kept as
    given (blanks become "")."""
    titles = values.map(lambda v: " ".join(v.split()) if isinstance(v, str) else "")
    canonical = titles.str.lower().map(_CANONICAL)
    return canonical.where(canonical.notna(), titles)


def parse(files: RawFiles) -> records.ParsedEvidence:
    """Kidney-related GenCC submissions, one row per submission.

    A submission is kidney-related when one of its disease texts contains a kidney keyword.
    Kidney submissions without a gene symbol or without a classification are rejects; those
    whose classification is outside the weight table are kept and counted in `flagged` per
    title. Release: the latest `submitted_run_date`.
    """
    path = records.require_file(files, SOURCE, FILE_KEY)
    text = read_text(SOURCE, FILE_KEY, path)
    table = read_export(text)
    for field in _REQUIRED_FIELDS:
        if not any(c in table.columns for c in FIELD_COLUMNS[field]):
            raise records.layout_error(
                SOURCE,
                FILE_KEY,
                f"the new (tab-separated, sgc_id first) or legacy export, with a column for "
                f"{field}: one of {', '.join(FIELD_COLUMNS[field])}",
                "\t".join(table.columns),
            )
    short = _short_rows(text, table)
    short_rejects = [
        records.Reject(
            f"{FILE_KEY}:row {index + 2}",  # +1 header, +1 one-based
            "row has fewer cells than the header",
            records.clip(" | ".join(table.loc[index].dropna().astype(str))),
        )
        for index in table.index[short]
    ]
    table = table[~short]

    text_columns = [c for c in DISEASE_TEXT_COLUMNS if c in table.columns]
    text_columns += [c for c in table.columns if "description" in c and c not in text_columns]
    disease_text = table[text_columns[0]].str.cat([table[c] for c in text_columns[1:]], sep=" | ")
    kidney = mentions_kidney_mask(disease_text)
    stats = {"submissions": len(table), "not_kidney": int((~kidney).sum())}
    # The fields of the kidney rows only: a few percent of the export.
    kidney_table = table[kidney]
    frame = pd.DataFrame(
        {field: _first_present(kidney_table, columns) for field, columns in FIELD_COLUMNS.items()},
        index=kidney_table.index,
    )

    frame["classification"] = _classification_titles(frame["classification"])
    no_symbol = frame["symbol"].isna()
    no_classification = frame["classification"].eq("") & ~no_symbol
    rejects: list[records.Reject] = short_rejects
    for mask, reason in (
        (no_symbol, "submission without a gene symbol"),
        (no_classification, "submission without a classification"),
    ):
        for index in frame.index[mask]:
            rejects.append(
                records.Reject(
                    f"{FILE_KEY}:row {index + 2}",  # +1 header, +1 one-based
                    reason,
                    records.clip(" | ".join(table.loc[index].astype(str))),
                )
            )
    frame = frame[~(no_symbol | no_classification)]
    rows = frame[list(ROW_COLUMNS)].reset_index(drop=True)
    if rows.empty:
        rows = records.empty_rows(ROW_COLUMNS)
    stats["kidney_submissions"] = len(rows)
    unweighted = rows["classification"][~rows["classification"].isin(CLASSIFICATION_RANK)]
    flagged = {
        f"classification '{title}' kept at weight 0": int(count)
        for title, count in unweighted.value_counts().sort_index().items()
    }

    run_dates = table["submitted_run_date"] if "submitted_run_date" in table.columns else None
    release = None
    if run_dates is not None and run_dates.str.strip().ne("").any():
        release = str(run_dates[run_dates.str.strip().ne("")].max()).strip()[:10]
    return records.ParsedEvidence(
        SOURCE, rows.astype(object), rejects, release, stats, flagged=flagged
    )


def _source_detail(e: dict[str, Any]) -> str:
    submissions = aggregation.plural(e["submission_count"], "submission")
    submitters = aggregation.plural(e["submitter_count"], "submitter")
    return f"GenCC: {submissions} from {submitters} ({', '.join(e['classifications'][:2])})"


def aggregate(rows: pd.DataFrame) -> pd.DataFrame:
    """One GenCC evidence row per gene.

    `evidence_data`: `classifications` (distinct, strongest first, titles outside the weight
    table last; the scoring takes the maximum weight, 0 for those), `max_classification`,
    `submissions` (disease, curie, classification, MOI, submitter, date, id: `sgc_id`, or
    `uuid` in the legacy export), `submission_count`, `diseases`, `submitters`,
    `submitter_count`, `modes_of_inheritance`, `reported_symbols`; and for upstream's readers
    `evidence_score` (the highest `CLASSIFICATION_WEIGHT` of the gene's classifications, 0 to
    1), `disease_id` and `disease_title` (the CURIE and title of the gene's first submission
    in the order above: its strongest classification).
    """
    genes = aggregation.gene_index(rows)
    # Titles outside the weight table rank below every title in it.
    rank = {**dict.fromkeys(rows["classification"].unique(), -1), **CLASSIFICATION_RANK}
    classifications, strongest = aggregation.ranked_classifications(rows, genes, rank)
    submissions = aggregation.record_lists(
        aggregation.strongest_first(rows, rank, ["disease_name", "submitter"]),
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
    # Upstream's GenCC view shows one disease per gene; its writer never filled the keys, so the
    # disease of the strongest submission is our choice.
    first = [s[0] if s else {} for s in submissions]
    evidence = aggregation.per_gene(
        classifications=classifications,
        max_classification=strongest,
        evidence_score=aggregation.max_weights(classifications, CLASSIFICATION_WEIGHT),
        disease_id=[s.get("disease_curie") for s in first],
        disease_title=[s.get("disease_name") for s in first],
        submissions=submissions,
        submission_count=[len(s) for s in submissions],
        diseases=aggregation.value_lists(rows, genes, "disease_name"),
        submitters=submitters,
        submitter_count=[len(s) for s in submitters],
        modes_of_inheritance=aggregation.value_lists(rows, genes, "mode_of_inheritance"),
        reported_symbols=aggregation.value_lists(rows, genes, "symbol"),
    )
    return aggregation.evidence_frame(genes, evidence, _source_detail)
