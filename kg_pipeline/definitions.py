"""The code location: every definition under `defs/`, with the executor and console logger for
all jobs."""

import dagster as dg

from kg_pipeline.defs.loggers import compact_console_logger
from kg_pipeline.project_files import PROJECT_CONFIG


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions.merge(
        # The packaged pyproject.toml: an installed wheel has no checkout to find it in.
        dg.load_from_defs_folder(path_within_project=PROJECT_CONFIG.parent),
        # Steps share one process: on a 2-core machine the database does the heavy lifting and
        # a subprocess per step would cost more in start-up than it gains in parallelism.
        dg.Definitions(
            executor=dg.in_process_executor, loggers={"console": compact_console_logger}
        ),
    )
