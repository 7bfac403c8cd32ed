"""Where clingen is downloaded from: host, files and release."""

from typing import Final

from kg_pipeline.sources.spec import Upstream

CLINGEN: Final = Upstream(
    key="clingen",
    base_url="https://search.clinicalgenome.org",
    files=("kb/gene-validity/download",),
)
