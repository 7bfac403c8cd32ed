"""The `gtex` annotation: median expression (TPM) per tissue from GTEx v8.

Owns reading the GCT 1.2 median-TPM matrix (`#1.2`, a `<rows> <columns>` dimensions line, then
`Name Description <tissue ...>`), streamed line by line from the gzipped file, and the tissue
ids: upstream first stored GTEx's human-readable names, later the API-style ids; here the ids
are derived from the names by one rule (`tissue_id`). Rows match our genes by Ensembl id (the
`Name` without its version suffix) and fall back to the `Description` symbol.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, NamedTuple

import pandas as pd

from kg_pipeline.raw_files import RawFiles, SourceFormatError, read_once
from kg_pipeline.sources import annotations, records
from kg_pipeline.sources.gtex.upstream import GTEX

SOURCE: Final = "gtex"
FILE_KEY: Final = GTEX.keys()[0]
RELEASE: Final = GTEX.release or "v8"
DATASET_VERSION: Final = f"gtex_{RELEASE}"

KIDNEY_CORTEX: Final = "Kidney_Cortex"
KIDNEY_MEDULLA: Final = "Kidney_Medulla"
GCT_VERSION_LINE: Final = "#1.2"
UNIT: Final = "TPM"


def tissue_id(name: str) -> str:
    """GTEx's API-style tissue id of a tissue name.

    `Kidney - Cortex` -> `Kidney_Cortex`; `Adipose - Visceral (Omentum)` ->
    `Adipose_Visceral_Omentum`: " - " and spaces become "_", parentheses go, runs of "_"
    collapse and no "_" is left at either end.
    """
    text = name.strip().replace(" - ", "_").replace("(", "").replace(")", "")
    text = re.sub(r"\s+", "_", text)
    return re.sub(r"_+", "_", text).strip("_")


_DIMENSIONS: Final = "a dimensions line `<genes> <tissues>`"


def _dimensions(key: str, line: str) -> tuple[int, int]:
    parts = line.split()
    if len(parts) < 2 or not all(p.isdigit() for p in parts[:2]):
        raise records.layout_error(SOURCE, key, f"GCT 1.2, line 2 {_DIMENSIONS}", line)
    return int(parts[0]), int(parts[1])


class _GeneRow(NamedTuple):
    """A gene row of the matrix: its ids, and the line holding its TPMs."""

    number: int
    gencode_id: str
    symbol: str
    line: str


@dataclass(frozen=True)
class Matrix:
    """The GCT matrix read without our genes: the tissue ids, the gene rows in file order, and
    what the read counted and rejected."""

    tissues: tuple[str, ...]
    rows: tuple[_GeneRow, ...]
    log: annotations.ReadLog


@read_once
def read_matrix(path: Path, file_key: str = FILE_KEY) -> Matrix:
    """The gene rows of the GCT 1.2 matrix (values not read yet). Shared by the raw check and
    the load of a run (`read_once`): neither changes it. A row with a wrong number of cells is
    rejected. When the file holds fewer gene rows than its dimensions line declares, it is
    truncated: `SourceFormatError`."""
    collector = annotations.AnnotationCollector(SOURCE, annotations.NO_GENE_INDEX)
    lines = annotations.iter_lines(SOURCE, file_key, path)

    first = next(lines, (1, ""))[1].strip()
    if first != GCT_VERSION_LINE:
        raise records.layout_error(
            SOURCE, file_key, f"GCT 1.2: a first line {GCT_VERSION_LINE}, then {_DIMENSIONS}", first
        )
    n_rows, n_tissues = _dimensions(file_key, next(lines, (2, ""))[1])
    header_line = next(lines, (3, ""))[1]
    header = [annotations.normalise_header(h) for h in header_line.split("\t")]
    if header[:2] != ["Name", "Description"] or len(header) != n_tissues + 2:
        raise records.layout_error(
            SOURCE,
            file_key,
            f"GCT 1.2, a tab-separated header Name, Description and the {n_tissues} tissues "
            f"line 2 declares (found {len(header)} columns)",
            header_line,
        )
    rows: list[_GeneRow] = []
    for number, cells, line in collector.tab_rows(lines, file_key, cells=len(header)):
        collector.item()
        rows.append(_GeneRow(number, cells[0].strip(), cells[1].strip(), line))

    rows_seen = collector.stats["rows_read"]
    if rows_seen < n_rows:
        raise SourceFormatError(
            SOURCE,
            file_key,
            f"the dimensions line declares {n_rows} genes but the file holds {rows_seen} "
            "(truncated download?)",
        )
    return Matrix(tuple(tissue_id(name) for name in header[2:]), tuple(rows), collector.log())


def annotate(
    files: RawFiles, genes: pd.DataFrame, *, file_key: str = FILE_KEY, **_: Any
) -> annotations.ParsedAnnotations:
    """Median TPM in every tissue for each of our genes, with the kidney tissues highlighted.

    Annotation: `tissues` ({tissue id: {"median_tpm": median TPM, "unit": "TPM"}}, upstream's
    shape), `kidney_cortex_tpm`, `kidney_medulla_tpm`,
    `gencode_id` (the versioned `Name`), `gene_symbol`, `dataset_version` ("gtex_v8"). A row
    with a wrong number of cells or a non-numeric TPM is rejected. When the file holds fewer
    gene rows than its dimensions line declares, it is truncated: `SourceFormatError`.
    """
    path = records.require_file(files, SOURCE, file_key)
    matrix = read_matrix(path, file_key)
    tissues = matrix.tissues
    collector = annotations.AnnotationCollector(SOURCE, annotations.GeneIndex(genes))

    replay = annotations.LogReplay(collector, matrix.log)
    for item, (number, gencode_id, symbol, line) in enumerate(matrix.rows):
        replay.until(item)
        match = collector.index.match(ensembl_id=gencode_id or None, symbol=symbol)
        if match is None:
            collector.unmatched()
            continue
        try:
            values = annotations.parse_floats(line.split("\t")[2:])
        except ValueError:
            collector.reject(f"{file_key}:{number}", "non-numeric TPM value", line)
            continue
        expression = {t: v for t, v in zip(tissues, values, strict=True) if v is not None}
        record: dict[str, Any] = {
            # Upstream's shape: tissue id -> {median_tpm, unit}, as GTEx's API answers.
            "tissues": {t: {"median_tpm": v, "unit": UNIT} for t, v in expression.items()},
            "gencode_id": gencode_id,
            "gene_symbol": symbol,
            "dataset_version": DATASET_VERSION,
            "unit": UNIT,
        }
        if KIDNEY_CORTEX in expression:
            record["kidney_cortex_tpm"] = expression[KIDNEY_CORTEX]
        if KIDNEY_MEDULLA in expression:
            record["kidney_medulla_tpm"] = expression[KIDNEY_MEDULLA]
        # GTEx lists pseudo-autosomal genes twice (`…_PAR_Y` copies, all zero); keep the X copy.
        collector.offer(match, record, tie_break=("_PAR_Y" in gencode_id,))
    replay.finish()
    return collector.finish(RELEASE, extra_stats={"tissues": len(tissues)})
