"""The code location: every definition under `defs/`, the resources configured from the
settings, and the executor and console logger of every job."""

import dagster as dg

from kg_pipeline.defs.loggers import compact_console_logger
from kg_pipeline.defs.resources import pipeline_resources
from kg_pipeline.project_files import PROJECT_CONFIG
from kg_pipeline.settings import Settings


def build_definitions(settings: Settings) -> dg.Definitions:
    """The whole code location with its resources configured from `settings`."""
    return dg.Definitions.merge(
        # The packaged pyproject.toml: an installed wheel has no checkout to find it in.
        dg.load_from_defs_folder(path_within_project=PROJECT_CONFIG.parent),
        dg.Definitions(
            resources=pipeline_resources(settings),
            # Steps share one process: on a 2-core machine the database does the heavy lifting
            # and a subprocess per step would cost more in start-up than it gains in parallelism.
            executor=dg.in_process_executor,
            loggers={"console": compact_console_logger},
        ),
    )


@dg.definitions
def defs() -> dg.Definitions:
    return build_definitions(Settings())
