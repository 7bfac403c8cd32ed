"""The gnomad registry entry: everything about gnomAD that the pipeline and tools read."""

from typing import Final

from kg_pipeline.sources.gnomad import parse
from kg_pipeline.sources.gnomad.upstream import GNOMAD
from kg_pipeline.sources.spec import AnnotationLoad, Source

SOURCE: Final = Source(
    key="gnomad",
    raw_description="gnomAD v4.1 gene constraint metrics (TSV).",
    upstreams=(GNOMAD,),
    cadence="monthly",
    annotation=AnnotationLoad(
        parse,
        description="gnomAD v4.1 constraint of each gene's canonical (MANE) transcript: pLI, "
        "LOEUF (oe_lof with bounds), lof_z, mis_z, syn_z.",
        coverage_floor=0.5,
    ),
)
