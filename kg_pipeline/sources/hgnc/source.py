"""The hgnc registry entry: everything about HGNC that the pipeline and tools read."""

from typing import Final

from kg_pipeline.sources.hgnc import annotate
from kg_pipeline.sources.hgnc.parse import read_release
from kg_pipeline.sources.hgnc.upstream import HGNC
from kg_pipeline.sources.spec import AnnotationLoad, Source

SOURCE: Final = Source(
    key="hgnc",
    raw_description="HGNC complete set: every human gene, its symbols and cross-references (TSV).",
    upstreams=(HGNC,),
    cadence="monthly",
    annotation=AnnotationLoad(
        annotate,
        description="HGNC identifiers (Entrez, Ensembl, OMIM, UniProt, RefSeq, MANE), name, locus "
        "type, location and gene groups of every gene.",
        coverage_floor=0.95,
        inputs=("complete_set",),
    ),
    read_release=read_release,
    reference=True,
)
