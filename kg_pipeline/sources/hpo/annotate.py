"""The `hpo` annotation: every HPO phenotype and disease of a gene, and its clinical classification.

Owns the per-gene HPO annotation (reference 4.6) from one HPO release: the gene-phenotype
table (`genes_to_phenotype.txt`, streamed, columns by name), the ontology (`hp.obo`, loaded by
`hpo.ontology.load_ontology`, pyhpo's OBO reader) for the kidney subtree and the phenotype
groups, and disease names from `phenotype.hpoa` when it is given. Rows match our genes by
`ncbi_gene_id` (Entrez) and fall back to the symbol.

The classification follows upstream's configuration: clinical groups by exact signature terms,
onset groups and syndromic categories by descendants (roots included). The syndromic
assessment looks at ALL of a gene's phenotypes: upstream once removed the kidney phenotypes
first and then found no syndromic gene at all (upstream issue #8).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import pandas as pd

from kg_pipeline.raw_files import RawFiles, SourceFormatError, read_once
from kg_pipeline.sources import annotations, records
from kg_pipeline.sources.hpo.ontology import HpoOntology, load_ontology

SOURCE: Final = "hpo"
OBO_KEY: Final = "hpo/hp.obo"
GENES_KEY: Final = "hpo/genes_to_phenotype.txt"
DISEASES_KEY: Final = "hpo/phenotype.hpoa"

KIDNEY_ROOTS: Final[tuple[str, ...]] = (
    "HP:0010935",  # Abnormality of the upper urinary tract
    "HP:0000077",  # Abnormality of the kidney
    "HP:0012210",  # Abnormal renal morphology
    "HP:0000079",  # Abnormality of the urinary system
)

CLINICAL_GROUPS: Final[dict[str, tuple[str, ...]]] = {
    "complement": ("HP:0000093", "HP:0000100", "HP:0001970", "HP:0000796", "HP:0003259"),
    "cakut": ("HP:0000107", "HP:0000085", "HP:0000089", "HP:0000072", "HP:0000126"),
    "glomerulopathy": ("HP:0000097", "HP:0003774", "HP:0000123", "HP:0000099", "HP:0030888"),
    "cyst_cilio": ("HP:0005562", "HP:0000107", "HP:0001737", "HP:0000092", "HP:0000003"),
    "tubulopathy": ("HP:0003127", "HP:0002900", "HP:0002148", "HP:0000114", "HP:0004918"),
    "nephrolithiasis": ("HP:0000787", "HP:0000121", "HP:0000791", "HP:0008672", "HP:0004724"),
}
"""Group -> its signature terms (matched exactly, each group weight 1.0)."""

CLINICAL_GROUP_WEIGHT: Final = 1.0

ONSET_GROUPS: Final[dict[str, tuple[str, ...]]] = {
    "adult": ("HP:0003581",),
    "pediatric": ("HP:0410280", "HP:0003623"),
    "congenital": ("HP:0003577", "HP:0030674"),
}
"""Group -> root terms (matched with all their descendants)."""

SYNDROMIC_CATEGORIES: Final[dict[str, str]] = {
    "growth": "HP:0001507",
    "skeletal": "HP:0000924",
    "neurologic": "HP:0000707",
    "head_neck": "HP:0000152",
}
"""Category -> root term (matched with all its descendants)."""

SYNDROMIC_THRESHOLD: Final = 0.3

_GENE_COLUMNS: Final = ("ncbi_gene_id", "gene_symbol", "hpo_id", "disease_id")
_DISEASE_COLUMNS: Final = ("database_id", "disease_name")


@dataclass(frozen=True)
class TermGroups:
    """The term sets the classification tests phenotypes against, computed once per release."""

    kidney: frozenset[str]
    onset: dict[str, frozenset[str]]
    syndromic: dict[str, frozenset[str]]

    @classmethod
    def from_ontology(cls, ontology: HpoOntology) -> TermGroups:
        """Descendant sets of every root; a root missing from the release is a format error."""
        roots = [*KIDNEY_ROOTS, *(r for rs in ONSET_GROUPS.values() for r in rs)]
        roots += list(SYNDROMIC_CATEGORIES.values())
        missing = [r for r in roots if r not in ontology.names]
        if missing:
            raise SourceFormatError(
                SOURCE, OBO_KEY, f"classification root term(s) {', '.join(missing)} missing"
            )
        return cls(
            kidney=ontology.descendants_of_any(KIDNEY_ROOTS),
            onset={g: ontology.descendants_of_any(rs) for g, rs in ONSET_GROUPS.items()},
            syndromic=syndromic_terms(ontology),
        )


def syndromic_terms(ontology: HpoOntology) -> dict[str, frozenset[str]]:
    """Per syndromic category, its root and every term under it."""
    return {c: ontology.descendants(r) for c, r in SYNDROMIC_CATEGORIES.items()}


def assess_syndromic(
    phenotype_ids: set[str], categories: Mapping[str, frozenset[str]], *, mean: bool
) -> dict[str, Any]:
    """The syndromic assessment of a gene's phenotypes against `categories` (terms per
    category): per category the share of the phenotypes under it (`category_scores`, matched
    categories only), the term counts, and `is_syndromic` when `syndromic_score` is at least
    0.3. Upstream's annotation sums the shares and its evidence averages them (`mean`)."""
    n_phenotypes = len(phenotype_ids)
    matches = {c: phenotype_ids & terms for c, terms in categories.items()}
    shares = {c: len(m) / n_phenotypes for c, m in matches.items() if m and n_phenotypes}
    score = math.fsum(shares.values())
    if mean and shares:
        score /= len(shares)
    return {
        "is_syndromic": score >= SYNDROMIC_THRESHOLD,
        "syndromic_score": score,
        "category_scores": shares,
        "extra_renal_categories": sorted(shares),
        "extra_renal_term_counts": {c: len(m) for c, m in matches.items() if m},
    }


