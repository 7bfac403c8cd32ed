"""The `gnomad` annotation: gene constraint (pLI, LOEUF, z-scores) from gnomAD's constraint TSV.

Owns reading gnomAD's per-transcript constraint table by column NAME, for both naming schemes:
v4.1 (`gnomad.v4.1.constraint_metrics.tsv`: `lof.pLI`, `lof.oe_ci.upper`, `mis.z_score`, ...,
one row per transcript with `canonical` / `mane_select` flags) and v2.1.1
(`lof_metrics.by_gene`: `pLI`, `oe_lof_upper`, `mis_z`, ..., already one row per gene). One
transcript per gene is kept: MANE Select first, then the canonical one, Ensembl before RefSeq.

Values are stored exactly as the file writes them (the float of the text); `NA`/blank cells
are left out. The pLI key is `pli` and is filled from `lof.pLI` or `pLI`: upstream's summary
view read `pLI` from a dict that stored `pli`, so its pLI column was always empty.
"""

from __future__ import annotations

from typing import Any, Final

import pandas as pd

from kg_pipeline.raw_files import RawFiles, SourceFormatError
from kg_pipeline.sources import annotations, records
from kg_pipeline.sources.gnomad.upstream import GNOMAD

SOURCE: Final = "gnomad"
FILE_KEY: Final = GNOMAD.keys()[0]

METRIC_COLUMNS: Final[dict[str, tuple[str, str]]] = {
    "pli": ("lof.pLI", "pLI"),
    "oe_lof": ("lof.oe", "oe_lof"),
    "oe_lof_lower": ("lof.oe_ci.lower", "oe_lof_lower"),
    "oe_lof_upper": ("lof.oe_ci.upper", "oe_lof_upper"),
    "lof_z": ("lof.z_score", "lof_z"),
    "mis_z": ("mis.z_score", "mis_z"),
    "syn_z": ("syn.z_score", "syn_z"),
    "oe_mis": ("mis.oe", "oe_mis"),
    "oe_syn": ("syn.oe", "oe_syn"),
}
"""Annotation key -> (v4.1 column, v2.1.1 column)."""

V4: Final = 0
V2: Final = 1
DEFAULT_RELEASE: Final[tuple[str, str]] = (GNOMAD.release or "v4.1", "v2.1.1")
"""The release a header's naming scheme implies when the caller does not say."""

ID_COLUMNS: Final[tuple[str, ...]] = ("gene", "transcript")
_TRUE: Final = frozenset({"true", "t", "1", "yes"})


def _scheme(key: str, header: list[str]) -> int:
    names = {annotations.normalise_header(h) for h in header}
    for scheme in (V4, V2):
        if all(cols[scheme] in names for cols in METRIC_COLUMNS.values()):
            return scheme
    raise SourceFormatError(
        SOURCE,
        key,
        "the header has neither the v4.1 constraint columns (lof.pLI, lof.oe, ...) nor the "
        "v2.1.1 ones (pLI, oe_lof, ...)",
    )


def annotate(
    files: RawFiles,
    genes: pd.DataFrame,
    *,
    file_key: str = FILE_KEY,
    release: str | None = None,
    **_: Any,
) -> annotations.ParsedAnnotations:
    """Constraint metrics of one transcript per gene, streamed from the constraint TSV.

    Rows match our genes by `gene_id` (an Ensembl gene id, or the Entrez id gnomAD v4.1 gives
    RefSeq transcripts), else by the `gene` symbol. Rows of a file with `canonical` /
    `mane_select` columns that are neither are skipped; a row without any metric value is
    skipped; a row with a non-numeric metric or a wrong number of cells is rejected.
    `release` overrides the release read off the naming scheme (v4.1 or v2.1.1).
    """
    path = records.require_file(files, SOURCE, file_key)
    collector = annotations.AnnotationCollector(SOURCE, annotations.GeneIndex(genes))
    lines = annotations.iter_lines(SOURCE, file_key, path)

    header_line = next(lines, None)
    if header_line is None:
        raise SourceFormatError(SOURCE, file_key, "the file is empty")
    header = header_line[1].split("\t")
    scheme = _scheme(file_key, header)
    pos = annotations.column_positions(SOURCE, file_key, header, ID_COLUMNS)
    metric_pos = {k: pos[cols[scheme]] for k, cols in METRIC_COLUMNS.items()}
    canonical_pos = pos.get("canonical")
    mane_pos = pos.get("mane_select")
    gene_id_pos = pos.get("gene_id")
    by_flags = canonical_pos is not None or mane_pos is not None
    version = release or DEFAULT_RELEASE[scheme]

    # gnomAD never quotes cells: a plain split is exact, and a stray quote cannot swallow rows.
    for number, cells, line in collector.tab_rows(lines, file_key, cells=len(header)):
        is_mane = mane_pos is not None and cells[mane_pos].strip().lower() in _TRUE
        is_canonical = canonical_pos is not None and cells[canonical_pos].strip().lower() in _TRUE
        if by_flags and not (is_mane or is_canonical):
            collector.skip("not_canonical_or_mane")
            continue

        symbol = cells[pos["gene"]].strip()
        file_gene_id = cells[gene_id_pos].strip() if gene_id_pos is not None else ""
        match = collector.index.match(
            ensembl_id=file_gene_id if file_gene_id.startswith("ENSG") else None,
            entrez_id=file_gene_id if file_gene_id.isdigit() else None,
            symbol=symbol,
        )
        if match is None:
            collector.unmatched()
            continue

        record: dict[str, Any] = {}
        try:
            for key, i in metric_pos.items():
                value = annotations.parse_float(cells[i])
                if value is not None:
                    record[key] = value
        except ValueError:
            collector.reject(
                f"{file_key}:{number}", "non-numeric constraint value", f"{symbol}: {line}"
            )
            continue
        if not record:
            collector.skip("no_constraint_values")
            continue
        transcript = cells[pos["transcript"]].strip()
        record.update(
            transcript=transcript,
            gene_symbol=symbol,
            source_version=f"gnomad_{version}",
        )
        if by_flags:
            record.update(mane_select=is_mane, canonical=is_canonical)
        collector.offer(
            match,
            record,
            # MANE Select first, then canonical; Ensembl transcripts before RefSeq ones.
            tie_break=(not is_mane, not is_canonical, not transcript.startswith("ENST")),
        )
    return collector.finish(version)
