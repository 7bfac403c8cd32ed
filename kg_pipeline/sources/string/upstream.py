"""Where string is downloaded from: host, files and release.

STRING publishes the human network as two networks of the same proteins: the physical
subnetwork (`protein.physical.links`: proteins that bind or form a complex) and the full
functional network (`protein.links`: also co-expression, text mining, neighbourhood ...),
each plain (`protein1 protein2 combined_score`) and `.detailed` (the evidence channels'
subscores before `combined_score`). Upstream and the R predecessor score the physical one, so
it is the default (`KG_STRING_NETWORK`); the fixed files are the protein info and its links.
"""

from collections.abc import Mapping
from typing import Final

from kg_pipeline.settings import StringNetwork
from kg_pipeline.sources.spec import Upstream

INFO_FILE: Final = "protein.info.v12.0/9606.protein.info.v12.0.txt.gz"
LINKS_FILES: Final[Mapping[StringNetwork, str]] = {
    "physical": "protein.physical.links.v12.0/9606.protein.physical.links.v12.0.txt.gz",
    "physical-detailed": (
        "protein.physical.links.detailed.v12.0/9606.protein.physical.links.detailed.v12.0.txt.gz"
    ),
    "full": "protein.links.v12.0/9606.protein.links.v12.0.txt.gz",
    "full-detailed": "protein.links.detailed.v12.0/9606.protein.links.detailed.v12.0.txt.gz",
}
"""The links file of each network the setting can name."""
DEFAULT_NETWORK: Final[StringNetwork] = "physical"

STRING: Final = Upstream(
    key="string",
    base_url="https://stringdb-downloads.org/download",
    files=(INFO_FILE, LINKS_FILES[DEFAULT_NETWORK]),
    release="v12.0",
)
