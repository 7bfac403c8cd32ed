"""Assets of descartes: its raw files and its gene annotations."""

from kg_pipeline.defs.annotation import annotation_asset
from kg_pipeline.defs.raw import raw_asset
from kg_pipeline.sources.descartes import parse

raw_descartes = raw_asset(
    "descartes",
    "descartes_upstream",
    "Descartes fetal kidney expression: TPM and percentage of expressing cells (CSV).",
    pool="descartes_api",
)

descartes_annotations = annotation_asset(
    "descartes",
    parse,
    raw_descartes,
    "Descartes fetal kidney expression: TPM and percentage of expressing cells.",
    coverage_floor=0.3,
)
