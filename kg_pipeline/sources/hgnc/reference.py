"""The HGNC reference every loader shares: the parsed complete set and the gene normaliser.

Built once per raw HGNC version (the `HgncReferenceCache` resource keeps it for a run), so seven
evidence loads, the gene import and the annotations read the 45,000-row file once.
"""

from dataclasses import dataclass

import pandas as pd

from kg_pipeline.raw_files import RawFiles, RawVersion
from kg_pipeline.sources.hgnc.normalise import GeneNormaliser
from kg_pipeline.sources.hgnc.parse import FILE_KEY, read_complete_set
from kg_pipeline.sources.records import ParsedRows


@dataclass(frozen=True)
class HgncReference:
    version: RawVersion
    parsed: ParsedRows
    """The complete set's well-formed rows, and the junk rows left out (`rejects`)."""
    normaliser: GeneNormaliser

    @classmethod
    def from_files(cls, version: RawVersion, files: RawFiles) -> "HgncReference":
        parsed = read_complete_set(files[FILE_KEY])
        return cls(version, parsed, GeneNormaliser(parsed.rows))

    @property
    def complete_set(self) -> pd.DataFrame:
        return self.parsed.rows

    def gene_rows(self, hgnc_ids: pd.Series) -> pd.DataFrame:
        """hgnc_id, symbol, alias_symbol, prev_symbol of the given approved genes."""
        genes = self.complete_set[self.complete_set["hgnc_id"].isin(set(hgnc_ids))]
        return genes[["hgnc_id", "symbol", "alias_symbol", "prev_symbol"]].drop_duplicates(
            "hgnc_id"
        )

    def identifiers(self) -> pd.DataFrame:
        """hgnc_id, entrez_id, ensembl_gene_id of every entry (what annotation files match on)
        and its cytogenetic `location` (what a chromosome is read from)."""
        return self.complete_set[
            ["hgnc_id", "entrez_id", "ensembl_gene_id", "location"]
        ].drop_duplicates("hgnc_id")
