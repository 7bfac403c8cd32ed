"""Assets of mgi: its raw files."""

from kg_pipeline.defs.raw import raw_asset

raw_mgi = raw_asset(
    "mgi",
    "mgi_upstream",
    "MGI human-mouse orthologue phenotype report and the Mammalian Phenotype ontology.",
    pool="mgi_api",
)
