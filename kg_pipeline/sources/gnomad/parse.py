"""The `gnomad` annotation: gene constraint (pLI, LOEUF, z-scores) from gnomAD's constraint TSV.

Owns reading gnomAD's per-transcript constraint table by column NAME, in each naming gnomAD has
published (`NAMINGS`): v4.1 (`gnomad.v4.1.constraint_metrics.tsv`: dotted `lof.pLI`,
`lof.oe_ci.upper`, `mis.z_score`, ..., one row per transcript with `canonical` / `mane_select`
flags; `gene_id` may be absent), v4.1.1 (the same dotted names with `pLI` undotted, plus
`gene_id` and `transcript_version`) and v2.1.1 (`lof_metrics.by_gene`: `pLI`, `oe_lof_upper`,
`mis_z`, ..., already one row per gene). One transcript per gene is kept: MANE Select first,
then the canonical one, Ensembl before RefSeq.

Values are stored exactly as the file writes them (the float of the text); `NA`/blank cells
are left out. The pLI key is `pli` and is filled from `lof.pLI` or `pLI`: upstream's summary
view read `pLI` from a dict that stored `pli`, so its pLI column was always empty.

`genes_on_chrx` counts the annotated genes on chromosome X: COL4A5, OCRL and CLCN5 are X-linked
kidney genes, an upstream note says the v4.1 file lacks X-linked genes, and gnomAD's v4.1.1
release notes say its constraint now covers chromosomes X and Y.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, NamedTuple

import pandas as pd

from kg_pipeline.raw_files import RawFiles, read_once
from kg_pipeline.sources import annotations, records
from kg_pipeline.sources.gnomad.upstream import GNOMAD

SOURCE: Final = "gnomad"
FILE_KEY: Final = GNOMAD.keys()[0]
CHRX_STAT: Final = "genes_on_chrx"
"""The stat counting annotated genes on chromosome X (the registry's check reads it)."""

V41_COLUMNS: Final[tuple[str, ...]] = (
    "gene",
    "gene_id",
    "transcript",
    "canonical",
    "mane_select",
    "lof_hc_lc.obs",
    "lof_hc_lc.exp",
    "lof_hc_lc.possible",
    "lof_hc_lc.oe",
    "lof_hc_lc.mu",
    "lof_hc_lc.pLI",
    "lof_hc_lc.pNull",
    "lof_hc_lc.pRec",
    "lof.obs",
    "lof.exp",
    "lof.possible",
    "lof.oe",
    "lof.mu",
    "lof.pLI",
    "lof.pNull",
    "lof.pRec",
    "lof.oe_ci.lower",
    "lof.oe_ci.upper",
    "lof.oe_ci.upper_rank",
    "lof.oe_ci.upper_bin_decile",
    "lof.z_raw",
    "lof.z_score",
    "mis.obs",
    "mis.exp",
    "mis.possible",
    "mis.oe",
    "mis.mu",
    "mis.oe_ci.lower",
    "mis.oe_ci.upper",
    "mis.z_raw",
    "mis.z_score",
    "mis_pphen.obs",
    "mis_pphen.exp",
    "mis_pphen.possible",
    "mis_pphen.oe",
    "syn.obs",
    "syn.exp",
    "syn.possible",
    "syn.oe",
    "syn.mu",
    "syn.oe_ci.lower",
    "syn.oe_ci.upper",
    "syn.z_raw",
    "syn.z_score",
    "constraint_flags",
    "level",
    "transcript_type",
    "chromosome",
    "cds_length",
    "num_coding_exons",
)
"""The 55 columns of the released `gnomad.v4.1.constraint_metrics.tsv`, in its order: the
header as published with the file (gnomAD's v4 constraint field descriptions list the same
fields except `gene_id` and `mis_pphen.*`; neither gives `lof_hc_lc` z-scores). The parser reads
columns by name and needs none but `ID_COLUMNS` and a naming's metrics; the snapshot generator
writes this header and the parser tests build their v4.1 files from it."""

V4_METRICS: Final[dict[str, str]] = {
    "pli": "lof.pLI",
    "oe_lof": "lof.oe",
    "oe_lof_lower": "lof.oe_ci.lower",
    "oe_lof_upper": "lof.oe_ci.upper",
    "lof_z": "lof.z_score",
    "mis_z": "mis.z_score",
    "syn_z": "syn.z_score",
    "oe_mis": "mis.oe",
    "oe_syn": "syn.oe",
}
"""Annotation key -> v4.1 column."""

V2_METRICS: Final[dict[str, str]] = {
    "pli": "pLI",
    "oe_lof": "oe_lof",
    "oe_lof_lower": "oe_lof_lower",
    "oe_lof_upper": "oe_lof_upper",
    "lof_z": "lof_z",
    "mis_z": "mis_z",
    "syn_z": "syn_z",
    "oe_mis": "oe_mis",
    "oe_syn": "oe_syn",
}
"""Annotation key -> v2.1.1 column."""

V4_COUNTS: Final[dict[str, str]] = {
    "obs_lof": "lof.obs",
    "exp_lof": "lof.exp",
    "obs_mis": "mis.obs",
    "exp_mis": "mis.exp",
    "obs_syn": "syn.obs",
    "exp_syn": "syn.exp",
    "oe_mis_lower": "mis.oe_ci.lower",
    "oe_mis_upper": "mis.oe_ci.upper",
    "oe_syn_lower": "syn.oe_ci.lower",
    "oe_syn_upper": "syn.oe_ci.upper",
}
"""Upstream's further keys (observed and expected variant counts, the missense and synonymous
o/e bounds) -> v4.1 column; read when the header has them, not needed to recognise it."""

V2_COUNTS: Final[dict[str, str]] = {key: key for key in V4_COUNTS}
"""The same keys -> v2.1.1 column (v2.1.1 names them as upstream does)."""


@dataclass(frozen=True)
class Naming:
    """One published naming of the constraint columns and the release a header in it implies."""

    release: str
    metrics: dict[str, str]
    """Annotation key -> column."""
    counts: dict[str, str]
    """Annotation key -> column of the further values read when present (`V4_COUNTS`)."""
    marker: str | None = None
    """A further column the header must have (what tells two releases with the same metric
    names apart)."""

    def matches(self, names: set[str]) -> bool:
        """Whether a header with these column names is in this naming."""
        wanted = {*self.metrics.values(), *([self.marker] if self.marker else [])}
        return wanted <= names


NAMINGS: Final[tuple[Naming, ...]] = (
    # The v4.1.1 field descriptions name pLI undotted in one edition and `lof.pLI` in another;
    # `transcript_version` is new in v4.1.1 either way.
    Naming("v4.1.1", {**V4_METRICS, "pli": "pLI"}, V4_COUNTS),
    Naming("v4.1.1", V4_METRICS, V4_COUNTS, marker="transcript_version"),
    Naming("v4.1", V4_METRICS, V4_COUNTS),
    Naming("v2.1.1", V2_METRICS, V2_COUNTS),
)
"""The namings a header is tried against, first match wins."""

ID_COLUMNS: Final[tuple[str, ...]] = ("gene", "transcript")
_TRUE: Final = frozenset({"true", "t", "1", "yes"})
_CHROMOSOME: Final = re.compile(r"^(?:chr)?(\d{1,2}|X|Y)")


def _counts(cells: list[str], positions: dict[str, int]) -> dict[str, float | int]:
    """The present further values of a row; observed counts as integers, as upstream has them.
    Raises `ValueError` for a cell that is not a number."""
    values: dict[str, float | int] = {}
    for key, i in positions.items():
        value = annotations.parse_float(cells[i])
        if value is None:
            continue
        values[key] = int(value) if key.startswith("obs_") and value.is_integer() else value
    return values


def _naming(key: str, header: list[str]) -> Naming:
    names = {annotations.normalise_header(h) for h in header}
    for naming in NAMINGS:
        if naming.matches(names):
            return naming
    raise records.layout_error(
        SOURCE,
        key,
        "tab-separated, with the v4.1 / v4.1.1 constraint columns (lof.pLI or pLI, lof.oe, ...) "
        "or the v2.1.1 ones (pLI, oe_lof, ...)",
        "\t".join(header),
    )


def chromosome(text: object) -> str | None:
    """The nuclear chromosome an HGNC location (`Xq22.3`, `Xp22.33 and Yp11.32`) or a gnomAD
    `chromosome` cell (`chrX`, `X`, `17`) names, e.g. `X` or `17`; None for anything else
    (`mitochondria`, `unplaced`, blank)."""
    if not isinstance(text, str):
        return None
    match = _CHROMOSOME.match(text.strip())
    return match.group(1) if match else None


def _hgnc_chromosomes(genes: pd.DataFrame) -> dict[int, str]:
    """Gene id -> chromosome of every gene whose HGNC `location` names one (the genes frame of
    the pipeline carries `location`; a frame without it gives none)."""
    if "location" not in genes.columns:
        return {}
    found = {
        int(gid): chromosome(location)
        for gid, location in genes[["gene_id", "location"]].itertuples(index=False, name=None)
    }
    return {gid: chrom for gid, chrom in found.items() if chrom is not None}


class _Row(NamedTuple):
    """A row of one gene's transcript that an annotation can take (its flags say so)."""

    number: int
    line: str
    mane_select: bool
    canonical: bool


@dataclass(frozen=True)
class ConstraintRows:
    """The constraint TSV read without our genes: its naming, column positions and the rows
    that can annotate a gene (all of them in a file without `canonical` / `mane_select`
    flags), in file order, and what the read counted and rejected."""

    naming: Naming
    positions: dict[str, int]
    rows: tuple[_Row, ...]
    log: annotations.ReadLog


@read_once
def read_constraint_rows(path: Path, file_key: str = FILE_KEY) -> ConstraintRows:
    """The rows of the constraint TSV that can annotate a gene, columns by name. Shared by the
    raw check and the load of a run (`read_once`): neither changes it. A row with a wrong
    number of cells is rejected; one of a file with flags that is neither MANE Select nor
    canonical is skipped."""
    collector = annotations.AnnotationCollector(SOURCE, annotations.NO_GENE_INDEX)
    lines = annotations.iter_lines(SOURCE, file_key, path)
    header = annotations.tab_header(SOURCE, file_key, lines)
    naming = _naming(file_key, header)
    pos = annotations.column_positions(SOURCE, file_key, header, ID_COLUMNS)
    canonical_pos = pos.get("canonical")
    mane_pos = pos.get("mane_select")
    by_flags = canonical_pos is not None or mane_pos is not None
    # Most rows are other transcripts, passed over on their flags: only the cells up to the
    # flags are split off before that.
    leading = max(p for p in (canonical_pos, mane_pos) if p is not None) + 1 if by_flags else None
    rows: list[_Row] = []
    # gnomAD never quotes cells: a plain split is exact, and a stray quote cannot swallow rows.
    for number, cells, line in collector.tab_rows(
        lines, file_key, cells=len(header), leading=leading
    ):
        is_mane = mane_pos is not None and cells[mane_pos].strip().lower() in _TRUE
        is_canonical = canonical_pos is not None and cells[canonical_pos].strip().lower() in _TRUE
        if by_flags and not (is_mane or is_canonical):
            collector.skip("not_canonical_or_mane")
            continue
        collector.item()
        rows.append(_Row(number, line, is_mane, is_canonical))
    return ConstraintRows(naming, pos, tuple(rows), collector.log())


def annotate(
    files: RawFiles,
    genes: pd.DataFrame,
    *,
    file_key: str = FILE_KEY,
    release: str | None = None,
    **_: Any,
) -> annotations.ParsedAnnotations:
    """Constraint metrics of one transcript per gene, streamed from the constraint TSV.

    Rows match our genes by `gene_id` when the file has it (an Ensembl gene id, or the Entrez id
    gnomAD v4.1 gives RefSeq transcripts), else by the `gene` symbol. Rows of a file with
    `canonical` / `mane_select` columns that are neither are skipped; a row without any metric
    value is skipped; a row with a non-numeric metric or a wrong number of cells is rejected.
    `release` overrides the release read off the naming (`NAMINGS`).

    Stats add `genes_on_chrx`: annotated genes on chromosome X, by the HGNC `location` of the
    genes frame, or, for a gene without one, by the kept row's `chromosome` cell.
    """
    path = records.require_file(files, SOURCE, file_key)
    read = read_constraint_rows(path, file_key)
    naming, pos = read.naming, read.positions
    collector = annotations.AnnotationCollector(SOURCE, annotations.GeneIndex(genes))
    metric_pos = {key: pos[column] for key, column in naming.metrics.items()}
    count_pos = {key: pos[column] for key, column in naming.counts.items() if column in pos}
    by_flags = "canonical" in pos or "mane_select" in pos
    gene_id_pos = pos.get("gene_id")
    version_pos = pos.get("transcript_version")
    chromosome_pos = pos.get("chromosome")
    version = release or naming.release
    file_chromosomes: dict[int, str | None] = {}

    replay = annotations.LogReplay(collector, read.log)
    for item, (number, line, is_mane, is_canonical) in enumerate(read.rows):
        replay.until(item)
        cells = line.split("\t")
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
        try:
            record.update(_counts(cells, count_pos))
        except ValueError:
            collector.reject(
                f"{file_key}:{number}", "non-numeric variant count", f"{symbol}: {line}"
            )
            continue
        transcript = cells[pos["transcript"]].strip()
        record.update(
            transcript=transcript,
            # Upstream's names: the constraint's transcript without its version, and the gene's
            # canonical transcript (a v2.1.1 row is the canonical one; a v4 row says so).
            transcript_id=transcript.split(".", 1)[0],
            gene_symbol=symbol,
            source_version=f"gnomad_{version}",
        )
        if transcript.startswith("ENST") and (is_canonical or not by_flags):
            record["canonical_transcript"] = record["transcript_id"]
        if file_gene_id.startswith("ENSG"):
            record["gene_id"] = file_gene_id
        if version_pos is not None and cells[version_pos].strip() not in annotations.MISSING_TEXT:
            record["transcript_version"] = cells[version_pos].strip()
        if by_flags:
            record.update(mane_select=is_mane, canonical=is_canonical)
        kept = collector.offer(
            match,
            record,
            # MANE Select first, then canonical; Ensembl transcripts before RefSeq ones.
            tie_break=(not is_mane, not is_canonical, not transcript.startswith("ENST")),
        )
        if kept and chromosome_pos is not None:
            file_chromosomes[match.gene_id] = chromosome(cells[chromosome_pos])

    replay.finish()
    chromosomes = {**file_chromosomes, **_hgnc_chromosomes(genes)}
    on_x = sum(1 for gene_id in collector.records() if chromosomes.get(gene_id) == "X")
    return collector.finish(version, extra_stats={CHRX_STAT: on_x})
