"""Where clingen is downloaded from: host, files and release."""

from typing import Final

from kg_pipeline.sources.spec import Upstream

CLINGEN: Final = Upstream(
    key="clingen",
    title="ClinGen gene-disease validity",
    base_url="https://search.clinicalgenome.org",
    files=("kb/gene-validity/download",),
)
