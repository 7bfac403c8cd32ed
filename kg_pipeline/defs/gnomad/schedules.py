"""The gnomad refresh job and its schedule."""

from kg_pipeline.defs.refresh import refresh

gnomad_refresh, gnomad_refresh_schedule = refresh("gnomad", ["gnomad_annotations"])
