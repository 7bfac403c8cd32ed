"""PanelApp UK and Australia: the paged panel listing and one detail file per listed panel.

Files (per region key `panelapp_uk` / `panelapp_au`):
- `api/v1/panels/page-<n>`: `GET /api/v1/panels/?page=n` (100 panels a page, `next`/`previous`
  links as the real API writes them; compact JSON without a final newline),
- `api/v1/panels/<id>`: `GET /api/v1/panels/<id>/` for every listed panel (compact JSON with a
  final newline, as the real downloads).

`panels` holds what both modes share; `real` copies and derives from real data, `synthetic`
makes every panel up.
"""

from kg_pipeline.devtools.snapshot.panelapp.real import write_panelapp_real
from kg_pipeline.devtools.snapshot.panelapp.synthetic import write_panelapp_synthetic

__all__ = ["write_panelapp_real", "write_panelapp_synthetic"]
