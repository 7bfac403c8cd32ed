"""The real-data directory (`--real-data`): where each real file lives, and the R result tables.

The layout is that of `../shared/data` (see its README): `raw/` holds real provider
downloads, `upstream_seed/` the kidney-genetics-db seed files, `r_v1/` the R predecessor's
published result tables of 2024-05-14 (gzipped CSV, read with pandas as text so values keep
their exact decimal text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd

from kg_pipeline.sources.diagnostic_panels.upstream import PROVIDERS as DIAGNOSTIC_PANEL_PROVIDERS
from kg_pipeline.sources.literature.upstream import PMIDS as LITERATURE_PMIDS

R_RUN_DATE = "2024-05-14"

# The R tables write missing values as the text "NULL".
R_MISSING = "NULL"


class RealDataError(FileNotFoundError):
    """The real-data directory lacks a file the snapshot needs."""


@dataclass
class RealData:
    """Paths into a real-data directory plus lazily read R tables."""

    root: Path

    def __post_init__(self) -> None:
        if not self.root.is_dir():
            raise RealDataError(f"real-data directory {self.root} does not exist")
        missing = [str(p) for p in self.required_files() if not p.is_file()]
        if missing:
            raise RealDataError(
                f"real-data directory {self.root} is incomplete; missing: {', '.join(missing)}"
            )

    # ------------------------------------------------------------------ raw provider files
    @property
    def hgnc(self) -> Path:
        return self.root / "raw/hgnc/hgnc_complete_set.txt.gz"

    @property
    def clingen(self) -> Path:
        matches = sorted((self.root / "raw/clingen").glob("Clingen-Gene-Disease-Summary-*.csv"))
        if not matches:
            raise RealDataError(f"no ClinGen CSV under {self.root / 'raw/clingen'}")
        return matches[-1]

    @property
    def clinvar(self) -> Path:
        return self.root / "raw/clinvar/gene_specific_summary.txt"

    @property
    def mgi(self) -> Path:
        return self.root / "raw/mgi/HMD_HumanPhenotype.rpt"

    def panelapp_uk_pages(self) -> list[Path]:
        pages = list((self.root / "raw/panelapp_uk").glob("ge_panels_page_*.json"))
        return sorted(pages, key=lambda p: int(re.findall(r"\d+", p.stem)[-1]))

    def panelapp_uk_detail(self, panel_id: int) -> Path | None:
        path = self.root / f"raw/panelapp_uk/panels/panel_{panel_id}.json"
        return path if path.is_file() else None

    # ------------------------------------------------------------------------ seed files
    def diagnostic_panel(self, provider: str) -> Path:
        return self.root / f"upstream_seed/seed/diagnostic_panels/{provider}.json"

    def literature(self, pmid: str) -> Path:
        return self.root / f"upstream_seed/seed/literature/literature_pmid_{pmid}.json"

    @property
    def mpo_kidney_terms(self) -> Path:
        return self.root / "upstream_seed/mpo_kidney_terms.json"

    # ------------------------------------------------------------------------- R results
    def r_table_path(self, name: str) -> Path:
        return self.root / f"r_v1/{name}.{R_RUN_DATE}.csv.gz"

    def r_table(self, name: str) -> pd.DataFrame:
        """An R result table with every cell as text ("NULL" kept as is)."""
        return pd.read_csv(self.r_table_path(name), dtype=str, keep_default_na=False)

    @cached_property
    def r_panelapp_genes(self) -> pd.DataFrame:
        return self.r_table("01_PanelApp_genes")

    @cached_property
    def r_panelapp_panels(self) -> pd.DataFrame:
        return self.r_table("01_PanelApp_panels")

    @cached_property
    def r_pubtator_genes(self) -> pd.DataFrame:
        return self.r_table("05_PubTator_genes")

    @cached_property
    def r_annotated(self) -> pd.DataFrame:
        return self.r_table("C_high_evidence_annotated_csv_table")

    @cached_property
    def r_expression(self) -> pd.DataFrame:
        return self.r_table("merge_analyses_sources_high_evidence_expression")

    @cached_property
    def r_string(self) -> pd.DataFrame:
        return self.r_table("merge_analyses_sources_high_evidence_string")

    def required_files(self) -> list[Path]:
        files = [self.hgnc, self.clinvar, self.mgi, self.mpo_kidney_terms]
        files += [self.diagnostic_panel(p) for p in DIAGNOSTIC_PANEL_PROVIDERS]
        files += [self.literature(p) for p in LITERATURE_PMIDS]
        files += [
            self.r_table_path(n)
            for n in (
                "01_PanelApp_genes",
                "01_PanelApp_panels",
                "05_PubTator_genes",
                "C_high_evidence_annotated_csv_table",
                "merge_analyses_sources_high_evidence_expression",
                "merge_analyses_sources_high_evidence_string",
            )
        ]
        return files
