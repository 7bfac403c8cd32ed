"""An independent reading of a snapshot's evidence files: the genes each source names.

The evidence tests compare what a load wrote with what this module finds in the same files. It
reads them with `csv`, `json` and `re` only and resolves gene texts against the snapshot's own
HGNC file with a few rules of its own (`HgncIndex`), never through a source's parser, the
aggregation or the pipeline's normaliser. The one rule shared with the parsers is the kidney
text rule (`kg_pipeline.sources.keywords.mentions_kidney`), a curation decision tested on the
real listings in `kg_pipeline_tests/sources/test_keywords.py`; everything else here is written
again, so a parser, normaliser or swap that drops, adds or misroutes a gene shows as a
difference.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from kg_pipeline.sources.keywords import mentions_kidney

EVIDENCE_SOURCES = {
    "panelapp": "PanelApp",
    "clingen": "ClinGen",
    "gencc": "GenCC",
    "hpo": "HPO",
    "pubtator": "PubTator",
    "diagnostic_panels": "DiagnosticPanels",
    "literature": "Literature",
}
"""Source key -> the source's name in the database."""

_PREFIX = re.compile(r"^(?:GENE|SYMBOL|PROTEIN)\s*:\s*")
_NOTE = re.compile(r"\(.*$")
_GENE_TAG = re.compile(r"@GENE_([^\s@]+)\s+@GENE_[\d;]+\s+@@@")
_HIGHLIGHT = re.compile(r"</?m>")


def placeholder(text: str) -> bool:
    """A text that stands for no gene: blank, "-", "?", "N/A", "unknown", ..."""
    return text.strip().upper() in {"", "-", "?", "N/A", "#N/A", "NA", "NONE", "NULL", "UNKNOWN"}


@dataclass(frozen=True)
class Resolution:
    """What a gene text names: an HGNC id, or why not (`unresolved`, `ambiguous`)."""

    hgnc_id: str | None
    status: str


class HgncIndex:
    """The approved genes of an HGNC complete-set file, by symbol, previous symbol and alias."""

    def __init__(self, path: Path) -> None:
        self.symbols: dict[str, str] = {}
        self.symbol_of: dict[str, str] = {}
        self.claims: dict[str, dict[str, set[str]]] = {"prev_symbol": {}, "alias_symbol": {}}
        with path.open(newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh, delimiter="\t"):
                if row["status"] != "Approved":
                    continue
                self.symbols[row["symbol"].upper()] = row["hgnc_id"]
                self.symbol_of[row["hgnc_id"]] = row["symbol"]
                for column, claims in self.claims.items():
                    for name in filter(None, row[column].split("|")):
                        claims.setdefault(name.upper(), set()).add(row["hgnc_id"])

    def resolve(self, text: str) -> Resolution:
        """Approved symbol first, then a previous symbol, then an alias, case-insensitive; a
        previous symbol or alias claimed by several genes is ambiguous. A "GENE:" prefix and a
        parenthesised note are dropped unless the text itself is a symbol."""
        key = text.strip().upper()
        if key not in self.symbols:
            key = _NOTE.sub("", _PREFIX.sub("", key)).strip()
        if key in self.symbols:
            return Resolution(self.symbols[key], "resolved")
        for claims in self.claims.values():
            owners = claims.get(key, set())
            if len(owners) == 1:
                return Resolution(next(iter(owners)), "resolved")
            if owners:
                return Resolution(None, "ambiguous")
        return Resolution(None, "unresolved")


@dataclass(frozen=True)
class SourceGenes:
    """The distinct gene texts of a source's kidney rows and what they resolve to."""

    texts: dict[str, Resolution]

    @property
    def genes(self) -> set[str]:
        return {r.hgnc_id for r in self.texts.values() if r.hgnc_id}

    @property
    def pending(self) -> set[str]:
        """Texts a load must stage: unresolved or ambiguous."""
        return {t for t, r in self.texts.items() if r.hgnc_id is None}


def source_genes(snapshot: Path, source_key: str, hgnc: HgncIndex) -> SourceGenes:
    """The genes `source_key`'s files in `snapshot` name, resolved against `hgnc`."""
    texts = [t.strip() for t in _TEXTS[source_key](snapshot) if t and not placeholder(t)]
    return SourceGenes({t: hgnc.resolve(t) for t in dict.fromkeys(texts)})


