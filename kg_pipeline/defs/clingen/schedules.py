"""The clingen refresh job and its schedule."""

from kg_pipeline.defs.refresh import refresh

clingen_refresh, clingen_refresh_schedule = refresh("clingen", ["clingen_evidence"])
