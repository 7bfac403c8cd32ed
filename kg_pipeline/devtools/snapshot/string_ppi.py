"""STRING v12 human network: `string/protein.info.v12.0/9606.protein.info.v12.0.txt.gz` and
the physical subnetwork `string/protein.physical.links.v12.0/9606.protein.physical.links.
v12.0.txt.gz` (the network the pipeline scores by default; the snapshot has no other).

The info file maps `9606.ENSP...` ids to a preferred name (the gene symbol STRING knew) with
`#string_protein_id preferred_name protein_size annotation`. The links file is
space-separated `protein1 protein2 combined_score`, every link listed in both directions,
sorted by protein1 then protein2, scores 150-999.

With real data, the info file is the real v12 one (19,699 proteins, copied unchanged) and the
R run's high-evidence genes keep exactly their R partners and scores (physical links, as the R
predecessor scored them; see `r_values`); all other links are synthetic, among the real
proteins (origin derived-from-real). The synthetic network is generated per protein in id
order so it streams to disk: proteins sit on a shuffled ring, a pair within ring distance M
is linked when a symmetric hash of the pair falls under p * w_a * w_b (w = per-protein hub
weight), so both directions agree without storing any edge. `scale` sets the number of links:
about 1.4 million lines at full size (upstream's notes give the file as 65 MB of text, about
46 bytes a line; the full functional network has 13.7 million).
"""

from __future__ import annotations

import gzip
import math
from pathlib import Path

import numpy as np

from kg_pipeline.devtools.snapshot.context import SnapshotContext
from kg_pipeline.devtools.snapshot.names import rint
from kg_pipeline.devtools.snapshot.r_values import RValues
from kg_pipeline.devtools.snapshot.universe import GeneUniverse
from kg_pipeline.manifest import Origin
from kg_pipeline.sources.string.upstream import STRING

INFO_RELPATH, LINKS_RELPATH = STRING.files
INFO_FORMAT = "string-protein-info-tsv-gz"
LINKS_FORMAT = "string-protein-physical-links-ssv-gz"
RELEASE = "v12.0"
FULL_LINK_LINES = 1_410_000
CODING_COVERAGE = 0.97
MIN_SCORE, MAX_SCORE = 150, 999
_BATCH = 256

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)

_FUNCTIONS = (
    "Involved in ciliary trafficking",
    "Component of the glomerular slit diaphragm",
    "Transports solutes across the apical membrane",
    "Regulates transcription during nephrogenesis",
    "Part of the extracellular matrix of basement membranes",
    "Catalyzes a step of a metabolic pathway",
    "Acts as a signalling receptor",
    "Required for mitochondrial translation",
    "Binds DNA in a sequence-specific manner",
    "Mediates protein ubiquitination",
)


def _mix(x: np.ndarray, salt: np.uint64) -> np.ndarray:
    """splitmix64 finaliser: a well-spread 64-bit hash of each value."""
    z = (x ^ salt) + _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


def _unit(h: np.ndarray) -> np.ndarray:
    return (h >> np.uint64(11)).astype(np.float64) * (1.0 / (1 << 53))


def write_string_real(ctx: SnapshotContext, real_info: Path, r: RValues) -> None:
    """The real protein info, and the R links among real proteins in a synthetic network."""
    ctx.writer.copy_file(
        "string", INFO_RELPATH, real_info, format=INFO_FORMAT, origin="real", release=RELEASE
    )
    with gzip.open(real_info, "rt", encoding="utf-8") as fh:
        next(fh)  # the header
        ids = sorted(line.split("\t", 1)[0] for line in fh)
    _write_links(ctx, ids, r, origin="derived-from-real")


