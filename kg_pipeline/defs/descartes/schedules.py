"""The descartes refresh job and its schedule."""

from kg_pipeline.defs.refresh import refresh

descartes_refresh, descartes_refresh_schedule = refresh("descartes", ["descartes_annotations"])
