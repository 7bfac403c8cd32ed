"""A test hook: kill this process with SIGKILL at a named point of a run.

Inert unless the environment variable `KG_TEST_CRASH_AT` names the point (e.g.
`clingen_evidence:before_commit`). The crash-safety test sets it in a subprocess to kill runs
deterministically at every step (raw fetch, raw record, a load before, inside and after its
commit, genes, scoring, annotations, the pipeline_runs write) and checks what the database
holds afterwards. Nothing else reads the variable; never set it outside that test.
"""

import os
import signal

CRASH_AT_VARIABLE = "KG_TEST_CRASH_AT"


def crash_point(name: str) -> None:
    """Die here, as `kill -9` would, when `KG_TEST_CRASH_AT` is `name`."""
    if os.environ.get(CRASH_AT_VARIABLE) == name:
        os.kill(os.getpid(), signal.SIGKILL)
