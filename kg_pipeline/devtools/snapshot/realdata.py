"""The real-data directory (`--real-data`): where each real file lives, and the R result tables.

The layout is that of `../shared/data` (see its README): `raw/` holds real provider
downloads, `upstream_seed/` the kidney-genetics-db seed files, `r_v1/` the R predecessor's
published result tables of 2024-05-14 (gzipped CSV, read with pandas as text so values keep
their exact decimal text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import pandas as pd

from kg_pipeline.sources.diagnostic_panels.upstream import PROVIDERS as DIAGNOSTIC_PANEL_PROVIDERS
from kg_pipeline.sources.literature.upstream import PMIDS as LITERATURE_PMIDS

R_RUN_DATE = "2024-05-14"

# The R tables write missing values as the text "NULL".
R_MISSING = "NULL"


class RTable(StrEnum):
    """The R predecessor's result tables the snapshot draws on (`r_v1/<name>.<date>.csv.gz`)."""

    PANELAPP_GENES = "01_PanelApp_genes"
    PANELAPP_PANELS = "01_PanelApp_panels"
    PUBTATOR_GENES = "05_PubTator_genes"
    ANNOTATED = "C_high_evidence_annotated_csv_table"
    EXPRESSION = "merge_analyses_sources_high_evidence_expression"
    STRING = "merge_analyses_sources_high_evidence_string"


class RealDataError(FileNotFoundError):
    """The real-data directory lacks a file the snapshot needs."""


@dataclass
class RealData:
    """Paths into a real-data directory plus lazily read R tables."""

    root: Path
    _r_tables: dict[RTable, pd.DataFrame] = field(default_factory=dict, init=False, repr=False)

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

    @property
    def gencc_export(self) -> Path | None:
        """A real GenCC submissions export (TSV, either layout), if the directory has one."""
        matches = sorted((self.root / "raw/gencc").glob("*.tsv"))
        return matches[-1] if matches else None

    @property
    def string_info(self) -> Path:
        return self.root / "raw/string/9606.protein.info.v12.0.txt.gz"

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
    def r_table_path(self, table: RTable) -> Path:
        return self.root / f"r_v1/{table}.{R_RUN_DATE}.csv.gz"

    def r_table(self, table: RTable) -> pd.DataFrame:
        """An R result table with every cell as text ("NULL" kept as is), read once."""
        if table not in self._r_tables:
            self._r_tables[table] = pd.read_csv(
                self.r_table_path(table), dtype=str, keep_default_na=False
            )
        return self._r_tables[table]

    def required_files(self) -> list[Path]:
        files = [self.hgnc, self.clinvar, self.mgi, self.string_info, self.mpo_kidney_terms]
        files += [self.diagnostic_panel(p) for p in DIAGNOSTIC_PANEL_PROVIDERS]
        files += [self.literature(p) for p in LITERATURE_PMIDS]
        files += [self.r_table_path(table) for table in RTable]
        return files
