"""The tables a release publishes, their schemas, and how they are shaped from the database.

Each table is written as Parquet and as gzipped CSV with the same columns; `TABLES` is the one
description of their columns, which the datapackage (`package.py`) turns into Frictionless
schemas and the writer uses to fix each column's type.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

import pandas as pd

from kg_pipeline.db.models import GNOMAD_CONSTRAINT_COLUMNS
from kg_pipeline.db.releases import DatabaseTables


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    """Frictionless type: string, integer, number, boolean or object (a JSON document)."""
    description: str


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]


_GENE = (
    Field("hgnc_id", "string", "HGNC id, HGNC:<number>"),
    Field("approved_symbol", "string", "HGNC approved symbol at release time"),
)
_RAW = (
    Field("raw_release", "string", "release of the source's raw version loaded"),
    Field("raw_sha256", "string", "sha256 of the source's raw version loaded"),
)

GENES: Final = Table(
    "genes",
    "Genes with evidence, their scores and tiers",
    (
        *_GENE,
        Field("source_count", "integer", "evidence sources listing the gene"),
        Field("raw_score", "number", "sum of the per-source scores (0-1 each)"),
        Field("percentage_score", "number", "raw_score over the active sources, in percent"),
        Field("evidence_tier", "string", "comprehensive/multi_source/established_support, ..."),
        Field("evidence_group", "string", "well_supported, emerging_evidence or insufficient"),
        Field("source_scores", "object", "per-source score (JSON object)"),
    ),
    ("hgnc_id",),
)
EVIDENCE: Final = Table(
    "evidence",
    "One row per gene and evidence source",
    (
        *_GENE,
        Field("source_name", "string", "evidence source"),
        Field("source_count", "integer", "panels, publications, terms... the source counts"),
        Field("normalized_score", "number", "the source's score of the gene (0-1)"),
        Field("evidence_data", "object", "the evidence as loaded (JSON object)"),
        Field("evidence_sha256", "string", "sha256 of evidence_data, to compare releases"),
        *_RAW,
    ),
    ("hgnc_id", "source_name"),
)
ANNOTATIONS: Final = Table(
    "annotations",
    "Per-gene annotation summary (HGNC ids, MANE, gnomAD constraint, sources covering it)",
    (
        *_GENE,
        Field("ncbi_gene_id", "string", "NCBI Gene id"),
        Field("ensembl_gene_id", "string", "Ensembl gene id"),
        Field("mane_select_transcript", "string", "MANE Select record"),
        *(
            Field(name, "number", f"gnomAD constraint: {name}")
            for name in GNOMAD_CONSTRAINT_COLUMNS
        ),
        Field("annotation_source_count", "integer", "annotation sources covering the gene"),
        Field("annotation_sources", "string", "those sources, comma-separated"),
    ),
    ("hgnc_id",),
)
TABLES: Final[tuple[Table, ...]] = (GENES, EVIDENCE, ANNOTATIONS)

_DTYPES: Final = {
    "string": "string",
    "object": "string",
    "integer": "Int64",
    "number": "float64",
    "boolean": "boolean",
}


def typed(frame: pd.DataFrame, table: Table) -> pd.DataFrame:
    """`frame` with exactly `table`'s columns, in order, each with its type's dtype (nullable
    integers, so a missing count stays missing instead of turning the column into floats)."""
    return pd.DataFrame(
        {f.name: frame[f.name].astype(_DTYPES[f.type]) for f in table.fields}, index=frame.index
    ).reset_index(drop=True)


@dataclass(frozen=True)
class SourceVersion:
    """The raw version of a source a release was made from (the raw index's latest good)."""

    key: str
    evidence_name: str | None
    release: str | None
    sha256: str
    fetched_at: str
    origin: str


@dataclass(frozen=True)
class ReleaseTables:
    genes: pd.DataFrame
    evidence: pd.DataFrame
    annotations: pd.DataFrame

    def frame(self, table: Table) -> pd.DataFrame:
        return {"genes": self.genes, "evidence": self.evidence, "annotations": self.annotations}[
            table.name
        ]


def release_tables(
    database: DatabaseTables, versions: Mapping[str, SourceVersion]
) -> ReleaseTables:
    """The database's tables as released: each evidence row carries a digest of its document
    and the raw version of its source (`versions` by evidence source name), so a later release
    can say which raw version brought a change."""
    evidence = database.evidence.copy()
    evidence["evidence_sha256"] = [
        hashlib.sha256(text.encode()).hexdigest() for text in evidence["evidence_data"]
    ]
    evidence["raw_release"] = [
        v.release if (v := versions.get(name)) else None for name in evidence["source_name"]
    ]
    evidence["raw_sha256"] = [
        v.sha256 if (v := versions.get(name)) else None for name in evidence["source_name"]
    ]
    return ReleaseTables(
        typed(database.genes, GENES),
        typed(evidence, EVIDENCE),
        typed(database.annotations, ANNOTATIONS),
    )
