"""The `string_ppi` annotation: each kidney gene's STRING v12 interactions with other kidney genes.

Owns reading STRING's human files and the PPI score (reference 4.9):

* `9606.protein.info.v12.0.txt.gz` (`#string_protein_id preferred_name protein_size
  annotation`, tab-separated) maps proteins to our genes by `preferred_name` (symbol).
* `9606.protein.links.v12.0.txt.gz` (`protein1 protein2 combined_score`, space-separated, a
  header line, every link listed in both directions; ~13 million lines) is streamed line by
  line: only links between two proteins of the wanted genes with `combined_score >=
  min_score` are kept, one per gene pair (its highest score), so memory depends on our genes,
  never on the file size. Upstream read the whole file into pandas.

Scoring needs `gene_scores`: "kidney genes" are the genes with `percentage_score > 0` and the
percentage is a partner's evidence. For a kidney gene, over its distinct kidney partners:
weighted = combined_score / 1000 * partner percentage; `ppi_score` = sum(weighted) /
sqrt(partners); `ppi_percentile` = percent rank among this batch's genes with a positive score.
"""

from __future__ import annotations

import bisect
import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any, Final

import pandas as pd

from kg_pipeline.sources.annotations import (
    STRING_PPI,
    AnnotationCollector,
    GeneIndex,
    ParsedAnnotations,
    column_positions,
    iter_blocks,
    iter_lines,
    upstream_keys,
)
from kg_pipeline.sources.records import RawFiles, SourceFormatError, require_file
from kg_pipeline.upstreams import UPSTREAMS

SOURCE: Final = STRING_PPI
INFO_KEY, LINKS_KEY = upstream_keys("string")
RELEASE: Final = UPSTREAMS["string"].release or "v12.0"

DEFAULT_MIN_SCORE: Final = 400
MAX_INTERACTIONS: Final = 30
STRONG_SCORE: Final = 800
"""Links scoring above this count as `strong_interactions`."""

_INFO_COLUMNS: Final = ("string_protein_id", "preferred_name")
_LINK_COLUMNS: Final = ("protein1", "protein2", "combined_score")


@dataclass
class LinkTable:
    """The kept links: unordered gene pair `(low id, high id)` -> highest combined score."""

    pairs: dict[tuple[int, int], int] = field(default_factory=dict)
    lines: int = 0
    kept: int = 0
    below_min_score: int = 0
    not_wanted: int = 0
    same_gene: int = 0


def read_proteins(path: Path, collector: AnnotationCollector) -> dict[str, int]:
    """STRING protein id -> our gene id, from the protein info file (by `preferred_name`)."""
    lines = iter_lines(SOURCE, INFO_KEY, path)
    first = next(lines, None)
    if first is None:
        raise SourceFormatError(SOURCE, INFO_KEY, "the file is empty")
    header = first[1].split("\t")
    pos = column_positions(SOURCE, INFO_KEY, header, _INFO_COLUMNS)
    id_pos, name_pos = pos["string_protein_id"], pos["preferred_name"]
    proteins: dict[str, int] = {}
    read = unmatched = 0
    for number, line in lines:
        if not line.strip():
            continue
        read += 1
        cells = line.split("\t")
        if len(cells) <= max(id_pos, name_pos) or not cells[id_pos].strip():
            collector.reject(f"{INFO_KEY}:{number}", "too few tab-separated cells", line)
            continue
        match = collector.index.match(symbol=cells[name_pos].strip())
        if match is None:
            unmatched += 1
            continue
        proteins[cells[id_pos].strip()] = match.gene_id
    if read == 0:
        raise SourceFormatError(SOURCE, INFO_KEY, "the file has a header but no proteins")
    collector.stats.update(
        proteins_read=read, proteins_matched=len(proteins), proteins_unmatched=unmatched
    )
    return proteins


