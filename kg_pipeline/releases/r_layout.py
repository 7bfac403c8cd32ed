"""The merged gene list in the R predecessor's layout (`A_MergeAnalysesSources.<date>.csv.gz`).

Columns `approved_symbol, hgnc_id, source_count_percentile, evidence_count, list_count,
01_PanelApp, 02_Literature, 03_DiagnosticPanels, 04_HPO, 05_PubTator`, from our evidence with
the R pipeline's own rules, checked against its published per-source tables of 2024-05-14:

* a gene is listed when one of the five R sources has it (ClinGen and GenCC, which R did not
  have, add no row);
* per source, `source_count` is what our scoring counts (panels, publications, terms), its
  percentile R's `rank(source_count) / n` among the source's genes (ties averaged), and its
  flag R's `source_evidence`: PanelApp at least 1 green/amber kidney panel (we keep green genes
  only, so every PanelApp gene), Literature 2 publications, DiagnosticPanels 2 panels, HPO 1
  kidney term, PubTator 3 publications;
* `source_count_percentile` sums the percentiles over the gene's sources, `evidence_count`
  counts its TRUE flags, `list_count` its sources; a source without the gene is `NULL`;
* `hgnc_id` is the bare number, as R writes it; rows by symbol.

Written as R's `write_csv(na = "NULL")` writes: header, unquoted unless a value needs quotes,
`TRUE`/`FALSE`, whole numbers without a decimal point, other numbers in the shortest form that
reads back exactly.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
from typing import Final

import pandas as pd

from kg_pipeline.releases.tables import Field, Table

R_SOURCES: Final[tuple[tuple[str, str, int], ...]] = (
    ("01_PanelApp", "PanelApp", 1),
    ("02_Literature", "Literature", 2),
    ("03_DiagnosticPanels", "DiagnosticPanels", 2),
    ("04_HPO", "HPO", 1),
    ("05_PubTator", "PubTator", 3),
)
"""R's column, our evidence source, and the count from which R's flag is TRUE."""

R_TABLE: Final = Table(
    "r_merged_gene_list",
    "Merged gene list in the R predecessor's layout (A_MergeAnalysesSources)",
    (
        Field("approved_symbol", "string", "HGNC approved symbol"),
        Field("hgnc_id", "integer", "HGNC id without its HGNC: prefix"),
        Field("source_count_percentile", "number", "sum of the per-source count percentiles"),
        Field("evidence_count", "integer", "sources whose flag is TRUE"),
        Field("list_count", "integer", "sources listing the gene"),
        *(Field(column, "boolean", f"{name}: count >= {n}") for column, name, n in R_SOURCES),
    ),
    ("hgnc_id",),
)


def file_name(release_date: dt.date) -> str:
    return f"A_MergeAnalysesSources.{release_date.isoformat()}.csv.gz"


def merged_gene_list(evidence: pd.DataFrame) -> pd.DataFrame:
    """R's merged list from a release's evidence table (`hgnc_id, approved_symbol,
    source_name, source_count` are read)."""
    columns = {name: column for column, name, _ in R_SOURCES}
    minimum = {name: n for _, name, n in R_SOURCES}
    rows = evidence[evidence["source_name"].isin(columns)].copy()
    rows["source_count"] = rows["source_count"].fillna(0).astype(int)
    rows["percentile"] = rows.groupby("source_name")["source_count"].rank(method="average") / (
        rows.groupby("source_name")["source_count"].transform("size")
    )
    rows["flag"] = rows["source_count"] >= rows["source_name"].map(minimum)
    merged = rows.groupby(["hgnc_id", "approved_symbol"]).agg(
        source_count_percentile=("percentile", "sum"),
        evidence_count=("flag", "sum"),
        list_count=("source_name", "size"),
    )
    flags = rows.pivot(index="hgnc_id", columns="source_name", values="flag")
    merged = merged.reset_index().join(flags, on="hgnc_id")
    merged["hgnc_id"] = merged["hgnc_id"].str.removeprefix("HGNC:").astype(int)
    merged = merged.rename(columns=columns)
    for column, _, _ in R_SOURCES:
        if column not in merged:
            merged[column] = None
    merged = merged.sort_values(["approved_symbol", "hgnc_id"])
    return merged[[f.name for f in R_TABLE.fields]].reset_index(drop=True)


def _r_value(value: object) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def r_csv_gz(merged: pd.DataFrame) -> bytes:
    """The file's bytes: gzip without a name or time in its header, so the same list gives the
    same bytes."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(merged.columns)
    for row in merged.itertuples(index=False):
        writer.writerow([_r_value(v.item() if hasattr(v, "item") else v) for v in row])
    return gzip.compress(text.getvalue().encode(), mtime=0)
