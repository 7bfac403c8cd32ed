"""Where mgi is downloaded from: host, files and release."""

from typing import Final

from kg_pipeline.sources.spec import Upstream

MGI: Final = Upstream(
    key="mgi",
    base_url="https://www.informatics.jax.org/downloads/reports",
    files=("HMD_HumanPhenotype.rpt", "MGI_GenePheno.rpt", "MPheno_OBO.ontology"),
)