def read_links(
    path: Path,
    proteins: Mapping[str, int],
    *,
    min_score: int = DEFAULT_MIN_SCORE,
    collector: AnnotationCollector,
) -> LinkTable:
    """Links among `proteins` (protein id -> gene id) scoring at least `min_score`, streamed.

    Holds one entry per gene pair: a link listed in both directions, or between several
    proteins of the same two genes, keeps its highest score. A line whose first protein is not
    wanted is only checked for a protein id; a wanted line without exactly three fields or with
    a non-integer score is rejected, as is any line without a space.
    """
    blocks = iter_blocks(SOURCE, LINKS_KEY, path)
    first_block = next(blocks, None)
    if first_block is None:
        raise SourceFormatError(SOURCE, LINKS_KEY, "the file is empty")
    header, *first_lines = first_block[1]
    pos = column_positions(SOURCE, LINKS_KEY, header.split(), _LINK_COLUMNS)
    if [pos[c] for c in _LINK_COLUMNS] != [0, 1, 2]:
        raise SourceFormatError(
            SOURCE, LINKS_KEY, "expected the columns protein1 protein2 combined_score in order"
        )

    rejected = 0

    def reject(reason: str, first: int, block: list[str], line: str) -> None:
        nonlocal rejected
        rejected += 1
        if collector.wants_sample(reason):
            collector.reject(f"{LINKS_KEY}:{first + block.index(line)}", reason, line)
        else:
            collector.reject("", reason, "")

    pairs: dict[tuple[int, int], int] = {}
    get = proteins.get
    lines_read = blank = kept = below = same_gene = 0
    # The hot loop of the annotation run (13 million lines). Most lines name a protein we do
    # not want, and per line Python allocates objects, which costs time: such a line costs one
    # slice and one dict lookup, nothing else; only wanted lines are split and parsed.
    for first, block in chain([(2, first_lines)], blocks):
        lines_read += len(block)
        for line in block:
            space = line.find(" ")
            if space <= 0:
                if line.strip():
                    reject("expected three fields", first, block, line)
                else:
                    blank += 1
                continue
            gene_a = get(line[:space])
            if gene_a is None:
                continue
            fields = line.split()
            if len(fields) != 3:
                reject("expected three fields", first, block, line)
                continue
            gene_b = get(fields[1])
            if gene_b is None:
                continue
            try:
                score = int(fields[2])
            except ValueError:
                reject("combined_score is not an integer", first, block, line)
                continue
            if score < min_score:
                below += 1
                continue
            if gene_a == gene_b:
                same_gene += 1
                continue
            key = (gene_a, gene_b) if gene_a < gene_b else (gene_b, gene_a)
            kept += 1
            if score > pairs.get(key, -1):
                pairs[key] = score
    lines_read -= blank
    # Every other line is one whose proteins are not both wanted.
    not_wanted = lines_read - kept - below - same_gene - rejected
    return LinkTable(pairs, lines_read, kept, below, not_wanted, same_gene)


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


def annotate(
    files: RawFiles,
    genes: pd.DataFrame,
    scores: Mapping[int, float],
    min_score: int = DEFAULT_MIN_SCORE,
    **_: Any,
) -> ParsedAnnotations:
    """PPI annotations of the kidney genes (`scores`: gene id -> percentage score, > 0 = kidney).

    Annotation per kidney gene that STRING knows: `ppi_score`, `ppi_degree`, `interactions`
    (the top 30 by weighted score: `partner_symbol`, `string_score`, `partner_evidence`,
    `weighted_score`), `summary` (`total_interactions`, `raw_sum`, `weighted_sum`,
    `avg_string_score`, `strong_interactions` = scores above 800), `ppi_percentile`,
    `gene_symbol`. Only links between two kidney genes are kept while streaming (the score
    reads no other). Version: "v12.0".
    """
    info_path = require_file(files, SOURCE, INFO_KEY)
    links_path = require_file(files, SOURCE, LINKS_KEY)
    index = GeneIndex(genes)
    collector = AnnotationCollector(SOURCE, index)
    evidence = {
        int(g): float(s)
        for g, s in scores.items()
        if s is not None and s == s and s > 0 and int(g) in index.symbols
    }
    proteins = read_proteins(info_path, collector)
    kidney_proteins = {p: g for p, g in proteins.items() if g in evidence}
    table = read_links(links_path, kidney_proteins, min_score=min_score, collector=collector)
    if table.lines == 0:
        raise SourceFormatError(SOURCE, LINKS_KEY, "the file has a header but no links")

    in_string = set(kidney_proteins.values())
    annotations = ppi_annotations(table.pairs, {g: evidence[g] for g in in_string}, index.symbols)
    collector.replace_records(annotations)
    collector.read(table.lines)
    collector.stats["rows_matched"] += table.kept
    collector.unmatched(table.not_wanted)
    collector.skip("below_min_score", table.below_min_score)
    collector.skip("same_gene", table.same_gene)
    return collector.finish(
        RELEASE,
        extra_stats={
            "min_score": min_score,
            "kidney_genes": len(evidence),
            "kidney_genes_not_in_string": len(evidence) - len(in_string),
            "gene_pairs": len(table.pairs),
            "genes_with_partners": sum(1 for a in annotations.values() if a["ppi_degree"]),
            "scores_not_in_genes": sum(1 for g in scores if int(g) not in index.symbols),
        },
    )
