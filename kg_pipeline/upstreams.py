"""The catalogue of upstream services: where each one lives and which files it serves.

One entry per upstream host. A snapshot directory holds one sub-directory per upstream, named by
its key, with the files at the same relative paths as on the upstream server; the mirror and the
local emulator both rely on that. Paged API endpoints are stored one file per page
(`<path>/page-<n>`), see `kg_pipeline.http.transport.mirror_relpath`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Cadence = Literal["daily", "weekly", "monthly"]

DIAGNOSTIC_PANEL_PROVIDERS: tuple[str, ...] = (
    "blueprint_genetics",
    "cegat",
    "centogene",
    "invitae",
    "mayo_clinic",
    "mgz_muenchen",
    "mvz_medicover",
    "natera",
    "prevention_genetics",
)

LITERATURE_PMIDS: tuple[str, ...] = (
    "26862157",
    "29801666",
    "30476936",
    "31027891",
    "31509055",
    "31822006",
    "33532864",
    "33664247",
    "34264297",
    "35005812",
    "35325889",
    "36035137",
)


@dataclass(frozen=True)
class Upstream:
    """One upstream host: its default base URL and the fixed files it serves.

    `files` lists the plain downloads; paged APIs (PanelApp, PubTator) are walked by their
    clients and list no fixed files.
    """

    key: str
    title: str
    base_url: str
    files: tuple[str, ...] = ()
    requests_per_second: float = 5.0
    release: str | None = None
    """The release when the URL itself fixes it (gnomAD v4.1, GTEx v8, STRING v12.0)."""


UPSTREAMS: dict[str, Upstream] = {
    u.key: u
    for u in (
        Upstream(
            "hgnc",
            "HGNC complete set",
            "https://storage.googleapis.com/public-download-files/hgnc/tsv/tsv",
            ("hgnc_complete_set.txt",),
        ),
        Upstream("panelapp_uk", "PanelApp UK", "https://panelapp.genomicsengland.co.uk"),
        Upstream("panelapp_au", "PanelApp Australia", "https://panelapp-aus.org"),
        Upstream(
            "clingen",
            "ClinGen gene-disease validity",
            "https://search.clinicalgenome.org",
            ("kb/gene-validity/download",),
        ),
        Upstream(
            "gencc",
            "GenCC submissions",
            "https://search.thegencc.org",
            ("download/action/submissions-export-tsv",),
        ),
        Upstream(
            "hpo",
            "Human Phenotype Ontology",
            "https://github.com/obophenotype/human-phenotype-ontology/releases/latest/download",
            ("hp.obo", "phenotype.hpoa", "genes_to_phenotype.txt"),
        ),
        Upstream(
            "pubtator",
            "PubTator3 search API",
            "https://www.ncbi.nlm.nih.gov/research/pubtator3-api",
            requests_per_second=3.0,
        ),
        Upstream(
            "diagnostic_panels",
            "Diagnostic panel provider files",
            "https://raw.githubusercontent.com/berntpopp/kidney-genetics-db/main/backend/app/data/seed/diagnostic_panels",
            tuple(f"{p}.json" for p in DIAGNOSTIC_PANEL_PROVIDERS),
        ),
        Upstream(
            "literature",
            "Curated kidney-gene publications",
            "https://raw.githubusercontent.com/berntpopp/kidney-genetics-db/main/backend/app/data/seed/literature",
            tuple(f"literature_pmid_{p}.json" for p in LITERATURE_PMIDS),
        ),
        Upstream(
            "gnomad",
            "gnomAD v4.1 constraint metrics",
            "https://storage.googleapis.com/gcp-public-data--gnomad/release/4.1/constraint",
            ("gnomad.v4.1.constraint_metrics.tsv",),
            release="v4.1",
        ),
        Upstream(
            "gtex",
            "GTEx v8 median TPM",
            "https://storage.googleapis.com/adult-gtex/bulk-gex/v8/rna-seq",
            ("GTEx_Analysis_2017-06-05_v8_RNASeQCv1.1.9_gene_median_tpm.gct.gz",),
            release="v8",
        ),
        Upstream(
            "descartes",
            "Descartes fetal kidney expression",
            "https://atlas.fredhutch.org/data/bbi/descartes/human_gtex/tables",
            ("tissue_tpm/kidney.csv", "tissue_percentage/kidney.csv"),
            release="human_gtex",
        ),
        Upstream(
            "clinvar",
            "ClinVar gene-specific summary",
            "https://ftp.ncbi.nlm.nih.gov/pub/clinvar/tab_delimited",
            ("gene_specific_summary.txt",),
        ),
        Upstream(
            "mgi",
            "MGI human-mouse phenotypes and the MP ontology",
            "https://www.informatics.jax.org/downloads/reports",
            ("HMD_HumanPhenotype.rpt", "MPheno_OBO.ontology"),
        ),
        Upstream(
            "string",
            "STRING v12 human protein network",
            "https://stringdb-downloads.org/download",
            (
                "protein.info.v12.0/9606.protein.info.v12.0.txt.gz",
                "protein.links.v12.0/9606.protein.links.v12.0.txt.gz",
            ),
            release="v12.0",
        ),
    )
}
