"""Where hpo is downloaded from: host, files and release."""

from typing import Final

from kg_pipeline.sources.spec import Upstream

HPO: Final = Upstream(
    key="hpo",
    base_url="https://github.com/obophenotype/human-phenotype-ontology/releases/latest/download",
    files=("hp.obo", "phenotype.hpoa", "genes_to_phenotype.txt"),
)
