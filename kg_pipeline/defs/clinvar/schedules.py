"""The clinvar refresh job and its schedule."""

from kg_pipeline.defs.refresh import refresh

clinvar_refresh, clinvar_refresh_schedule = refresh("clinvar", ["clinvar_annotations"])
