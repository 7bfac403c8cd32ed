"""Where gnomad is downloaded from: host, files and release."""

from typing import Final

from kg_pipeline.sources.spec import Upstream

GNOMAD: Final = Upstream(
    key="gnomad",
    base_url="https://storage.googleapis.com/gcp-public-data--gnomad/release/4.1/constraint",
    files=("gnomad.v4.1.constraint_metrics.tsv",),
    release="v4.1",
)
