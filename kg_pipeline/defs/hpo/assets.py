"""Assets of hpo: its raw files, gene evidence and gene annotations."""

from kg_pipeline.defs.annotation import annotation_asset
from kg_pipeline.defs.evidence import evidence_asset
from kg_pipeline.defs.raw import raw_asset
from kg_pipeline.sources.hpo import annotate as annotation_parser
from kg_pipeline.sources.hpo import parse

raw_hpo = raw_asset(
    "hpo",
    "hpo_upstream",
    "Human Phenotype Ontology release: hp.obo, phenotype.hpoa and genes_to_phenotype.txt.",
    pool="hpo_api",
)

hpo_evidence = evidence_asset(
    "hpo",
    parse,
    raw_hpo,
    "Genes annotated to HP:0010935 (abnormality of the upper urinary tract) or its "
    "descendants, with their terms and diseases.",
)

hpo_annotations = annotation_asset(
    "hpo",
    annotation_parser,
    raw_hpo,
    "The gene's HPO phenotypes and diseases, with kidney phenotypes and clinical, onset and "
    "syndromic groupings.",
    coverage_floor=0.2,
)
