"""The `string_ppi` annotation: each kidney gene's STRING v12 interactions with other kidney genes.

Owns reading STRING's human files and the PPI score (reference 4.9):

* `9606.protein.info.v12.0.txt.gz` (`#string_protein_id preferred_name protein_size
  annotation`, tab-separated) maps proteins to our genes by `preferred_name` (symbol).
* One links file, of the network the download chose (`upstream.LINKS_FILES`): by default the
  physical subnetwork `9606.protein.physical.links.v12.0.txt.gz`, as upstream and the R
  predecessor score it (about 1.4 million lines), else the full functional network (about 13.7
  million). Space-separated, a header line, every link listed in both directions; its columns
  are read by name: `protein1 protein2` first, `combined_score` wherever it is, so the
  `.detailed` variants (the evidence channels' subscores, `combined_score` last) read like
  the plain ones. The file is streamed: only links between two proteins of the wanted genes
  with `combined_score >= min_score` are kept, one per gene pair (its highest score), so
  memory depends on our genes, never on the file size. Upstream read the whole file into
  pandas.

Scoring needs `gene_scores`: "kidney genes" are the genes with `percentage_score > 0` and the
percentage is a partner's evidence. For a kidney gene, over its distinct kidney partners:
weighted = combined_score / 1000 * partner percentage; `ppi_score` = sum(weighted) /
sqrt(partners); `ppi_percentile` = percent rank among this batch's genes with a positive score.
"""

from __future__ import annotations

import bisect
import gzip
import io
import math
import re
import zlib
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from kg_pipeline.raw_files import RawFiles, SourceFormatError, is_gzip, read_once
from kg_pipeline.settings import StringNetwork
from kg_pipeline.sources import annotations, records
from kg_pipeline.sources.string.upstream import INFO_FILE, LINKS_FILES, STRING

SOURCE: Final = "string_ppi"
INFO_KEY: Final = f"{STRING.key}/{INFO_FILE}"
LINKS_KEYS: Final[Mapping[StringNetwork, str]] = {
    network: f"{STRING.key}/{relpath}" for network, relpath in LINKS_FILES.items()
}
RELEASE: Final = STRING.release or "v12.0"

DEFAULT_MIN_SCORE: Final = 400
MAX_INTERACTIONS: Final = 30
STRONG_SCORE: Final = 800
"""Links scoring above this count as `strong_interactions`."""

_INFO_COLUMNS: Final = ("string_protein_id", "preferred_name")
_PROTEIN_ID: Final = re.compile(r"\d+\.\S+")
"""A STRING protein id: the NCBI taxon, a dot, the protein (`9606.ENSP00000000233`)."""
_LINK_COLUMNS: Final = ("protein1", "protein2", "combined_score")


@dataclass(frozen=True)
class LinkLayout:
    """Where a links file's fields are: `fields` per line, `combined_score` at `score`
    (`protein1` and `protein2` are the first two in every STRING layout)."""

    fields: int
    score: int

    @property
    def reject_fields(self) -> str:
        """The reject reason of a line with another number of fields."""
        return f"expected {self.fields} fields"


@dataclass
class LinkTable:
    """The kept links: unordered gene pair `(low id, high id)` -> highest combined score."""

    pairs: dict[tuple[int, int], int] = field(default_factory=dict)
    lines: int = 0
    kept: int = 0
    below_min_score: int = 0
    not_wanted: int = 0
    same_gene: int = 0


@dataclass(frozen=True)
class ProteinNames:
    """The protein info file read without our genes: each protein id with its
    `preferred_name`, in file order, and what the read counted and rejected."""

    names: tuple[tuple[str, str], ...]
    log: annotations.ReadLog


