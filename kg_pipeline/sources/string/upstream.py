"""Where string is downloaded from: host, files and release."""

from typing import Final

from kg_pipeline.sources.spec import Upstream

STRING: Final = Upstream(
    key="string",
    base_url="https://stringdb-downloads.org/download",
    files=(
        "protein.info.v12.0/9606.protein.info.v12.0.txt.gz",
        "protein.links.v12.0/9606.protein.links.v12.0.txt.gz",
    ),
    release="v12.0",
)