def _argmax(scores: Mapping[str, float]) -> str | None:
    """The highest-scoring group (the first in declaration order on a tie), None if all are 0."""
    best = max(scores, key=lambda g: scores[g], default=None)
    return best if best is not None and scores[best] > 0 else None


def classify(phenotype_ids: set[str], groups: TermGroups) -> dict[str, Any]:
    """The `classification` of one gene's phenotypes (reference 4.6).

    `clinical_group`: per group, matched signature terms / 5 * weight, normalised to sum 1;
    `primary` = the argmax when positive; `supporting_terms` = the primary group's matches.
    `onset_group`: per group, the number of phenotypes under its roots, normalised; `primary`.
    `syndromic_assessment`: per category, the share of ALL phenotypes under its root (every
    term the gene is annotated with, inheritance and onset terms included, as upstream counts);
    `syndromic_score` = the sum of shares; `is_syndromic` when it is at least 0.3.
    """
    raw = {
        group: len(phenotype_ids.intersection(terms)) / len(terms) * CLINICAL_GROUP_WEIGHT
        for group, terms in CLINICAL_GROUPS.items()
    }
    total = sum(raw.values())
    clinical = {g: (v / total if total > 0 else 0.0) for g, v in raw.items()}
    primary_clinical = _argmax(clinical)

    onset_counts = {g: len(phenotype_ids & terms) for g, terms in groups.onset.items()}
    onset_total = sum(onset_counts.values())
    onset = {g: (n / onset_total if onset_total else 0.0) for g, n in onset_counts.items()}

    return {
        "clinical_group": {
            "primary": primary_clinical,
            "scores": clinical,
            "supporting_terms": sorted(
                phenotype_ids.intersection(CLINICAL_GROUPS[primary_clinical])
                if primary_clinical
                else ()
            ),
        },
        "onset_group": {"primary": _argmax(onset), "scores": onset, "counts": onset_counts},
        "syndromic_assessment": assess_syndromic(phenotype_ids, groups.syndromic, mean=False),
    }


def _header_and_rows(key: str, path: Path) -> tuple[list[str], Iterator[tuple[int, str]]]:
    """Skip `#` comment lines; return (header cells, the remaining line iterator)."""
    lines = annotations.iter_lines(SOURCE, key, path)
    for _number, line in lines:
        if line.startswith("#") and "\t" not in line:
            continue
        return line.lstrip("#").split("\t"), lines
    raise SourceFormatError(SOURCE, key, "the file has no header line")