@read_once
def read_protein_names(path: Path) -> ProteinNames:
    """The proteins of the protein info file and their `preferred_name` (columns by name).
    Shared by the raw check and the load of a run (`read_once`): neither changes it."""
    collector = annotations.AnnotationCollector(SOURCE, annotations.NO_GENE_INDEX)
    lines = annotations.iter_lines(SOURCE, INFO_KEY, path)
    header = annotations.tab_header(SOURCE, INFO_KEY, lines)
    pos = annotations.column_positions(SOURCE, INFO_KEY, header, _INFO_COLUMNS)
    id_pos, name_pos = pos["string_protein_id"], pos["preferred_name"]
    names: list[tuple[str, str]] = []
    width = max(id_pos, name_pos) + 1
    rows = collector.tab_rows(lines, INFO_KEY, at_least=width, count="proteins_read")
    for number, cells, line in rows:
        protein = cells[id_pos].strip()
        if not protein:
            collector.reject(f"{INFO_KEY}:{number}", "blank string_protein_id", line)
            continue
        if not _PROTEIN_ID.fullmatch(protein):
            # A junk line: counted as malformed, never as a protein that is not ours.
            collector.reject(f"{INFO_KEY}:{number}", "not a STRING protein id", line)
            continue
        names.append((protein, cells[name_pos].strip()))
    if collector.stats["proteins_read"] == 0:
        raise SourceFormatError(SOURCE, INFO_KEY, "the file has a header but no proteins")
    return ProteinNames(tuple(names), collector.log())


def read_proteins(path: Path, collector: annotations.AnnotationCollector) -> dict[str, int]:
    """STRING protein id -> our gene id, from the protein info file (by `preferred_name`)."""
    read = read_protein_names(path)
    collector.replay(read.log)
    proteins: dict[str, int] = {}
    unmatched = 0
    for protein, name in read.names:
        match = collector.index.match(symbol=name)
        if match is None:
            unmatched += 1
            continue
        proteins[protein] = match.gene_id
    collector.stats.update(proteins_matched=len(proteins), proteins_unmatched=unmatched)
    return proteins


LINK_CHUNK_BYTES: Final = 1 << 18
"""Bytes of the decompressed links file handled at a time (whole lines, about 5,500)."""

_DIGIT_POWERS: Final = 10 ** np.arange(18, -1, -1, dtype=np.int64)
_SPLIT_SPACES: Final = (b"\t", b"\r", b"\x0b", b"\x0c", b"\x1c", b"\x1d", b"\x1e", b"\x1f")
"""ASCII bytes other than the space and the line end that `str.split()` splits at (a chunk
holding one, or a NUL, is read line by line)."""


class _ProteinLookup:
    """Protein id bytes -> gene id for numpy arrays of ids, one sorted table per id length."""

    def __init__(self, proteins: Mapping[str, int]) -> None:
        by_length: defaultdict[int, list[tuple[bytes, int]]] = defaultdict(list)
        for protein, gene_id in proteins.items():
            if protein.isascii() and protein and "\x00" not in protein:
                key = protein.encode()
                by_length[len(key)].append((key, gene_id))
        self.tables: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        for length, entries in by_length.items():
            entries.sort()
            keys = np.array([k for k, _ in entries], dtype=f"S{length}")
            genes = np.array([g for _, g in entries], dtype=np.int64)
            self.tables[length] = (keys, genes)

    def genes(
        self, data: np.ndarray, begins: np.ndarray, lengths: np.ndarray, *, runs: bool = False
    ) -> np.ndarray:
        """The gene id of each field `data[begin:begin + length]`, -1 where none."""
        out = np.full(len(begins), -1, dtype=np.int64)
        if not len(begins):
            return out
        low, high = int(lengths.min()), int(lengths.max())
        for length in range(low, high + 1) if high - low < 8 else np.unique(lengths).tolist():
            table = self.tables.get(length)
            if table is None:
                continue
            rows = None if low == high else np.flatnonzero(lengths == length)
            if rows is not None and not len(rows):
                continue
            starts = begins if rows is None else begins[rows]
            texts = _gather(data, starts, length).view(f"S{length}").ravel()
            found = self._search(table, texts, runs=runs)
            if rows is None:
                out[:] = found
            else:
                out[rows] = found
        return out

    @staticmethod
    def _search(
        table: tuple[np.ndarray, np.ndarray], texts: np.ndarray, *, runs: bool
    ) -> np.ndarray:
        """The gene id of each text of one length (-1 where none). With `runs`, a text equal to
        the one before it is looked up once (STRING lists the links of a protein together)."""
        if runs and len(texts) > 1:
            head = np.empty(len(texts), dtype=bool)
            head[0] = True
            np.not_equal(texts[1:], texts[:-1], out=head[1:])
            heads = np.flatnonzero(head)
            if len(heads) * 4 < len(texts):
                return _ProteinLookup._search(table, texts[heads], runs=False)[np.cumsum(head) - 1]
        keys, genes = table
        found = np.searchsorted(keys, texts).clip(max=len(keys) - 1)
        return np.where(keys[found] == texts, genes[found], -1)


