"""The gnomad registry entry: everything about gnomAD that the pipeline and tools read."""

from typing import Final

from kg_pipeline.sources.gnomad import parse
from kg_pipeline.sources.gnomad.upstream import GNOMAD
from kg_pipeline.sources.spec import AnnotationLoad, Source, StatCheck

SOURCE: Final = Source(
    key="gnomad",
    raw_description="gnomAD v4.1 gene constraint metrics (TSV).",
    upstreams=(GNOMAD,),
    cadence="monthly",
    annotation=AnnotationLoad(
        parse,
        description="gnomAD v4.1 constraint of each gene's canonical (MANE) transcript: pLI, "
        "LOEUF (oe_lof with bounds), lof_z, mis_z, syn_z (v4.1.1 and v2.1.1 files read too).",
        coverage_floor=0.5,
        stat_checks=(
            StatCheck(
                "chrx_genes_annotated",
                stat=parse.CHRX_STAT,
                minimum=1,
                description="At least one gene on chromosome X has constraint values: COL4A5, "
                "OCRL and CLCN5 are X-linked kidney genes, and a constraint file without chrX "
                "leaves them all unannotated.",
            ),
        ),
    ),
)
