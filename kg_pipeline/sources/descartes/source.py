"""The descartes registry entry: everything about Descartes that the pipeline and tools read."""

from typing import Final

from kg_pipeline.sources.descartes import parse
from kg_pipeline.sources.descartes.upstream import DESCARTES
from kg_pipeline.sources.spec import AnnotationLoad, Source

SOURCE: Final = Source(
    key="descartes",
    raw_description="Descartes fetal kidney expression: TPM and share of expressing cells (CSV).",
    upstreams=(DESCARTES,),
    cadence="monthly",
    annotation=AnnotationLoad(
        parse,
        description="Descartes fetal kidney expression: TPM and percentage of expressing cells.",
        coverage_floor=0.3,
    ),
)
