"""The gtex registry entry: everything about GTEx that the pipeline and tools read."""

from typing import Final

from kg_pipeline.sources.gtex import parse
from kg_pipeline.sources.gtex.upstream import GTEX
from kg_pipeline.sources.spec import AnnotationLoad, Source

SOURCE: Final = Source(
    key="gtex",
    raw_description="GTEx v8 median gene expression (TPM) per tissue (GCT, gzipped).",
    upstreams=(GTEX,),
    cadence="monthly",
    annotation=AnnotationLoad(
        parse,
        description="GTEx v8 median expression (TPM) in every tissue, kidney cortex and medulla "
        "highlighted.",
        coverage_floor=0.5,
    ),
)
