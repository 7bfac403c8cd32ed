"""The HGNC reference every loader shares: the parsed complete set and the gene normaliser.

Built once per raw HGNC version per process (all steps of a run share one process), so seven
evidence loads and the gene import parse the 45,000-row file once.
"""

from dataclasses import dataclass

import pandas as pd

from kg_pipeline.db.database import GeneDatabase
from kg_pipeline.defs.raw import RawFileStore
from kg_pipeline.http.raw_store import RawVersion
from kg_pipeline.sources.hgnc.normalise import GeneNormaliser
from kg_pipeline.sources.hgnc.parse import FILE_KEY, parse_complete_set


@dataclass(frozen=True)
class HgncReference:
    version: RawVersion
    complete_set: pd.DataFrame
    normaliser: GeneNormaliser

    def gene_rows(self, hgnc_ids: pd.Series) -> pd.DataFrame:
        """hgnc_id, symbol, alias_symbol, prev_symbol of the given approved genes."""
        genes = self.complete_set[self.complete_set["hgnc_id"].isin(set(hgnc_ids))]
        return genes[["hgnc_id", "symbol", "alias_symbol", "prev_symbol"]].drop_duplicates(
            "hgnc_id"
        )


_CACHE: dict[str, HgncReference] = {}


def load_hgnc_reference(gene_db: GeneDatabase, raw_store: RawFileStore) -> HgncReference:
    """The reference for the latest good raw HGNC version."""
    version, files = raw_store.latest(gene_db, "hgnc")
    if version.sha256 not in _CACHE:
        complete_set = parse_complete_set(files[FILE_KEY])
        _CACHE.clear()  # one release at a time is all a process needs
        _CACHE[version.sha256] = HgncReference(version, complete_set, GeneNormaliser(complete_set))
    return _CACHE[version.sha256]
