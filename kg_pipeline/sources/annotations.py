"""The contract of the eight annotation parsers: raw files and our genes in, one row per gene out.

Owns what every `<source>.annotate(files, genes, ...)` returns (`ParsedAnnotations`), the gene
matching they all share (`GeneIndex`: Ensembl / Entrez / HGNC ids where a file has them, else the
approved symbol, case-insensitive), the per-gene collector that keeps the most reliable match,
reads tab-separated rows and counts everything it skips (`AnnotationCollector`), what a
gene-independent read of a file counted and rejected (`ReadLog`, so a raw check's read can be
reused by the load with our genes), streaming line readers that turn unreadable files into
`SourceFormatError`, value parsing (`parse_float`, `parse_int`) and the JSON clean-up that keeps
an `annotations` dict storable in JSONB. Nothing here knows about HTTP, the database or Dagster.
"""

from __future__ import annotations

import math
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path
from typing import Any, Final, NamedTuple

import pandas as pd

from kg_pipeline.raw_files import SourceFormatError, open_text
from kg_pipeline.sources.records import (
    NUL_REASON,
    ParsedRows,
    Reject,
    clip,
    json_value,
    layout_error,
    require_columns,
)

GENE_COLUMNS: Final[tuple[str, ...]] = (
    "gene_id",
    "hgnc_id",
    "approved_symbol",
    "entrez_id",
    "ensembl_gene_id",
)
"""Columns of the `genes` frame every `annotate` receives (the genes of the database)."""

ROW_COLUMNS: Final[tuple[str, ...]] = ("gene_id", "annotations")

MAX_REJECT_SAMPLES: Final = 100
"""Rejects kept per reason. Streaming parsers read files of millions of rows; a systematically
malformed file must not fill memory with Reject objects, so beyond this only counts are kept
(`ParsedAnnotations.reject_counts` is always complete)."""

MISSING_TEXT: Final[frozenset[str]] = frozenset({"", "NA", "N/A", "NaN", "nan", "-", "."})
"""Cell texts that mean "no value" in the annotation files (gnomAD `NA`, ClinVar `-`)."""


@dataclass
class ParsedAnnotations(ParsedRows):
    """What an annotation parser returns.

    `rows` has one row per matched gene: `gene_id` (int, from the genes frame) and `annotations`
    (a JSON-serialisable dict: no NaN/inf, plain Python numbers, sorted lists). `stats` holds at
    least `genes_total`, `rows_read`, `rows_matched`, `rows_unmatched`, `genes_matched`,
    `rows_rejected`, `matched_by_<key>` and `skipped_<reason>` for rows a rule left out.
    `rejects` is a sample (at most `MAX_REJECT_SAMPLES` per reason); `reject_counts` counts them
    all.
    """

    def annotation(self, gene_id: int) -> dict[str, Any] | None:
        """The annotation dict of one gene, or None (a convenience for tests and checks)."""
        hits = self.rows.loc[self.rows["gene_id"].eq(gene_id), "annotations"]
        return None if hits.empty else hits.iloc[0]


# --- gene matching ---------------------------------------------------------------------------


class MatchKey(IntEnum):
    """How a file row was tied to one of our genes; a lower value is more reliable."""

    HGNC = 0
    ENSEMBL = 1
    ENTREZ = 2
    SYMBOL = 3

    @property
    def label(self) -> str:
        return self.name.lower()


_MATCHED_BY: Final[dict[MatchKey, str]] = {key: f"matched_by_{key.label}" for key in MatchKey}
"""The stat counting each key's matches (an enum property costs more than the count)."""


class GeneMatch(NamedTuple):
    gene_id: int
    key: MatchKey


