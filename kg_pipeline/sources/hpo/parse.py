"""Parse an HPO release into kidney-phenotype evidence: genes annotated to kidney terms.

Owns the kidney subtree (every current descendant of HP:0010935 "Abnormality of the upper
urinary tract", the root included), reading the gene annotations
(`hpo/genes_to_phenotype.txt`: gene, term, disease) and disease names (`hpo/phenotype.hpoa`)
by column name, and the per-gene HPO evidence (reference 2.4).

Upstream asked the JAX API for the subtree and then one annotation call per term (~590 calls);
the release files carry the same facts. Upstream also recorded no `diseases`, which the
scoring counts; here each gene lists the diseases that link it to its kidney terms.
"""

from __future__ import annotations

import csv
import re
import zlib
from pathlib import Path
from typing import Any, Final

import pandas as pd

from kg_pipeline.raw_files import RawFiles, SourceFormatError, decode_utf8, read_bytes
from kg_pipeline.sources import aggregation, records
from kg_pipeline.sources.hpo.annotate import (
    SYNDROMIC_CATEGORIES,
    assess_syndromic,
    syndromic_terms,
)
from kg_pipeline.sources.hpo.ontology import HpoOntology, load_ontology

SOURCE: Final = "HPO"
OBO_KEY: Final = "hpo/hp.obo"
ANNOTATIONS_KEY: Final = "hpo/phenotype.hpoa"
GENES_KEY: Final = "hpo/genes_to_phenotype.txt"

KIDNEY_ROOT: Final = "HP:0010935"
_DATA_VERSION: Final = re.compile(r"data-version:\s*(?:hp/releases/)?(\S+)")
"""Abnormality of the upper urinary tract."""

MIN_SYMBOL_LENGTH: Final = 2

_GENE_COLUMNS: Final = ("ncbi_gene_id", "gene_symbol", "hpo_id", "disease_id")
_HPOA_COLUMNS: Final = ("database_id", "disease_name")

_BOM: Final = b"\xef\xbb\xbf"

ROW_COLUMNS: Final[tuple[str, ...]] = (
    "symbol",
    "reported_hgnc_id",
    "entrez_id",
    "hpo_id",
    "hpo_name",
    "disease_id",
    "disease_name",
    "syndromic_categories",
)

HPO_SCORE_PER_TERM: Final = 20.0
HPO_SCORE_CAP: Final = 100.0
"""Upstream's HPO `evidence_score`: 20 points a kidney term, at most 100 (from 5 terms)."""


def _read_tsv(key: str, data: bytes, required: tuple[str, ...]) -> pd.DataFrame:
    """A tab-separated HPO table (UTF-8 bytes) with its `#` comment lines skipped, required
    columns only.

    pandas reads the bytes as they are: a str copy of them in a `StringIO` would hold the
    33 MB `phenotype.hpoa` four times over (4 bytes a character)."""
    decode_utf8(SOURCE, key, data)  # only to reject a file that is not UTF-8 text
    start = len(_BOM) if data.startswith(_BOM) else 0
    while data.startswith(b"#", start):
        end = data.find(b"\n", start)
        start = len(data) if end < 0 else end + 1
    if start:
        data = data[start:]
    # HPO names contain unbalanced quotes: no quoting.
    table = records.read_table(
        SOURCE, key, data, quoting=csv.QUOTE_NONE, usecols=lambda name: name in required
    )
    if not all(c in table.columns for c in required):
        # `usecols` kept the required columns only: show the header as the file has it.
        header = data.split(b"\n", 1)[0].decode("utf-8", "replace").rstrip("\r")
        records.require_columns(SOURCE, key, header.split("\t"), required)
    return table


def _read_file(key: str, path: Path) -> bytes:
    """The file's bytes (gzip sniffed); unreadable or truncated is a `SourceFormatError`."""
    try:
        return read_bytes(path)
    except (EOFError, OSError, zlib.error) as exc:
        raise SourceFormatError(SOURCE, key, f"unreadable or truncated file ({exc})") from exc


def kidney_terms(ontology: HpoOntology) -> frozenset[str]:
    """The kidney subtree: HP:0010935 and all its current descendants."""
    return ontology.descendants(KIDNEY_ROOT)


