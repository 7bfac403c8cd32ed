"""The `descartes` annotation: fetal kidney expression from the Descartes human atlas.

Owns reading Descartes' two kidney tables, each a headerless `GENE,value` CSV: TPM
(`tissue_tpm/kidney.csv`) and the percentage of cells expressing the gene
(`tissue_percentage/kidney.csv`). The tables name genes by symbol only, so rows match our
genes by approved symbol (case-insensitive). Upstream's loader returned nothing, silently, when
the host refused the download; here a missing or unreadable table stops the load.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, NamedTuple

import pandas as pd

from kg_pipeline.raw_files import RawFiles, read_once
from kg_pipeline.sources import annotations, records
from kg_pipeline.sources.descartes.upstream import DESCARTES

SOURCE: Final = "descartes"
TPM_KEY, PERCENTAGE_KEY = DESCARTES.keys()
DATASET_VERSION: Final = DESCARTES.release or "human_gtex"

TABLES: Final[dict[str, str]] = {TPM_KEY: "kidney_tpm", PERCENTAGE_KEY: "kidney_percentage"}
"""Raw key -> the annotation key its value fills."""


def _merge(kept: dict[str, Any], new: dict[str, Any]) -> dict[str, Any] | None:
    """The two tables' records of one gene become one; the same value twice is a conflict."""
    if (kept.keys() & new.keys()) - {"gene_symbol", "dataset_version", "cell_type"}:
        return None
    return {**kept, **new}


class _Value(NamedTuple):
    """A table line with a number, or a missing value (None)."""

    symbol: str
    value: float | None


@dataclass(frozen=True)
class Table:
    """One `GENE,value` table read without our genes: its lines with a number or a missing
    value, in file order, and what the read counted and rejected."""

    values: tuple[_Value, ...]
    rows: int
    """Lines read (not blank)."""
    log: annotations.ReadLog


def read_table(path: Path, key: str) -> Table:
    """Every `GENE,value` line of one table.

    A first line whose value is not a number is taken for a header and skipped; any later such
    line, a line without exactly two cells or one holding a NUL byte is rejected.
    """
    collector = annotations.AnnotationCollector(SOURCE, annotations.NO_GENE_INDEX)
    values: list[_Value] = []
    rows = 0
    for number, line in annotations.iter_lines(SOURCE, key, path):
        if not line.strip():
            continue
        rows += 1
        if collector.rejected_nul(f"{key}:{number}", line):
            continue
        # A line has no line break inside (the reader splits at every kind): without a quote,
        # the csv module would split it at the commas, only at many times the cost.
        cells = line.split(",") if '"' not in line else next(csv.reader([line]))
        if len(cells) != 2 or not cells[0].strip():
            collector.reject(f"{key}:{number}", "expected two cells: gene,value", line)
            continue
        try:
            value = annotations.parse_float(cells[1])
        except ValueError:
            if number == 1:
                collector.skip("header_line")
            else:
                collector.reject(f"{key}:{number}", "non-numeric value", line)
            continue
        values.append(_Value(cells[0].strip(), value))
    return Table(tuple(values), rows, collector.log())


_READ_ONCE: Final = {key: read_once(read_table) for key in TABLES}
"""`read_table` of each table, shared by the raw check and the load of a run (neither changes
it); one memo per table, since `read_once` keeps the last read only."""


def offer_table(table: Table, value_key: str, collector: annotations.AnnotationCollector) -> None:
    """Offer every numeric line of a table to `collector` (matched by symbol), after the read's
    counts and rejects."""
    collector.replay(table.log)
    unmatched = 0
    for symbol, value in table.values:
        if value is None:
            collector.skip("missing_value")
            continue
        match = collector.index.match(symbol=symbol)
        if match is None:
            unmatched += 1
            continue
        record = {
            value_key: value,
            "gene_symbol": symbol,
            "cell_type": "kidney",
            "dataset_version": DATASET_VERSION,
        }
        collector.offer(match, record, merge=_merge)
    collector.read(table.rows)
    collector.unmatched(unmatched)


def annotate(files: RawFiles, genes: pd.DataFrame, **_: Any) -> annotations.ParsedAnnotations:
    """Fetal kidney TPM and percentage of expressing cells for each of our genes.

    Annotation: `kidney_tpm` and/or `kidney_percentage` (as the tables write them),
    `gene_symbol`, `cell_type` ("kidney"), `dataset_version` ("human_gtex"). Both tables are
    required; one without any numeric row is not a Descartes table (`SourceFormatError`).
    """
    paths = {key: records.require_file(files, SOURCE, key) for key in TABLES}
    collector = annotations.AnnotationCollector(SOURCE, annotations.GeneIndex(genes))
    extra: dict[str, int] = {}
    for key, value_key in TABLES.items():
        table = _READ_ONCE[key](paths[key], key)
        offer_table(table, value_key, collector)
        if not table.values:
            first = next((line for _, line in annotations.iter_lines(SOURCE, key, paths[key])), "")
            raise records.layout_error(
                SOURCE, key, "comma-separated `gene,value` rows with a number", first
            )
        extra[f"{value_key}_rows"] = table.rows
    return collector.finish(DATASET_VERSION, extra_stats=extra)
