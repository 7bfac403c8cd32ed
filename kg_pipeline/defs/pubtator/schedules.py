"""The pubtator refresh job and its schedule."""

from kg_pipeline.defs.refresh import refresh

pubtator_refresh, pubtator_refresh_schedule = refresh("pubtator", ["pubtator_evidence"])