def parse(files: RawFiles) -> records.ParsedEvidence:
    """Genes annotated to kidney HPO terms, one row per (gene, kidney term, disease).

    Symbols shorter than 2 characters (the annotation file uses "-" for unnamed genes) are
    rejected, one reject per distinct gene. Release: the obo's `data-version`.
    """
    obo_path = records.require_file(files, SOURCE, OBO_KEY)
    genes_path = records.require_file(files, SOURCE, GENES_KEY)
    hpoa_path = records.require_file(files, SOURCE, ANNOTATIONS_KEY)

    ontology = load_ontology(obo_path, OBO_KEY)
    missing_roots = [
        r for r in (KIDNEY_ROOT, *SYNDROMIC_CATEGORIES.values()) if r not in ontology.names
    ]
    if missing_roots:
        raise SourceFormatError(SOURCE, OBO_KEY, f"root term(s) {', '.join(missing_roots)} missing")
    terms = kidney_terms(ontology)
    syndromic = syndromic_terms(ontology)

    annotations = _read_tsv(GENES_KEY, _read_file(GENES_KEY, genes_path), _GENE_COLUMNS)
    stats = {"kidney_terms": len(terms), "annotations": len(annotations)}
    annotations = annotations[annotations["hpo_id"].isin(terms)]
    annotations = annotations.apply(lambda column: column.str.strip()).drop_duplicates()

    diseases = _read_tsv(
        ANNOTATIONS_KEY, _read_file(ANNOTATIONS_KEY, hpoa_path), _HPOA_COLUMNS
    ).drop_duplicates("database_id")
    disease_names = pd.Series(
        diseases["disease_name"].to_numpy(), index=diseases["database_id"].to_numpy()
    )

    short = annotations["gene_symbol"].str.len() < MIN_SYMBOL_LENGTH
    rejects = [
        records.Reject(
            f"{GENES_KEY}:NCBIGene:{gene_id}",
            f"symbol shorter than {MIN_SYMBOL_LENGTH} characters",
            records.clip(f"{symbol!r} ({count} kidney annotations)"),
        )
        for (gene_id, symbol), count in annotations[short]
        .groupby(["ncbi_gene_id", "gene_symbol"])
        .size()
        .items()
    ]
    kept = annotations[~short]
    rows = pd.DataFrame(
        {
            "symbol": kept["gene_symbol"],
            "reported_hgnc_id": None,
            "entrez_id": kept["ncbi_gene_id"].where(kept["ncbi_gene_id"].ne(""), None),
            "hpo_id": kept["hpo_id"],
            "hpo_name": kept["hpo_id"].map(ontology.names),
            "disease_id": kept["disease_id"].where(kept["disease_id"].ne(""), None),
            "disease_name": kept["disease_id"].map(disease_names),
            # A kidney term can sit under an extra-renal root too (several is_a parents);
            # the aggregate turns these into upstream's syndromic assessment.
            "syndromic_categories": kept["hpo_id"].map(
                lambda term: [c for c, under in syndromic.items() if term in under]
            ),
        },
        columns=list(ROW_COLUMNS),
    ).reset_index(drop=True)
    if rows.empty:
        rows = records.empty_rows(ROW_COLUMNS)
    stats.update(kidney_annotations=len(rows), kidney_genes=int(rows["symbol"].nunique()))
    return records.ParsedEvidence(SOURCE, rows.astype(object), rejects, ontology.release, stats)


def _source_detail(e: dict[str, Any]) -> str:
    phenotypes = aggregation.plural(e["hpo_term_count"], "phenotype")
    return f"HPO: {phenotypes}, {aggregation.plural(e['disease_count'], 'disease')}"


def aggregate(rows: pd.DataFrame) -> pd.DataFrame:
    """One HPO evidence row per gene.

    `evidence_data`: `hpo_terms` (sorted kidney HP ids; with `diseases` the scoring input),
    `phenotypes` ({id, name} per term), `diseases` (sorted ids of the diseases annotating the
    gene with those terms), `disease_names` (id to name), `hpo_term_count`, `disease_count`,
    `entrez_ids`, `reported_symbols`; and upstream's `syndromic_assessment` of the kidney
    terms (per category of `SYNDROMIC_CATEGORIES` the share of the terms under it; the score
    is the mean share of the matched categories, syndromic from 0.3) and `evidence_score`
    (20 points a term, at most 100).
    """
    genes = aggregation.gene_index(rows)
    terms = aggregation.value_lists(rows, genes, "hpo_id")
    diseases = aggregation.value_lists(rows, genes, "disease_id")
    term_names = (
        rows.dropna(subset=["hpo_id"]).drop_duplicates("hpo_id").set_index("hpo_id")["hpo_name"]
    ).to_dict()
    disease_names = (
        rows.dropna(subset=["disease_id"])
        .drop_duplicates("disease_id")
        .set_index("disease_id")["disease_name"]
    ).to_dict()
    categories_of = (rows.dropna(subset=["hpo_id"]).drop_duplicates("hpo_id").set_index("hpo_id"))[
        "syndromic_categories"
    ].to_dict()
    under = {
        c: frozenset(t for t, cs in categories_of.items() if c in cs) for c in SYNDROMIC_CATEGORIES
    }
    evidence = aggregation.per_gene(
        hpo_terms=terms,
        phenotypes=[[{"id": t, "name": term_names.get(t)} for t in ts] for ts in terms],
        diseases=diseases,
        disease_names=[{d: disease_names.get(d) for d in ds} for ds in diseases],
        hpo_term_count=[len(ts) for ts in terms],
        evidence_score=[min(HPO_SCORE_PER_TERM * len(ts), HPO_SCORE_CAP) for ts in terms],
        syndromic_assessment=[assess_syndromic(set(ts), under, mean=True) for ts in terms],
        disease_count=[len(ds) for ds in diseases],
        entrez_ids=aggregation.value_lists(
            rows, genes, "entrez_id", key=aggregation.numeric_text_key
        ),
        reported_symbols=aggregation.value_lists(rows, genes, "symbol"),
    )
    return aggregation.evidence_frame(genes, evidence, _source_detail)


def read_release(files: RawFiles) -> str | None:
    """The ontology's `data-version` (`hp/releases/2025-01-16` gives `2025-01-16`)."""
    return records.release_in_head(files, OBO_KEY, _DATA_VERSION)
