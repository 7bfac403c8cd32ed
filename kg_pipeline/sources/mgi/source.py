"""The mgi registry entry: everything about MGI that the pipeline and tools read."""

from typing import Final

from kg_pipeline.sources.mgi import parse
from kg_pipeline.sources.mgi.upstream import MGI
from kg_pipeline.sources.spec import AnnotationLoad, Source

SOURCE: Final = Source(
    key="mgi",
    raw_description="MGI phenotype reports (human-mouse, genotype) and the MP ontology.",
    upstreams=(MGI,),
    cadence="monthly",
    annotation=AnnotationLoad(
        parse,
        description="Mouse orthologue phenotypes from MGI's genotypes, with the kidney "
        "Mammalian Phenotype terms per zygosity.",
        coverage_floor=0.3,
    ),
)
