"""One `<source>_refresh_schedule` per source at its cadence, off until turned on in the UI.

The `release` job has `release_schedule`, monthly (the 2nd, after the 1st's monthly
refreshes), off by default as well: a release is a decision.

A source that can walk incrementally (PubTator) refreshes incrementally at its cadence and has
a second schedule, `<source>_full_refresh_schedule`, that walks everything at its
`full_walk_cadence`.
"""

import dagster as dg

from kg_pipeline.defs.cadence import cron_schedule
from kg_pipeline.defs.jobs import incremental_run_config
from kg_pipeline.sources.registry import SOURCES

refresh_schedules = [
    dg.ScheduleDefinition(
        name=f"{source.key}_refresh_schedule",
        job_name=f"{source.key}_refresh",
        cron_schedule=cron_schedule(source),
        execution_timezone="UTC",
        description=f"{source.cadence.capitalize()} "
        f"{'incremental ' if source.incremental else ''}refresh of {source.key}.",
        default_status=dg.DefaultScheduleStatus.STOPPED,
        run_config=incremental_run_config(source) if source.incremental else None,
    )
    for source in SOURCES
] + [
    dg.ScheduleDefinition(
        name=f"{source.key}_full_refresh_schedule",
        job_name=f"{source.key}_refresh",
        cron_schedule=cron_schedule(source, source.full_walk_cadence),
        execution_timezone="UTC",
        description=f"{source.full_walk_cadence.capitalize()} full walk of {source.key}.",
        default_status=dg.DefaultScheduleStatus.STOPPED,
    )
    for source in SOURCES
    if source.full_walk_cadence is not None
]

release_schedule = dg.ScheduleDefinition(
    name="release_schedule",
    job_name="release",
    cron_schedule="0 6 2 * *",
    execution_timezone="UTC",
    description="Monthly data release (a draft, to publish with `kg-pipeline release publish`).",
    default_status=dg.DefaultScheduleStatus.STOPPED,
)
