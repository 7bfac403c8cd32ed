"""The diagnostic_panels refresh job and its schedule."""

from kg_pipeline.defs.refresh import refresh

diagnostic_panels_refresh, diagnostic_panels_refresh_schedule = refresh(
    "diagnostic_panels", ["diagnostic_panels_evidence"]
)