def _merge(kept: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    # Mutates the kept record: one gene has hundreds of rows, copying would be quadratic.
    kept["phenotypes"].update(new["phenotypes"])
    kept["diseases"].update(new["diseases"])
    return kept


@dataclass
class _GeneRun:
    """Consecutive well-formed lines of `genes_to_phenotype.txt` with the same gene cells."""

    cells: tuple[str, str]
    """The lines' `ncbi_gene_id` and `gene_symbol` cells, as written."""
    lines: int = 0
    terms: dict[str, str] = field(default_factory=dict)
    """Each term of the lines -> its `hpo_name` on the first line naming it ("" without the
    column)."""
    diseases: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class GenePhenotypes:
    """`genes_to_phenotype.txt` read without our genes: its well-formed lines as runs of the
    same gene, in file order, and what the read counted and rejected."""

    runs: tuple[_GeneRun, ...]
    named: bool
    """Whether the file has the `hpo_name` column."""
    log: annotations.ReadLog


@read_once
def read_gene_phenotypes(path: Path) -> GenePhenotypes:
    """The gene-phenotype lines of `genes_to_phenotype.txt` (columns by name). Shared by the raw
    check and the load of a run (`read_once`): neither changes it. Lines with a term id that is
    not `HP:` are rejected."""
    collector = annotations.AnnotationCollector(SOURCE, annotations.NO_GENE_INDEX)
    header, lines = _header_and_rows(GENES_KEY, path)
    pos = annotations.column_positions(SOURCE, GENES_KEY, header, _GENE_COLUMNS)
    entrez_pos, symbol_pos = pos["ncbi_gene_id"], pos["gene_symbol"]
    term_pos, disease_pos = pos["hpo_id"], pos["disease_id"]
    name_pos = pos.get("hpo_name")
    width = max(pos.values()) + 1
    # One string per distinct term and name, however many runs hold it (a run's set keeps one
    # of each of its diseases).
    texts: dict[str, str] = {}
    runs: list[_GeneRun] = []
    run = _GeneRun(("", ""))
    terms, diseases = run.terms, run.diseases
    entrez = symbol = None
    for number, cells, line in collector.tab_rows(lines, GENES_KEY, at_least=width):
        term = cells[term_pos].strip()
        if not term.startswith("HP:"):
            collector.reject(f"{GENES_KEY}:{number}", "not an HPO term id", line)
            continue
        if cells[entrez_pos] != entrez or cells[symbol_pos] != symbol:
            entrez, symbol = cells[entrez_pos], cells[symbol_pos]
            run = _GeneRun((entrez, symbol))
            runs.append(run)
            terms, diseases = run.terms, run.diseases
        run.lines += 1
        if term not in terms:
            name = cells[name_pos].strip() if name_pos is not None else ""
            terms[texts.setdefault(term, term)] = texts.setdefault(name, name)
        if disease := cells[disease_pos].strip():
            diseases.add(disease)
    return GenePhenotypes(tuple(runs), name_pos is not None, collector.log())


def offer_gene_phenotypes(
    read: GenePhenotypes, collector: annotations.AnnotationCollector
) -> dict[str, str]:
    """Offer our genes' phenotypes and diseases to `collector`, one record per gene (matched by
    Entrez id, else symbol), after the read's counts and rejects; returns the file's name of
    each term of our genes (from its first line of ours naming it).

    A gene has hundreds of lines, which the file lists one after another: each run of lines of
    the same gene cells (those of other genes between them left out) is offered as one merged
    record, and its cells are matched once."""
    collector.replay(read.log)
    genes_by_cells: dict[tuple[str, str], tuple[annotations.GeneMatch | None, str, str | None]] = {}
    file_names: dict[str, str] = {}
    run_cells: tuple[str, str] | None = None
    run: dict[str, Any] = {}
    run_match: annotations.GeneMatch | None = None
    run_rows = unmatched = 0
    for lines in read.runs:
        if (gene := genes_by_cells.get(lines.cells)) is None:
            entrez, symbol = lines.cells[0].strip() or None, lines.cells[1].strip()
            match = collector.index.match(entrez_id=entrez, symbol=symbol)
            gene = genes_by_cells[lines.cells] = (match, symbol, entrez)
        match, symbol, entrez = gene
        if match is None:
            unmatched += lines.lines
            continue
        if read.named:
            for term, name in lines.terms.items():
                file_names.setdefault(term, name)
        if lines.cells != run_cells:
            if run_match is not None:
                collector.offer(run_match, run, merge=_merge, rows=run_rows)
            run_cells, run_match, run_rows = lines.cells, match, 0
            run = {"gene_symbol": symbol, "ncbi_gene_id": entrez}
            run.update(phenotypes=set(), diseases=set())
        run_rows += lines.lines
        run["phenotypes"].update(lines.terms)
        run["diseases"].update(lines.diseases)
    if run_match is not None:
        collector.offer(run_match, run, merge=_merge, rows=run_rows)
    collector.unmatched(unmatched)
    return file_names


def disease_names(path: Path, wanted: set[str]) -> dict[str, str]:
    """Names of the `wanted` disease ids from `phenotype.hpoa` (streamed; others not kept)."""
    header, lines = _header_and_rows(DISEASES_KEY, path)
    pos = annotations.column_positions(SOURCE, DISEASES_KEY, header, _DISEASE_COLUMNS)
    id_pos, name_pos = pos["database_id"], pos["disease_name"]
    names: dict[str, str] = {}
    last = max(id_pos, name_pos)
    for _number, line in lines:
        cells = line.split("\t", last + 1)  # the cells after these are not read
        if len(cells) <= last:
            continue  # the annotation rows are not ours to validate; only names are read
        disease = cells[id_pos].strip()
        if disease in wanted and disease not in names and cells[name_pos].strip():
            names[disease] = cells[name_pos].strip()
    return names


def annotate(
    files: RawFiles,
    genes: pd.DataFrame,
    *,
    ontology: HpoOntology | None = None,
    **_: Any,
) -> annotations.ParsedAnnotations:
    """Phenotypes, diseases, kidney phenotypes and classification for each of our genes.

    `ontology` may be passed when the caller already loaded `hp.obo` (the tests do, to read it
    once); otherwise it is read from `hpo/hp.obo` (`load_ontology`, which a raw check and the
    load in one run share). `hpo/phenotype.hpoa` is optional: without it the diseases carry no
    names. Rows with a term id that is not `HP:` are rejected. Version: the ontology's
    `data-version` date.
    """
    genes_path = records.require_file(files, SOURCE, GENES_KEY)
    if ontology is None:
        ontology = load_ontology(records.require_file(files, SOURCE, OBO_KEY), OBO_KEY)
    groups = TermGroups.from_ontology(ontology)
    collector = annotations.AnnotationCollector(SOURCE, annotations.GeneIndex(genes))
    file_names = offer_gene_phenotypes(read_gene_phenotypes(genes_path), collector)

    by_gene = collector.records()
    all_diseases = set().union(*(r["diseases"] for r in by_gene.values()))
    names: dict[str, str] = {}
    if DISEASES_KEY in files and all_diseases:
        names = disease_names(Path(files[DISEASES_KEY]), all_diseases)

    def term_name(term: str) -> str | None:
        return ontology.names.get(term) or file_names.get(term) or None

    finished: dict[int, dict[str, Any]] = {}
    not_in_release: set[str] = set()
    for gene_id, record in by_gene.items():
        phenotypes: set[str] = record["phenotypes"]
        not_in_release |= {t for t in phenotypes if t not in ontology.names}
        kidney = sorted(phenotypes & groups.kidney)
        diseases = sorted(record["diseases"])
        finished[gene_id] = {
            "gene_symbol": record["gene_symbol"],
            "ncbi_gene_id": record["ncbi_gene_id"],
            "has_hpo_data": True,
            "phenotypes": [{"id": t, "name": term_name(t)} for t in sorted(phenotypes)],
            "phenotype_count": len(phenotypes),
            "diseases": [{"id": d, "name": names.get(d)} for d in diseases],
            "disease_count": len(diseases),
            "kidney_phenotypes": [{"id": t, "name": term_name(t)} for t in kidney],
            "kidney_phenotype_count": len(kidney),
            "has_kidney_phenotype": bool(kidney),
            "classification": classify(phenotypes, groups),
        }
    collector.replace_records(finished)
    return collector.finish(
        ontology.release,
        extra_stats={
            "kidney_terms": len(groups.kidney),
            "genes_with_kidney_phenotype": sum(
                1 for r in finished.values() if r["has_kidney_phenotype"]
            ),
            "terms_not_in_release": len(not_in_release),
        },
    )
