"""The clinvar registry entry: everything about ClinVar that the pipeline and tools read."""

from typing import Final

from kg_pipeline.sources.clinvar import parse
from kg_pipeline.sources.clinvar.upstream import CLINVAR
from kg_pipeline.sources.spec import AnnotationLoad, Source

SOURCE: Final = Source(
    key="clinvar",
    raw_description="ClinVar gene-specific summary: variant and submission counts per gene (TSV).",
    upstreams=(CLINVAR,),
    cadence="weekly",
    annotation=AnnotationLoad(
        parse,
        description="ClinVar variant and submission counts per gene by clinical significance.",
        coverage_floor=0.3,
    ),
    read_release=parse.read_release,
)
