"""Where hgnc is downloaded from: host, files and release."""

from typing import Final

from kg_pipeline.sources.spec import Upstream

HGNC: Final = Upstream(
    key="hgnc",
    base_url="https://storage.googleapis.com/public-download-files/hgnc/tsv/tsv",
    files=("hgnc_complete_set.txt",),
)