def _gather(data: np.ndarray, starts: np.ndarray, length: int) -> np.ndarray:
    """`data[start:start + length]` for every start, as a (len(starts), length) uint8 array."""
    if not length:
        return np.empty((len(starts), 0), dtype=np.uint8)
    return np.lib.stride_tricks.sliding_window_view(data, length)[starts]


def _digits(data: np.ndarray, begins: np.ndarray, lengths: np.ndarray) -> np.ndarray | None:
    """The integers the fields spell, or None when one is not plain ASCII digits (then only
    `int()` knows: signs, underscores) or too long for int64."""
    out = np.empty(len(begins), dtype=np.int64)
    if not len(begins):
        return out
    low, high = int(lengths.min()), int(lengths.max())
    if high > 18:
        return None
    for length in range(low, high + 1):
        rows = None if low == high else np.flatnonzero(lengths == length)
        if rows is not None and not len(rows):
            continue
        cells = _gather(data, begins if rows is None else begins[rows], length) - ord("0")
        if (cells > 9).any():
            return None
        values = cells.astype(np.int64) @ _DIGIT_POWERS[-length:]
        if rows is None:
            out[:] = values
        else:
            out[rows] = values
    return out


def _open_binary(path: Path) -> Any:
    return gzip.open(path, "rb") if is_gzip(path) else open(path, "rb")


def _iter_link_chunks(path: Path, chunk_bytes: int) -> Iterator[bytes]:
    """The decompressed file in chunks of whole lines: the header line first (empty for an empty
    file), then chunks of about `chunk_bytes`, each ending with a line end (bar the file's last
    line when it has none)."""
    with _open_binary(path) as fh:
        pending = b""
        while (end := pending.find(b"\n")) < 0 and (data := fh.read(chunk_bytes)):
            pending += data
        cut = len(pending) if end < 0 else end + 1
        yield pending[:cut]
        pending = pending[cut:]
        while data := fh.read(chunk_bytes):
            pending += data
            end = pending.rfind(b"\n")
            if end >= 0:
                yield pending[: end + 1]
                pending = pending[end + 1 :]
        if pending:
            yield pending


def read_layout(header: str, key: str) -> LinkLayout:
    """The layout a links file's header line names; `SourceFormatError` when it lacks a column
    or does not start `protein1 protein2`."""
    names = header.split()
    pos = annotations.column_positions(SOURCE, key, names, _LINK_COLUMNS, delimiter=" ")
    if (pos["protein1"], pos["protein2"]) != (0, 1):
        raise records.layout_error(
            SOURCE,
            key,
            "space-separated, the columns protein1 protein2 first, then combined_score",
            header.rstrip("\r\n"),
        )
    return LinkLayout(fields=len(names), score=pos["combined_score"])


