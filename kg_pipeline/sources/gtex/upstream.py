"""Where gtex is downloaded from: host, files and release."""

from typing import Final

from kg_pipeline.sources.spec import Upstream

GTEX: Final = Upstream(
    key="gtex",
    base_url="https://storage.googleapis.com/adult-gtex/bulk-gex/v8/rna-seq",
    files=("GTEx_Analysis_2017-06-05_v8_RNASeQCv1.1.9_gene_median_tpm.gct.gz",),
    release="v8",
)
