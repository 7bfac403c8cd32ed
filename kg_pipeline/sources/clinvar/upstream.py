"""Where clinvar is downloaded from: host, files and release."""

from typing import Final

from kg_pipeline.sources.spec import Upstream

CLINVAR: Final = Upstream(
    key="clinvar",
    base_url="https://ftp.ncbi.nlm.nih.gov/pub/clinvar/tab_delimited",
    files=("gene_specific_summary.txt",),
)
