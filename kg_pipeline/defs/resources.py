"""Every resource, bound once for the whole code location."""

import dagster as dg

from kg_pipeline.db.database import GeneDatabase
from kg_pipeline.defs.panelapp.resources import PanelAppClient
from kg_pipeline.defs.pubtator.resources import PubTatorClient
from kg_pipeline.defs.raw import RawFileStore, UpstreamClient

# Sources whose raw input is a fixed set of files on one upstream host of the same name.
FILE_SOURCES = (
    "hgnc",
    "clingen",
    "gencc",
    "hpo",
    "diagnostic_panels",
    "literature",
    "gnomad",
    "gtex",
    "descartes",
    "clinvar",
    "mgi",
    "string",
)


def upstream_clients(**overrides: str) -> dict[str, UpstreamClient]:
    """One client resource per source, keyed `<source>_upstream`.

    `overrides` (source_mode, upstream_url, mirror_dir) replace the settings for every client,
    e.g. to point them all at a local emulator.
    """
    clients: dict[str, UpstreamClient] = {
        f"{source}_upstream": UpstreamClient(upstreams=[source], **overrides)
        for source in FILE_SOURCES
    }
    clients["panelapp_upstream"] = PanelAppClient(**overrides)
    clients["pubtator_upstream"] = PubTatorClient(**overrides)
    return clients


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(
        resources={"gene_db": GeneDatabase(), "raw_store": RawFileStore(), **upstream_clients()}
    )
