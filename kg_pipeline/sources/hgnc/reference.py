"""The HGNC reference every loader shares: the parsed complete set and the gene normaliser.

Built once per raw HGNC version (the `HgncReferenceCache` resource keeps it for a run), so seven
evidence loads, the gene import and the annotations read the 45,000-row file once.
"""

from dataclasses import dataclass

import pandas as pd

from kg_pipeline.raw_files import RawFiles, RawVersion
from kg_pipeline.sources.hgnc.normalise import GeneNormaliser
from kg_pipeline.sources.hgnc.parse import FILE_KEY, parse_complete_set


@dataclass(frozen=True)
class HgncReference:
    version: RawVersion
    complete_set: pd.DataFrame
    normaliser: GeneNormaliser

    @classmethod
    def from_files(cls, version: RawVersion, files: RawFiles) -> "HgncReference":
        complete_set = parse_complete_set(files[FILE_KEY])
        return cls(version, complete_set, GeneNormaliser(complete_set))

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
