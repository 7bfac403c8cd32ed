"""The hpo registry entry: everything about HPO that the pipeline and tools read."""

from typing import Final

from kg_pipeline.sources.hpo import annotate, parse
from kg_pipeline.sources.hpo.upstream import HPO
from kg_pipeline.sources.spec import AnnotationLoad, EvidenceLoad, Source

SOURCE: Final = Source(
    key="hpo",
    raw_description="HPO release: hp.obo, phenotype.hpoa and genes_to_phenotype.txt.",
    upstreams=(HPO,),
    cadence="weekly",
    evidence=EvidenceLoad(
        parse,
        description="Genes annotated to HP:0010935 (abnormality of the upper urinary tract) or "
        "its descendants, with their terms and diseases.",
        staging_priority=85,
    ),
    annotation=AnnotationLoad(
        annotate,
        description="The gene's HPO phenotypes and diseases, with kidney phenotypes and "
        "clinical, onset and syndromic groupings.",
        coverage_floor=0.2,
    ),
    read_release=parse.read_release,
)
