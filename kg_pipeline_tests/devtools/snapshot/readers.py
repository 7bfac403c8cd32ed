"""Small, independent readers of snapshot files, for the snapshot tests.

They re-implement just enough of each source's rule (kidney keywords, green genes, HGNC
normalisation) to count what a snapshot offers; they are not the pipeline's parsers.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kg_pipeline.devtools.snapshot.hpo import KIDNEY_ROOT, load_hpo

KIDNEY_GCEP_WORDS = ("Kidney", "Glomerulopathy", "Tubulopathy")
_KIDNEY_RE = re.compile(
    r"kidney|(?<!ad)renal|nephro|glomerul|polycystic|alport|cakut|tubulopath", re.IGNORECASE
)


def is_kidney_text(text: str) -> bool:
    """Kidney keywords as the R pipeline used them ("adrenal" is not renal)."""
    return bool(_KIDNEY_RE.search(text))


@dataclass
class Hgnc:
    """Approved symbols with previous symbols and aliases, for normalising raw symbols."""

    header: list[str]
    rows: int
    approved: dict[str, str] = field(default_factory=dict)  # upper symbol -> symbol
    entrez: dict[str, str] = field(default_factory=dict)  # symbol -> NCBI id
    previous: dict[str, set[str]] = field(default_factory=dict)
    alias: dict[str, set[str]] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)
    withdrawn: set[str] = field(default_factory=set)  # symbols of withdrawn entries

    def resolve(self, raw: str | None) -> str | None:
        if not raw:
            return None
        text = raw.strip().upper()
        text = re.sub(r"^(GENE|SYMBOL|PROTEIN):\s*", "", text)
        text = re.sub(r"\(.*?\)", "", text).strip()
        text = re.split(r"[;,|/\\\s]", text)[0] if text else text
        if text in self.approved:
            return self.approved[text]
        for table in (self.previous, self.alias):
            hits = table.get(text, set())
            if len(hits) == 1:
                return next(iter(hits))
        return None


def read_hgnc(path: Path) -> Hgnc:
    with path.open(encoding="utf-8", newline="") as fh:
        header = fh.readline().rstrip("\n").split("\t")
        col = {c: i for i, c in enumerate(header)}
        hgnc = Hgnc(header=header, rows=0)
        for line in fh:
            cols = line.rstrip("\n").split("\t")
            hgnc.rows += 1
            status = cols[col["status"]]
            hgnc.statuses[status] = hgnc.statuses.get(status, 0) + 1
            if status != "Approved":
                hgnc.withdrawn.add(cols[col["symbol"]].split("~")[0])
                continue
            symbol = cols[col["symbol"]]
            hgnc.approved[symbol.upper()] = symbol
            hgnc.entrez[symbol] = cols[col["entrez_id"]]
            for name, table in (("prev_symbol", hgnc.previous), ("alias_symbol", hgnc.alias)):
                for value in cols[col[name]].strip('"').split("|"):
                    if value:
                        table.setdefault(value.upper(), set()).add(symbol)
    return hgnc


def panelapp_green(root: Path, key: str) -> list[str]:
    """Green gene symbols on kidney-named panels, walking the listing pages."""
    base = root / key / "api/v1/panels"
    out: list[str] = []
    page = 1
    while True:
        listing = json.loads((base / f"page-{page}").read_bytes())
        for panel in listing["results"]:
            if not is_kidney_text(panel["name"]):
                continue
            detail = json.loads((base / str(panel["id"])).read_bytes())
            for gene in detail["genes"]:
                if str(gene.get("confidence_level")) in ("3", "4"):
                    out.append((gene.get("gene_data") or {}).get("gene_symbol") or "")
        if not listing["next"]:
            return out
        page += 1


def _csv_rows(text: str) -> Iterator[list[str]]:
    yield from csv.reader(io.StringIO(text))


def clingen_kidney(root: Path) -> list[str]:
    text = (root / "clingen/kb/gene-validity/download").read_text(encoding="utf-8")
    out = []
    for row in list(_csv_rows(text))[6:]:
        if len(row) < 10:
            continue
        if any(w in row[9] for w in KIDNEY_GCEP_WORDS) or is_kidney_text(row[2]):
            out.append(row[0])
    return out


GENCC_EXPORT = "gencc/download/action/submissions-export-tsv?format=new"


def gencc_rows(root: Path) -> list[dict[str, str]]:
    """The complete rows of the GenCC export (tab-separated, nothing quoted) by column name."""
    text = (root / GENCC_EXPORT).read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE))
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:] if len(r) == len(rows[0])]


def gencc_kidney(root: Path) -> list[str]:
    return [r["gene_symbol"] for r in gencc_rows(root) if is_kidney_text(r["disease_title"])]


def hpo_kidney(root: Path) -> list[str]:
    release = load_hpo(root / "hpo")
    terms = release.descendants(KIDNEY_ROOT)
    return sorted(s for s, ts in release.gene_terms.items() if ts & terms)


# Highlight marks may wrap a tag (`@<m>GENE_PKD1</m>`); a tag may carry several ids (`5310;18763`).
_GENE_RE = re.compile(r"@GENE_(\S+) @GENE_(\d+(?:;\d+)*) @@@")


def pubtator_mentions(root: Path) -> list[tuple[str, str]]:
    out = []
    page = 1
    while True:
        path = root / f"pubtator/search/page-{page}"
        if not path.is_file():
            return out
        body = json.loads(path.read_bytes())
        for result in body["results"]:
            out += _GENE_RE.findall(re.sub("</?m>", "", result.get("text_hl") or ""))
        page += 1


def seed_symbols(root: Path, upstream: str) -> list[str]:
    out = []
    for path in sorted((root / upstream).glob("*.json")):
        for gene in json.loads(path.read_bytes())["genes"]:
            out.append(gene.get("symbol") or "")
    return out


def evidence_genes(root: Path, hgnc: Hgnc) -> dict[str, set[str]]:
    """Approved symbols per evidence source, after normalisation."""

    def resolved(raw: list[str]) -> set[str]:
        return {s for s in (hgnc.resolve(r) for r in raw) if s}

    return {
        "PanelApp": resolved(
            panelapp_green(root, "panelapp_uk") + panelapp_green(root, "panelapp_au")
        ),
        "ClinGen": resolved(clingen_kidney(root)),
        "GenCC": resolved(gencc_kidney(root)),
        "HPO": resolved(hpo_kidney(root)),
        "PubTator": resolved([s for s, _ in pubtator_mentions(root)]),
        "DiagnosticPanels": resolved(seed_symbols(root, "diagnostic_panels")),
        "Literature": resolved(seed_symbols(root, "literature")),
    }


def read_gzip_text(path: Path) -> str:
    return gzip.decompress(path.read_bytes()).decode("utf-8")
