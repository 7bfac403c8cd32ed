"""Assets of mgi: its raw files and its gene annotations."""

from kg_pipeline.defs.annotation import annotation_asset
from kg_pipeline.defs.raw import raw_asset
from kg_pipeline.sources.mgi import parse

raw_mgi = raw_asset(
    "mgi",
    "mgi_upstream",
    "MGI human-mouse orthologue phenotype report and the Mammalian Phenotype ontology.",
    pool="mgi_api",
)

mpo_mgi_annotations = annotation_asset(
    "mpo_mgi",
    parse,
    raw_mgi,
    "Mouse orthologue phenotypes from MGI, with the kidney Mammalian Phenotype terms flagged.",
    coverage_floor=0.3,
)
