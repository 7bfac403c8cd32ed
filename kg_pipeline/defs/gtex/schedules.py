"""The gtex refresh job and its schedule."""

from kg_pipeline.defs.refresh import refresh

gtex_refresh, gtex_refresh_schedule = refresh("gtex", ["gtex_annotations"])
