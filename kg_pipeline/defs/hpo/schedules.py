"""The hpo refresh job and its schedule."""

from kg_pipeline.defs.refresh import refresh

hpo_refresh, hpo_refresh_schedule = refresh("hpo", ["hpo_evidence", "hpo_annotations"])