def _clingen(snapshot: Path) -> Iterator[str]:
    path = snapshot / "clingen" / "kb" / "gene-validity" / "download"
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    header = next(i for i, row in enumerate(rows) if row and row[0] == "GENE SYMBOL")
    names = rows[header]
    for row in rows[header + 1 :]:
        if len(row) != len(names) or row[0].startswith("+++"):
            continue  # the rule under the header, a blank or a truncated line
        cells = dict(zip(names, row, strict=True))
        if cells["CLASSIFICATION"] and mentions_kidney(f"{cells['DISEASE LABEL']} {cells['GCEP']}"):
            yield cells["GENE SYMBOL"]


def _gencc(snapshot: Path) -> Iterator[str]:
    (path,) = (snapshot / "gencc").rglob("submissions-export-tsv*")
    with path.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            diseases = (
                row.get(c) for c in ("disease_title", "disease_original_title",
                                     "submitted_as_disease_name")
            )  # fmt: skip
            classification = row["classification_title"] or row["submitted_as_classification_name"]
            if classification and any(mentions_kidney(d) for d in diseases):
                yield row["gene_symbol"] or row["submitted_as_hgnc_symbol"]


def _hpo(snapshot: Path) -> Iterator[str]:
    children: dict[str, set[str]] = {}
    term, obsolete, parents = None, False, []
    for line in [*(snapshot / "hpo" / "hp.obo").read_text(encoding="utf-8").splitlines(), ""]:
        if line.startswith("[") or not line:
            if term and not obsolete:
                for parent in parents:
                    children.setdefault(parent, set()).add(term)
            term, obsolete, parents = None, False, []
        elif line.startswith("id: HP:"):
            term = line[4:].strip()
        elif line.startswith("is_a: "):
            parents.append(line[6:].split("!")[0].strip())
        elif line.strip() == "is_obsolete: true":
            obsolete = True
    kidney, todo = set(), ["HP:0010935"]
    while todo:
        current = todo.pop()
        if current not in kidney:
            kidney.add(current)
            todo.extend(children.get(current, ()))
    with (snapshot / "hpo" / "genes_to_phenotype.txt").open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            if row["hpo_id"] in kidney:
                yield row["gene_symbol"]


def _pubtator(snapshot: Path) -> Iterator[str]:
    for page in (snapshot / "pubtator" / "search").glob("page-*"):
        for article in json.loads(page.read_text(encoding="utf-8"))["results"]:
            yield from _GENE_TAG.findall(_HIGHLIGHT.sub("", article.get("text_hl") or ""))


def _panelapp(snapshot: Path) -> Iterator[str]:
    for region in ("panelapp_uk", "panelapp_au"):
        panels = snapshot / region / "api" / "v1" / "panels"
        for page in panels.glob("page-*"):
            for panel in json.loads(page.read_text(encoding="utf-8"))["results"]:
                text = [
                    panel.get(f) or ""
                    for f in ("name", "disease_group", "disease_sub_group", "description")
                ]
                if not mentions_kidney(
                    " | ".join(text + list(panel.get("relevant_disorders") or []))
                ):
                    continue
                detail = json.loads((panels / str(panel["id"])).read_text(encoding="utf-8"))
                for gene in detail["genes"]:
                    if str(gene.get("confidence_level")).strip().lower() in {"3", "4", "green"}:
                        yield (gene.get("gene_data") or {}).get("gene_symbol") or gene.get(
                            "entity_name"
                        )  # fmt: skip


def gene_list_file_texts(path: Path) -> Iterator[str]:
    """The gene texts of one diagnostic-panel or literature file (placeholders left out)."""
    for entry in json.loads(path.read_text(encoding="utf-8"))["genes"]:
        symbol = entry.get("symbol") if isinstance(entry, dict) else entry
        if isinstance(symbol, str) and not placeholder(symbol):
            yield symbol


def gene_list_files(snapshot: Path, source_key: str) -> list[Path]:
    return sorted((snapshot / source_key).glob("*.json"))


def _gene_lists(source_key: str):
    def texts(snapshot: Path) -> Iterable[str]:
        for path in gene_list_files(snapshot, source_key):
            yield from gene_list_file_texts(path)

    return texts


_TEXTS = {
    "clingen": _clingen,
    "gencc": _gencc,
    "hpo": _hpo,
    "pubtator": _pubtator,
    "panelapp": _panelapp,
    "diagnostic_panels": _gene_lists("diagnostic_panels"),
    "literature": _gene_lists("literature"),
}
