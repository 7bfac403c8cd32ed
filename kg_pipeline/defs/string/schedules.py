"""The string refresh job and its schedule."""

from kg_pipeline.defs.refresh import refresh

string_refresh, string_refresh_schedule = refresh("string", ["string_ppi_annotations"])
