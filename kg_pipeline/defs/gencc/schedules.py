"""The gencc refresh job and its schedule."""

from kg_pipeline.defs.refresh import refresh

gencc_refresh, gencc_refresh_schedule = refresh("gencc", ["gencc_evidence"])
