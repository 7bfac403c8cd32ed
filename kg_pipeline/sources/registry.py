"""The registry: every source the pipeline loads, in one list that everything else iterates.

Adding a source is a folder `sources/<key>/` (upstream.py, parse.py, source.py) and one line
here. The order is the order of the asset graph's listing and of the snapshot's folders.
"""

from collections.abc import Mapping
from typing import Final

from kg_pipeline.sources.clingen.source import SOURCE as CLINGEN
from kg_pipeline.sources.clinvar.source import SOURCE as CLINVAR
from kg_pipeline.sources.descartes.source import SOURCE as DESCARTES
from kg_pipeline.sources.diagnostic_panels.source import SOURCE as DIAGNOSTIC_PANELS
from kg_pipeline.sources.gencc.source import SOURCE as GENCC
from kg_pipeline.sources.gnomad.source import SOURCE as GNOMAD
from kg_pipeline.sources.gtex.source import SOURCE as GTEX
from kg_pipeline.sources.hgnc.source import SOURCE as HGNC
from kg_pipeline.sources.hpo.source import SOURCE as HPO
from kg_pipeline.sources.literature.source import SOURCE as LITERATURE
from kg_pipeline.sources.mgi.source import SOURCE as MGI
from kg_pipeline.sources.panelapp.source import SOURCE as PANELAPP
from kg_pipeline.sources.pubtator.source import SOURCE as PUBTATOR
from kg_pipeline.sources.spec import AnnotationLoad, EvidenceLoad, Source, Upstream
from kg_pipeline.sources.string.source import SOURCE as STRING

SOURCES: Final[tuple[Source, ...]] = (
    HGNC,
    PANELAPP,
    CLINGEN,
    GENCC,
    HPO,
    PUBTATOR,
    DIAGNOSTIC_PANELS,
    LITERATURE,
    GNOMAD,
    GTEX,
    DESCARTES,
    CLINVAR,
    MGI,
    STRING,
)

SOURCES_BY_KEY: Final[Mapping[str, Source]] = {source.key: source for source in SOURCES}

UPSTREAMS: Final[Mapping[str, Upstream]] = {
    upstream.key: upstream for source in SOURCES for upstream in source.upstreams
}
"""Every upstream host by key: the snapshot's folders and the emulator's path prefixes."""

EVIDENCE_LOADS: Final[tuple[tuple[Source, EvidenceLoad], ...]] = tuple(
    (source, source.evidence) for source in SOURCES if source.evidence
)
ANNOTATION_LOADS: Final[tuple[tuple[Source, AnnotationLoad], ...]] = tuple(
    (source, source.annotation) for source in SOURCES if source.annotation
)


def source(key: str) -> Source:
    """The registry entry of `key`, or a one-line error listing the known keys."""
    try:
        return SOURCES_BY_KEY[key]
    except KeyError:
        raise KeyError(f"unknown source {key!r}; known: {', '.join(SOURCES_BY_KEY)}") from None
