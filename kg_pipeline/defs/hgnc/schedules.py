"""The HGNC refresh job and its schedule.

A new HGNC release can rename genes and resolve or stage symbols of every source, so its
refresh re-runs everything downstream of the raw file (but never the schema).
"""

import dagster as dg

from kg_pipeline.defs.refresh import refresh

hgnc_refresh, hgnc_refresh_schedule = refresh(
    "hgnc", [], selection=dg.AssetSelection.assets("raw_hgnc").downstream()
)