def read_links(
    path: Path,
    proteins: Mapping[str, int],
    *,
    min_score: int = DEFAULT_MIN_SCORE,
    collector: annotations.AnnotationCollector,
    chunk_bytes: int = LINK_CHUNK_BYTES,
    key: str = LINKS_KEYS["physical"],
) -> LinkTable:
    """Links among `proteins` (protein id -> gene id) scoring at least `min_score`, streamed.

    Holds one entry per gene pair: a link listed in both directions, or between several
    proteins of the same two genes, keeps its highest score. A line whose first protein is not
    wanted is only checked for a protein id; a wanted line without as many fields as the
    header or with a non-integer score is rejected, as is any line without a space.

    The file is read in chunks of whole lines (`chunk_bytes` of decompressed bytes), so memory
    stays at one chunk whatever the file size. A chunk of plain lines (single spaces between
    non-empty fields, a digits-only score: all of STRING's own files) is matched with numpy,
    no Python object per line; any other chunk goes line by line (`_LinkReader.lines`),
    with the same outcome. A truncated gzip stream or non-UTF-8 text raise `SourceFormatError`
    (naming `key`).
    """
    table = LinkTable()
    counts = _LinkCounts()
    number = 1  # the first line of the next chunk
    try:
        chunks = _iter_link_chunks(path, chunk_bytes)
        first_chunk = next(chunks)
        if not first_chunk:
            raise SourceFormatError(SOURCE, key, "the file is empty")
        # Lines end at \n, \r or \r\n (as the text reader splits them): the rest is data.
        header, *rest = io.StringIO(
            _decode(first_chunk, 0, key, encoding="utf-8-sig"), newline=""
        ).readlines()
        layout = read_layout(header, key)
        reader = _LinkReader(layout, proteins, min_score, collector, table.pairs, counts, key)
        number = 2
        if rest:
            reader.lines(number, rest)
            number += len(rest)
        lookup = _ProteinLookup(proteins)
        for chunk in chunks:
            number += reader.chunk(number, chunk, lookup)
    except (EOFError, OSError, zlib.error) as exc:
        raise SourceFormatError(
            SOURCE, key, f"unreadable or truncated file after line {number - 1} ({exc})"
        ) from exc
    lines_read = counts.lines - counts.blank
    # Every other line is one whose proteins are not both wanted.
    not_wanted = lines_read - counts.kept - counts.below - counts.same_gene - counts.rejected
    table.lines, table.kept, table.below_min_score = lines_read, counts.kept, counts.below
    table.not_wanted, table.same_gene = not_wanted, counts.same_gene
    return table


@dataclass
class _LinkCounts:
    lines: int = 0
    blank: int = 0
    kept: int = 0
    below: int = 0
    same_gene: int = 0
    rejected: int = 0


def _decode(data: bytes, after_line: int, key: str, encoding: str = "utf-8") -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise SourceFormatError(
            SOURCE, key, f"not UTF-8 text after line {after_line} ({exc.reason})"
        ) from exc


@dataclass
class _LinkReader:
    """Reads the link lines of one file into `pairs`, by chunk (numpy) or line by line."""

    layout: LinkLayout
    proteins: Mapping[str, int]
    min_score: int
    collector: annotations.AnnotationCollector
    pairs: dict[tuple[int, int], int]
    counts: _LinkCounts
    key: str

    def chunk(self, first: int, chunk: bytes, lookup: _ProteinLookup) -> int:
        """Read one chunk of link lines (the first is line `first`); returns its number of
        lines."""
        fields = _plain_fields(chunk, self.layout.fields)
        if fields is None:
            return self._by_lines(first, chunk)
        data, starts, spaces, ends = fields
        score_at, last = self.layout.score, self.layout.fields - 1
        score_begin = spaces[:, score_at - 1] + 1
        score_end = ends if score_at == last else spaces[:, score_at]
        space1, space2 = spaces[:, 0], spaces[:, 1]
        gene_a = lookup.genes(data, starts, space1 - starts, runs=True)
        rows = np.flatnonzero(gene_a >= 0)
        gene_b = lookup.genes(data, space1[rows] + 1, space2[rows] - space1[rows] - 1)
        both = gene_b >= 0
        rows, gene_a, gene_b = rows[both], gene_a[rows[both]], gene_b[both]
        scores = _digits(data, score_begin[rows], score_end[rows] - score_begin[rows])
        if scores is None:  # a score only int() can judge: read this chunk line by line
            return self._by_lines(first, chunk)

        counts = self.counts
        counts.lines += len(starts)
        below = scores < self.min_score
        same = ~below & (gene_a == gene_b)
        keep = ~below & ~same
        counts.below += int(below.sum())
        counts.same_gene += int(same.sum())
        counts.kept += int(keep.sum())
        low = np.minimum(gene_a[keep], gene_b[keep]).tolist()
        high = np.maximum(gene_a[keep], gene_b[keep]).tolist()
        pairs, get = self.pairs, self.pairs.get
        for pair, score in zip(zip(low, high, strict=True), scores[keep].tolist(), strict=True):
            if score > get(pair, -1):
                pairs[pair] = score
        return len(starts)

    def _by_lines(self, first: int, chunk: bytes) -> int:
        lines = io.StringIO(_decode(chunk, first - 1, self.key), newline="").readlines()
        self.lines(first, lines)
        return len(lines)

    def lines(self, first: int, block: list[str]) -> None:
        """Read link lines (line ends kept; the first is line `first`) one by one."""
        counts, collector = self.counts, self.collector
        n_fields, score_at = self.layout.fields, self.layout.score

        def reject(reason: str, number: int, line: str) -> None:
            counts.rejected += 1
            if collector.wants_sample(reason):
                collector.reject(f"{self.key}:{number}", reason, line)
            else:
                collector.reject("", reason, "")

        get = self.proteins.get
        counts.lines += len(block)
        for number, line in enumerate(block, start=first):
            space = line.find(" ")
            if space <= 0:
                if line.strip():
                    reject(self.layout.reject_fields, number, line)
                else:
                    counts.blank += 1
                continue
            gene_a = get(line[:space])
            if gene_a is None:
                continue
            fields = line.split()
            if len(fields) != n_fields:
                reject(self.layout.reject_fields, number, line)
                continue
            gene_b = get(fields[1])
            if gene_b is None:
                continue
            try:
                score = int(fields[score_at])
            except ValueError:
                reject("combined_score is not an integer", number, line)
                continue
            if score < self.min_score:
                counts.below += 1
                continue
            if gene_a == gene_b:
                counts.same_gene += 1
                continue
            pair = (gene_a, gene_b) if gene_a < gene_b else (gene_b, gene_a)
            counts.kept += 1
            if score > self.pairs.get(pair, -1):
                self.pairs[pair] = score


