"""The panelapp refresh job and its schedule."""

from kg_pipeline.defs.refresh import refresh

panelapp_refresh, panelapp_refresh_schedule = refresh("panelapp", ["panelapp_evidence"])
