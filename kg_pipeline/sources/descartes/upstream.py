"""Where descartes is downloaded from: host, files and release."""

from typing import Final

from kg_pipeline.sources.spec import Upstream

DESCARTES: Final = Upstream(
    key="descartes",
    base_url="https://atlas.fredhutch.org/data/bbi/descartes/human_gtex/tables",
    files=("tissue_tpm/kidney.csv", "tissue_percentage/kidney.csv"),
    release="human_gtex",
    # Its CDN has answered 403 to every scripted client since 2025.
    browser_only=True,
)