def _plain_fields(
    chunk: bytes, n_fields: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """A chunk of plain lines as arrays: the bytes, each line's start, its `n_fields - 1`
    spaces (one row per line) and its end; None when any line is not plain (then only
    `str.split()` knows its fields)."""
    if not chunk.isascii() or any(c in chunk for c in _SPLIT_SPACES) or b"\0" in chunk:
        return None
    if not chunk.endswith(b"\n"):
        chunk += b"\n"
    data = np.frombuffer(chunk, dtype=np.uint8)
    ends = np.flatnonzero(data == ord("\n"))
    found = np.flatnonzero(data == ord(" "))
    n, gaps = len(ends), n_fields - 1
    if len(found) != gaps * n:
        return None
    spaces = found.reshape(n, gaps)
    starts = np.empty(n, dtype=ends.dtype)
    starts[0] = 0
    starts[1:] = ends[:-1] + 1
    # Each line's spaces lie inside it with a non-empty field between any two: as many fields
    # as the header, which is what `line.split()` would find.
    plain = (
        (spaces[:, 0] > starts).all()
        and (np.diff(spaces, axis=1) > 1).all()
        and (ends > spaces[:, -1] + 1).all()
    )
    return (data, starts, spaces, ends) if plain else None


def percent_ranks(values: Mapping[int, float]) -> dict[int, float]:
    """Percent rank of each value among all: (rank - 1) / (n - 1), ties sharing the lowest rank
    (PostgreSQL's `percent_rank()`); 0.0 for a single value."""
    ordered = sorted(values.values())
    n = len(ordered)
    return {
        key: (bisect.bisect_left(ordered, v) / (n - 1) if n > 1 else 0.0)
        for key, v in values.items()
    }


def ppi_annotations(
    pairs: Mapping[tuple[int, int], int],
    evidence: Mapping[int, float],
    symbols: Mapping[int, str],
    *,
    max_interactions: int = MAX_INTERACTIONS,
) -> dict[int, dict[str, Any]]:
    """The annotation of every gene in `evidence` (kidney gene -> percentage score).

    Only pairs of two `evidence` genes count. A gene without kidney partners gets
    `ppi_score` 0 and no percentile.
    """
    partners: defaultdict[int, dict[int, int]] = defaultdict(dict)
    for (a, b), score in pairs.items():
        if a in evidence and b in evidence:
            partners[a][b] = score
            partners[b][a] = score

    out: dict[int, dict[str, Any]] = {}
    for gene_id in evidence:
        links = partners.get(gene_id, {})
        interactions = [
            {
                "partner_symbol": symbols[p],
                "string_score": s,
                "partner_evidence": float(evidence[p]),
                "weighted_score": s / 1000 * float(evidence[p]),
            }
            for p, s in links.items()
        ]
        interactions.sort(key=lambda i: (-i["weighted_score"], i["partner_symbol"]))
        degree = len(interactions)
        raw_sum = sum(i["string_score"] for i in interactions)
        weighted_sum = math.fsum(i["weighted_score"] for i in interactions)
        out[gene_id] = {
            "gene_symbol": symbols[gene_id],
            "ppi_score": weighted_sum / math.sqrt(degree) if degree else 0.0,
            "ppi_degree": degree,
            "interactions": interactions[:max_interactions],
            "summary": {
                "total_interactions": degree,
                "raw_sum": raw_sum,
                "weighted_sum": weighted_sum,
                "avg_string_score": raw_sum / degree if degree else 0.0,
                "strong_interactions": sum(
                    1 for i in interactions if i["string_score"] > STRONG_SCORE
                ),
            },
            "ppi_percentile": None,
        }
    ranks = percent_ranks({g: a["ppi_score"] for g, a in out.items() if a["ppi_score"] > 0})
    for gene_id, rank in ranks.items():
        out[gene_id]["ppi_percentile"] = rank
    return out


def links_file(files: RawFiles) -> tuple[StringNetwork, str]:
    """The network and key of the one links file among `files`; `SourceFormatError` when there
    is none or more than one (which network would be scored is then unclear)."""
    present = [(network, key) for network, key in LINKS_KEYS.items() if key in files]
    if len(present) != 1:
        found = ", ".join(key for _, key in present) or "none"
        raise SourceFormatError(
            SOURCE,
            LINKS_KEYS["physical"],
            f"expected the links file of one network ({', '.join(LINKS_KEYS)}); found {found}",
        )
    return present[0]


def annotate(
    files: RawFiles,
    genes: pd.DataFrame,
    scores: Mapping[int, float],
    min_score: int = DEFAULT_MIN_SCORE,
    **_: Any,
) -> annotations.ParsedAnnotations:
    """PPI annotations of the kidney genes (`scores`: gene id -> percentage score, > 0 = kidney).

    Annotation per kidney gene that STRING knows: `ppi_score`, `ppi_degree`, `interactions`
    (the top 30 by weighted score: `partner_symbol`, `string_score`, `partner_evidence`,
    `weighted_score`), `summary` (`total_interactions`, `raw_sum`, `weighted_sum`,
    `avg_string_score`, `strong_interactions` = scores above 800), `ppi_percentile`,
    `gene_symbol`. Only links between two kidney genes are kept while streaming (the score
    reads no other). Version: the release and the network scored, "v12.0 physical" or
    "v12.0 full", since the two networks' scores and partner counts are not comparable.
    """
    info_path = records.require_file(files, SOURCE, INFO_KEY)
    network, links_key = links_file(files)
    links_path = Path(files[links_key])
    index = annotations.GeneIndex(genes)
    collector = annotations.AnnotationCollector(SOURCE, index)
    evidence = {
        int(g): float(s)
        for g, s in scores.items()
        if s is not None and s == s and s > 0 and int(g) in index.symbols
    }
    proteins = read_proteins(info_path, collector)
    kidney_proteins = {p: g for p, g in proteins.items() if g in evidence}
    table = read_links(
        links_path, kidney_proteins, min_score=min_score, collector=collector, key=links_key
    )
    if table.lines == 0:
        raise SourceFormatError(SOURCE, links_key, "the file has a header but no links")

    in_string = set(kidney_proteins.values())
    ppi = ppi_annotations(table.pairs, {g: evidence[g] for g in in_string}, index.symbols)
    collector.replace_records(ppi)
    collector.read(table.lines)
    collector.stats["rows_matched"] += table.kept
    collector.unmatched(table.not_wanted)
    collector.skip("below_min_score", table.below_min_score)
    collector.skip("same_gene", table.same_gene)
    return collector.finish(
        f"{RELEASE} {network.removesuffix('-detailed')}",
        extra_stats={
            "min_score": min_score,
            "kidney_genes": len(evidence),
            "kidney_genes_not_in_string": len(evidence) - len(in_string),
            "gene_pairs": len(table.pairs),
            "genes_with_partners": sum(1 for a in ppi.values() if a["ppi_degree"]),
            "scores_not_in_genes": sum(1 for g in scores if int(g) not in index.symbols),
        },
    )