def _text(value: object) -> str | None:
    """A usable identifier text, or None for None/NaN/blank."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float):
        if math.isnan(value):
            return None
        # Entrez ids read as floats by a careless reader ("5310.0") are still ids.
        return str(int(value)) if value.is_integer() else str(value)
    text = str(value).strip()
    return text or None


def strip_version(ensembl_id: str) -> str:
    """`ENSG00000008710.20` -> `ENSG00000008710` (also drops GTEx's `_PAR_Y` suffixes)."""
    return ensembl_id.split(".", 1)[0].split("_", 1)[0]


class GeneIndex:
    """Lookup of our genes by every identifier the annotation files use.

    Ids are exact (Ensembl without its version suffix); symbols match the approved symbol
    case-insensitively. An id that a file gives but that none of our genes carries does not stop
    the symbol fallback; the collector then prefers any id match of the same gene.
    """

    def __init__(self, genes: pd.DataFrame) -> None:
        missing = [c for c in GENE_COLUMNS if c not in genes.columns]
        if missing:
            raise ValueError(f"the genes frame lacks column(s) {', '.join(missing)}")
        self.symbols: dict[int, str] = {}
        self.hgnc: dict[str, int] = {}
        self.ensembl: dict[str, int] = {}
        self.entrez: dict[str, int] = {}
        self.by_symbol: dict[str, int] = {}
        for gene_id, hgnc_id, symbol, entrez, ensembl in genes[list(GENE_COLUMNS)].itertuples(
            index=False, name=None
        ):
            gid = int(gene_id)
            symbol_text = _text(symbol)
            self.symbols[gid] = symbol_text or ""
            if (hgnc := _text(hgnc_id)) is not None:
                self.hgnc[hgnc.upper()] = gid
            if (ens := _text(ensembl)) is not None:
                self.ensembl[strip_version(ens)] = gid
            if (ez := _text(entrez)) is not None:
                self.entrez[ez] = gid
            if symbol_text is not None:
                self.by_symbol[symbol_text.upper()] = gid

    def __len__(self) -> int:
        return len(self.symbols)

    def match(
        self,
        *,
        hgnc_id: str | None = None,
        ensembl_id: str | None = None,
        entrez_id: str | None = None,
        symbol: str | None = None,
    ) -> GeneMatch | None:
        """The gene a file row belongs to, by its most reliable identifier, or None."""
        if hgnc_id and (gid := self.hgnc.get(hgnc_id.strip().upper())) is not None:
            return GeneMatch(gid, MatchKey.HGNC)
        if ensembl_id and (gid := self.ensembl.get(strip_version(ensembl_id.strip()))) is not None:
            return GeneMatch(gid, MatchKey.ENSEMBL)
        if entrez_id and (gid := self.entrez.get(entrez_id.strip())) is not None:
            return GeneMatch(gid, MatchKey.ENTREZ)
        if symbol and (gid := self.by_symbol.get(symbol.strip().upper())) is not None:
            return GeneMatch(gid, MatchKey.SYMBOL)
        return None


# --- per-gene collection -------------------------------------------------------------------

NO_GENE_INDEX: Final = GeneIndex(pd.DataFrame(columns=list(GENE_COLUMNS)))
"""The index of no genes: what a gene-independent read of a file collects with."""


@dataclass(frozen=True)
class ReadLog:
    """What a gene-independent read of a file counted (`stats`, in the order first counted) and
    rejected (`rejects`, sampled as `AnnotationCollector.reject` samples; `reject_counts`, all).

    A read keeps one with its result, so that an annotator whose read is memoised (the raw
    check reads the file with no genes, the load again with ours) can replay it onto each
    collector of ours as if the rows had been read there (`AnnotationCollector.replay`)."""

    stats: Mapping[str, int]
    rejects: tuple[Reject, ...]
    reject_counts: Mapping[str, int]
    stats_at: tuple[int, ...]
    """Per stat: how many of the read's items (`AnnotationCollector.item`) came before it was
    first counted."""
    rejects_at: tuple[int, ...]
    """Per sampled reject: how many of the read's items came before it."""


class LogReplay:
    """A `ReadLog` replayed onto a collector item by item: what the read counted and rejected
    between its items is counted (`until`) between what the collector counts for each, so
    stats and rejects are listed in the order reading the lines there would list them."""

    def __init__(self, collector: AnnotationCollector, log: ReadLog) -> None:
        self._collector = collector
        self._log = log
        self._stats = list(log.stats.items())
        self._next_stat = self._next_reject = 0

    def until(self, item: int) -> None:
        """Replay what the read counted and rejected before its item number `item`."""
        log, stats = self._log, self._collector.stats
        while self._next_stat < len(self._stats) and log.stats_at[self._next_stat] <= item:
            name, count = self._stats[self._next_stat]
            stats[name] += count
            self._next_stat += 1
        while self._next_reject < len(log.rejects) and log.rejects_at[self._next_reject] <= item:
            self._collector.sample(log.rejects[self._next_reject])
            self._next_reject += 1

    def finish(self) -> None:
        """Replay the rest, and count the rejects the log counted without a sample."""
        self.until(max((*self._log.stats_at, *self._log.rejects_at), default=0))
        sampled = Counter(reject.reason for reject in self._log.rejects)
        counts = self._collector.reject_counts
        for reason, count in self._log.reject_counts.items():
            counts[reason] += count - sampled[reason]


Merge = Callable[[dict[str, Any], dict[str, Any]], dict[str, Any] | None]
"""Combines the kept record of a gene with another equally ranked one; None means "conflict"
(the new row is then skipped as a duplicate)."""


class AnnotationCollector:
    """Collects one record per gene from a stream of file rows, with the counts to report.

    A row's rank is `(match key, *tie_break)`; the lowest rank wins, so an Ensembl/Entrez match
    beats a symbol match and a source may add its own preference (MANE transcript first, ...).
    Rows of equal rank are merged by `merge` when given, otherwise the first one stays and the
    others are counted as `skipped_duplicate`. Records are plain dicts finished by `finish`.
    """

    def __init__(self, source: str, index: GeneIndex) -> None:
        self.source = source
        self.index = index
        self.stats: Counter[str] = Counter()
        self._records: dict[int, tuple[tuple[Any, ...], dict[str, Any]]] = {}
        self._rejects: list[Reject] = []
        self._reject_counts: Counter[str] = Counter()
        # Where a read's stats and rejects fell among its items (`item`, `log`).
        self._items = 0
        self._stats_at: list[int] = []
        self._rejects_at: list[int] = []

    def read(self, count: int = 1) -> None:
        """Count rows read from the file(s)."""
        self.stats["rows_read"] += count

    def skip(self, reason: str, count: int = 1) -> None:
        """Count rows left out by a rule (not malformed: see `reject`)."""
        self.stats[f"skipped_{reason}"] += count

    def unmatched(self, count: int = 1) -> None:
        """Count rows that belong to none of our genes."""
        self.stats["rows_unmatched"] += count

    def reject(self, where: str, reason: str, text: object) -> None:
        """Record a malformed row (sampled per reason, always counted)."""
        self._reject_counts[reason] += 1
        if self._reject_counts[reason] <= MAX_REJECT_SAMPLES:
            self._rejects.append(Reject(where, reason, clip(text)))

    def rejected_nul(self, where: str, line: str) -> bool:
        """Reject a line holding a NUL byte (`NUL_REASON`); whether it did. PostgreSQL cannot
        store the character, and a NUL inside a text line is corruption, not data."""
        if "\x00" not in line:
            return False
        self.reject(where, NUL_REASON, line)
        return True

    def wants_sample(self, reason: str) -> bool:
        """Whether a reject for `reason` would still be kept as a sample (else only counted):
        lets hot loops skip building the reject's location text."""
        return self._reject_counts[reason] < MAX_REJECT_SAMPLES

    def tab_rows(
        self,
        lines: Iterable[tuple[int, str]],
        key: str,
        *,
        cells: int | None = None,
        at_least: int | None = None,
        count: str = "rows_read",
        leading: int | None = None,
    ) -> Iterator[tuple[int, list[str], str]]:
        """The data rows of a tab-separated file as `(line number, cells, line)`.

        Blank lines are passed over; every other line counts as read (the `count` stat, complete
        once the rows are exhausted) and is split at tabs. A line holding a NUL byte
        (`rejected_nul`), a row with other than `cells` cells ("expected N tab-separated
        cells") or fewer than `at_least` ("too few tab-separated cells") is rejected, not
        yielded. When not one line has the layout, the file is in another one (another
        delimiter, another release's columns): a layout error at the end, never a load of zero
        rows.

        `leading`: only that many cells are split off, the rest of the line is one last cell
        (the cells are still counted on the whole line): for wide files whose rows are mostly
        passed over on their first cells; the caller splits `line` for the rows it keeps.
        """
        first: str | None = None
        read = fitting = 0
        try:
            for number, line in lines:
                if not line or line.isspace():  # `not line.strip()` without copying every line
                    continue
                # Counted in a local, added to the stat at the end: this runs for every line.
                read += 1
                if first is None:
                    first = line
                    self.stats[count] += 0  # the stat is listed from the first row on
                if "\x00" in line and self.rejected_nul(f"{key}:{number}", line):
                    continue
                if leading is None:
                    row = line.split("\t")
                    width = len(row)
                else:
                    row = line.split("\t", leading)
                    width = line.count("\t") + 1
                if cells is not None and width != cells:
                    self.reject(
                        f"{key}:{number}",
                        f"expected {cells} tab-separated cells",
                        f"{width} cells: {line}",
                    )
                    continue
                if at_least is not None and width < at_least:
                    self.reject(f"{key}:{number}", "too few tab-separated cells", line)
                    continue
                fitting += 1
                yield number, row, line
        finally:
            if read:
                self.stats[count] += read
        if first is not None and not fitting:
            wanted = f"{cells}" if cells is not None else f"at least {at_least}"
            raise layout_error(
                self.source, key, f"tab-separated, {wanted} cells a line; no line has them", first
            )

    def offer(
        self,
        match: GeneMatch,
        record: dict[str, Any],
        *,
        tie_break: tuple[Any, ...] = (),
        merge: Merge | None = None,
        rank_by_match: bool = True,
        rows: int = 1,
    ) -> bool:
        """Offer one row's record for `match.gene_id`; True when it is now (part of) the kept one.

        Every offered row counts as matched (`rows_matched`, `matched_by_<key>`). With
        `rank_by_match=False` how the row matched does not rank it: for files that list facts
        about a gene row by row (variants), where every matched row adds to the gene.

        `rows` > 1: `record` is already the `merge` of that many consecutive rows of the same
        match and rank (a file listing a gene's facts one row each), offered at once with the
        same outcome and counts as offering the rows one by one; `merge` must then be given
        and never conflict."""
        if rows > 1 and merge is None:
            raise ValueError("offering several rows at once needs their merge")
        self.stats["rows_matched"] += rows
        self.stats[_MATCHED_BY[match.key]] += rows
        rank = (int(match.key), *tie_break) if rank_by_match else tie_break
        current = self._records.get(match.gene_id)
        if current is None or rank < current[0]:
            if current is not None:
                self.skip("superseded_by_better_match")
            self._records[match.gene_id] = (rank, record)
            return True
        if rank == current[0] and merge is not None:
            merged = merge(current[1], record)
            if merged is not None:
                self._records[match.gene_id] = (rank, merged)
                return True
        self.skip("duplicate" if rank == current[0] else "superseded_by_better_match", rows)
        return False

    def item(self) -> None:
        """Mark the next item of a read (a line its annotator goes on to use): what was counted
        and rejected since the last mark comes before it when the log is replayed item by item
        (`LogReplay`)."""
        self._mark()
        self._items += 1

    def _mark(self) -> None:
        self._stats_at.extend([self._items] * (len(self.stats) - len(self._stats_at)))
        self._rejects_at.extend([self._items] * (len(self._rejects) - len(self._rejects_at)))

    def log(self) -> ReadLog:
        """The counts and rejects collected so far (of a read with `NO_GENE_INDEX`)."""
        self._mark()
        return ReadLog(
            dict(self.stats),
            tuple(self._rejects),
            dict(self._reject_counts),
            tuple(self._stats_at),
            tuple(self._rejects_at),
        )

    def replay(self, log: ReadLog) -> None:
        """Count and reject what `log` did, as if its rows were read now: stats first counted
        by it are listed after those counted here before, and its rejects are sampled after
        the ones here (a reason's first samples stay the first ones read)."""
        LogReplay(self, log).finish()

    @property
    def reject_counts(self) -> Counter[str]:
        """Rejects per reason so far, sampled or not."""
        return self._reject_counts

    def sample(self, reject: Reject) -> None:
        """Record a reject already made (of a replayed read), as `reject` records a new one."""
        self._reject_counts[reject.reason] += 1
        if self._reject_counts[reject.reason] <= MAX_REJECT_SAMPLES:
            self._rejects.append(reject)

    def records(self) -> dict[int, dict[str, Any]]:
        """The kept record per gene id (for sources that post-process before `finish`)."""
        return {gid: rec for gid, (_, rec) in self._records.items()}

    def replace_records(self, records: Mapping[int, dict[str, Any]]) -> None:
        """Swap in post-processed records (same genes or fewer)."""
        self._records = {gid: ((), rec) for gid, rec in records.items()}

    def finish(
        self, version: str | None, *, extra_stats: Mapping[str, int] | None = None
    ) -> ParsedAnnotations:
        """The `ParsedAnnotations` of everything collected, rows sorted by gene id."""
        gene_ids = sorted(self._records)
        rows = annotation_rows(
            gene_ids, [json_value(self._records[g][1]) for g in gene_ids], clean=False
        )
        stats = {
            "genes_total": len(self.index),
            "rows_read": 0,
            "rows_matched": 0,
            "rows_unmatched": 0,
            **self.stats,
            "genes_matched": len(gene_ids),
            "rows_rejected": sum(self._reject_counts.values()),
            **(extra_stats or {}),
        }
        return ParsedAnnotations(
            self.source,
            rows,
            list(self._rejects),
            version,
            {k: int(v) for k, v in stats.items()},
            dict(self._reject_counts.most_common()),
        )


def annotation_rows(
    gene_ids: list[int], annotations: list[dict[str, Any]], *, clean: bool = True
) -> pd.DataFrame:
    """The rows frame of a `ParsedAnnotations`: `gene_id` (int64) and `annotations` (dicts)."""
    values = [json_value(a) for a in annotations] if clean else list(annotations)
    return pd.DataFrame(
        {
            "gene_id": pd.Series(gene_ids, dtype="int64"),
            "annotations": pd.Series(values, dtype=object),
        },
        columns=list(ROW_COLUMNS),
    )


# --- values ----------------------------------------------------------------------------------


def parse_float(text: str) -> float | None:
    """The float a cell says, None for a missing marker (`NA`, blank, `-`) or a non-finite
    value; raises `ValueError` for text that is not a number."""
    stripped = text.strip()
    if stripped in MISSING_TEXT:
        return None
    number = float(stripped)
    return number if math.isfinite(number) else None


def parse_floats(texts: Sequence[str]) -> Sequence[float | None]:
    """`parse_float` of each text, raising as it does at the first that is not a number.

    Wide rows of plain numbers (GTEx: 54 a gene) cost one `float()` each: `float()` strips the
    same whitespace, reads the same numbers and fails on every missing marker but "NaN" and
    "nan", which it reads as NaN, which is not finite: None either way."""
    try:
        values = [float(text) for text in texts]
    except ValueError:
        return [parse_float(text) for text in texts]
    total = sum(values)
    if total - total == 0:  # finite, so every value is
        return values
    return [v if math.isfinite(v) else None for v in values]


def parse_int(text: str, *, missing: int | None = None) -> int | None:
    """The integer a cell says (`missing` for a missing marker); raises `ValueError` otherwise."""
    stripped = text.strip()
    if stripped in MISSING_TEXT:
        return missing
    return int(stripped)


def normalise_header(name: str) -> str:
    """A header cell without a leading `#`, surrounding blanks or quotes."""
    return name.strip().lstrip("#").strip().strip('"')


def column_positions(
    source: str,
    key: str,
    header: list[str],
    required: tuple[str, ...],
    *,
    delimiter: str = "\t",
) -> dict[str, int]:
    """Column name -> position; a layout error (`records.require_columns`) naming the required
    ones missing."""
    positions: dict[str, int] = {}
    for i, name in enumerate(header):
        positions.setdefault(normalise_header(name), i)
    require_columns(source, key, positions, required, delimiter=delimiter)
    return positions


BLOCK_CHARS: Final = 1 << 18
"""Characters read per block by `iter_blocks` (whole lines, about 256 KiB of text)."""


def iter_blocks(
    source: str, key: str, path: Path, block_chars: int = BLOCK_CHARS
) -> Iterator[tuple[int, list[str]]]:
    """The file's lines (gzip sniffed) in blocks: `(number of the block's first line, lines)`,
    line ends kept.

    For hot loops over files of millions of lines: the caller iterates a plain list and pays
    for line numbers only when it needs one (`first + block.index(line)`). Memory stays at one
    block whatever the file size. A truncated gzip stream, unreadable bytes or non-UTF-8 text
    raise `SourceFormatError`, so a half-downloaded file never yields a partial load.
    """
    first = 1
    try:
        with open_text(Path(path)) as fh:
            while block := fh.readlines(block_chars):
                yield first, block
                first += len(block)
    except (EOFError, OSError, zlib.error) as exc:
        raise SourceFormatError(
            source, key, f"unreadable or truncated file after line {first - 1} ({exc})"
        ) from exc
    except UnicodeDecodeError as exc:
        raise SourceFormatError(
            source, key, f"not UTF-8 text after line {first - 1} ({exc.reason})"
        ) from exc


def tab_header(source: str, key: str, lines: Iterator[tuple[int, str]]) -> list[str]:
    """The cells of the first of `lines` (from `iter_lines`): a tab-separated file's header. An
    empty file is a `SourceFormatError`."""
    first = next(lines, None)
    if first is None:
        raise SourceFormatError(source, key, "the file is empty")
    return first[1].split("\t")


def iter_lines(source: str, key: str, path: Path) -> Iterator[tuple[int, str]]:
    """The file's lines (gzip sniffed) as `(line number, text without line end)`, one at a time,
    with the guarantees of `iter_blocks`."""
    for first, block in iter_blocks(source, key, path):
        for number, line in enumerate(block, start=first):
            yield number, line.rstrip("\r\n")
