"""Every resource, bound once for the whole code location."""

import dagster as dg

from kg_pipeline.db.database import GeneDatabase


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(resources={"gene_db": GeneDatabase()})