def write_string_synthetic(ctx: SnapshotContext, universe: GeneUniverse) -> None:
    """Made-up protein ids for most protein-coding genes, and a synthetic network."""
    rng = ctx.rng("string")
    proteins: dict[str, str] = {}  # protein id -> preferred name
    used_numbers: set[int] = set()
    for gene in universe.approved:
        if not gene.is_protein_coding or rng.random() > CODING_COVERAGE:
            continue
        number = rint(rng, 200_000, 499_999)
        while number in used_numbers:
            number = rint(rng, 200_000, 499_999)
        used_numbers.add(number)
        name = gene.symbol
        if rng.random() < 0.01:
            prev = universe.unique_prev_symbol(gene)
            name = prev or name  # STRING's names lag HGNC renames
        proteins[f"9606.ENSP{number:011d}"] = name
    ids = sorted(proteins)
    with ctx.writer.open_text(
        "string",
        INFO_RELPATH,
        format=INFO_FORMAT,
        origin="synthetic",
        release=RELEASE,
        gzipped=True,
    ) as out:
        out.write("#string_protein_id\tpreferred_name\tprotein_size\tannotation\n")
        for p in ids:
            symbol = proteins[p]
            gene = universe.by_symbol.get(symbol)
            name = gene.name if gene else symbol
            size = max(50, round(math.exp(rng.gauss(6.1, 0.6))))
            note = _FUNCTIONS[int(rng.random() * len(_FUNCTIONS))]
            out.write(f"{p}\t{symbol}\t{size}\t{name[0].upper()}{name[1:]}; {note}.\n")
    _write_links(ctx, ids, None, origin="synthetic")


def _write_links(
    ctx: SnapshotContext, ids: list[str], r: RValues | None, *, origin: Origin
) -> None:
    """The links among `ids` (sorted): R's real links where given, synthetic ones elsewhere."""
    nrng = ctx.np_rng("string-network")
    index = {p: i for i, p in enumerate(ids)}
    n = len(ids)

    # Explicit real links (both directions), by node index.
    real_adj: dict[int, dict[int, int]] = {}
    is_real = np.zeros(n, dtype=bool)
    if r:
        for (a, b), score in r.links.items():
            if a in index and b in index:
                ia, ib = index[a], index[b]
                real_adj.setdefault(ia, {})[ib] = score
                real_adj.setdefault(ib, {})[ia] = score
        for p in r.protein_of.values():
            if p in index:
                is_real[index[p]] = True

    target = ctx.scaled(FULL_LINK_LINES)
    # ~8 % of candidate links are lost where p * w_a * w_b is clipped at 1; aim that much higher.
    degree = 1.085 * target / max(n, 1)
    m = max(1, min((n - 1) // 2, math.ceil(2.5 * degree)))
    prob = degree / (2 * m)
    weights = nrng.lognormal(0.0, 0.8, size=n)
    weights /= weights.mean()
    ring = nrng.permutation(n)  # ring position -> node
    position = np.empty(n, dtype=np.int64)
    position[ring] = np.arange(n)
    offsets = np.concatenate([np.arange(1, m + 1), -np.arange(1, m + 1)])
    salt_edge = np.uint64(nrng.integers(0, 2**63))
    salt_score = np.uint64(nrng.integers(0, 2**63))

    lines = 0
    with ctx.writer.open_text(
        "string", LINKS_RELPATH, format=LINKS_FORMAT, origin=origin, release=RELEASE, gzipped=True
    ) as out:
        out.write("protein1 protein2 combined_score\n")
        for start in range(0, n, _BATCH):
            nodes = np.arange(start, min(n, start + _BATCH))
            partners = ring[(position[nodes][:, None] + offsets[None, :]) % n]
            lo = np.minimum(nodes[:, None], partners).astype(np.uint64)
            hi = np.maximum(nodes[:, None], partners).astype(np.uint64)
            key = lo * np.uint64(n) + hi
            threshold = np.minimum(1.0, prob * weights[nodes][:, None] * weights[partners])
            linked = _unit(_mix(key, salt_edge)) < threshold
            linked &= ~(is_real[nodes][:, None] & is_real[partners])
            scores = MIN_SCORE + np.floor(
                (MAX_SCORE - MIN_SCORE + 1) * _unit(_mix(key, salt_score)) ** 2.2
            ).astype(np.int64)
            for row, node in enumerate(nodes.tolist()):
                mask = linked[row]
                found = dict(
                    zip(partners[row][mask].tolist(), scores[row][mask].tolist(), strict=True)
                )
                found.update(real_adj.get(node, {}))
                if not found:
                    continue
                me = ids[node]
                out.writelines(f"{me} {ids[j]} {found[j]}\n" for j in sorted(found))
                lines += len(found)
    ctx.say(f"string: {n:,} proteins, {lines:,} link lines (both directions)")
