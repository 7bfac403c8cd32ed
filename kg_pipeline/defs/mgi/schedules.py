"""The mgi refresh job and its schedule."""

from kg_pipeline.defs.refresh import refresh

mgi_refresh, mgi_refresh_schedule = refresh("mgi", ["mpo_mgi_annotations"])
