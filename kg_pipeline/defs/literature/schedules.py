"""The literature refresh job and its schedule."""

from kg_pipeline.defs.refresh import refresh

literature_refresh, literature_refresh_schedule = refresh("literature", ["literature_evidence"])
