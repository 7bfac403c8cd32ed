"""One `<source>_refresh_schedule` per source at its cadence, off until turned on in the UI."""

import dagster as dg

from kg_pipeline.defs.cadence import cron_schedule
from kg_pipeline.sources.registry import SOURCES

refresh_schedules = [
    dg.ScheduleDefinition(
        name=f"{source.key}_refresh_schedule",
        job_name=f"{source.key}_refresh",
        cron_schedule=cron_schedule(source),
        execution_timezone="UTC",
        description=f"{source.cadence.capitalize()} refresh of {source.key}.",
        default_status=dg.DefaultScheduleStatus.STOPPED,
    )
    for source in SOURCES
]
