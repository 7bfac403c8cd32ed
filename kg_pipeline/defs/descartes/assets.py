"""Assets of descartes: its raw files."""

from kg_pipeline.defs.raw import raw_asset

raw_descartes = raw_asset(
    "descartes",
    "descartes_upstream",
    "Descartes fetal kidney expression: TPM and percentage of expressing cells (CSV).",
    pool="descartes_api",
)
