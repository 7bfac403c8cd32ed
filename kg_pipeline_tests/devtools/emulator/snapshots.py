"""Tiny snapshot directories for the HTTP and emulator tests, laid out like real ones
(`<upstream key>/<path under the upstream's base URL>`, paged endpoints as `page-<n>` files), and
the `snapshot` / `emulator` fixtures both test folders use."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from kg_pipeline.devtools.emulator import UpstreamEmulator

GNOMAD_TSV = "gnomad.v4.1.constraint_metrics.tsv"
STRING_GZ = "protein.links.v12.0/9606.protein.links.v12.0.txt.gz"
GTEX_GZ = "GTEx_Analysis_2017-06-05_v8_RNASeQCv1.1.9_gene_median_tpm.gct.gz"
PANELS = "api/v1/panels/"
PUBTATOR_SEARCH = "search/"
GENCC_EXPORT = "download/action/submissions-export-tsv"
GENCC_NEW = f"{GENCC_EXPORT}?format=new"


@dataclass(frozen=True)
class Snapshot:
    root: Path

    def file(self, upstream: str, relpath: str) -> Path:
        return self.root / upstream / relpath

    def bytes(self, upstream: str, relpath: str) -> bytes:
        return self.file(upstream, relpath).read_bytes()


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def build_snapshot(root: Path) -> Snapshot:
    """A text file with 25 data rows, a valid and a corrupt `.gz`, two PanelApp pages, three
    PubTator pages, an OBO file, and GenCC's export at one path in two layouts (the query
    `?format=new` selects the other file)."""
    rows = ["gene\ttranscript\tlof.pLI\tlof.oe_ci.upper\tmis.z_score"]
    rows += [f"GENE{i}\tENST{i:011d}\t0.{i:02d}\t1.{i:02d}\t{i / 7:.3f}" for i in range(1, 26)]
    _write(root / "gnomad" / GNOMAD_TSV, ("\n".join(rows) + "\n").encode())

    links = ["protein1 protein2 combined_score"]
    links += [f"9606.ENSP{i:011d} 9606.ENSP{i * 7 % 997:011d} {i % 1000}" for i in range(4000)]
    _write(root / "string" / STRING_GZ, gzip.compress(("\n".join(links) + "\n").encode(), mtime=0))

    # Valid gzip cut short, served whole with a truthful Content-Length: only a gzip check sees it.
    gct = gzip.compress(b"#1.2\n56200\t54\nName\tDescription\tKidney - Cortex\n" * 200, mtime=0)
    _write(root / "gtex" / GTEX_GZ, gct[: len(gct) * 2 // 3])

    panels = root / "panelapp_uk" / PANELS.strip("/")
    _write(
        panels / "page-1",
        json.dumps({"count": 3, "next": "?page=2", "results": [{"id": 1}, {"id": 2}]}).encode(),
    )
    _write(
        panels / "page-2", json.dumps({"count": 3, "next": None, "results": [{"id": 3}]}).encode()
    )

    for page in (1, 2, 3):
        _write(
            root / "pubtator" / PUBTATOR_SEARCH.strip("/") / f"page-{page}",
            json.dumps({"page": page, "results": [{"pmid": 1000 + page}]}).encode(),
        )

    _write(root / "hpo" / "hp.obo", b"format-version: 1.2\n\n[Term]\nid: HP:0010935\n")

    _write(root / "gencc" / GENCC_EXPORT, b'"uuid"\t"gene_symbol"\n"GENCC_1"\t"PKD1"\n')
    _write(root / "gencc" / GENCC_NEW, b"sgc_id\tversion_number\tgene_symbol\nSGC-1\t1\tPKD1\n")
    return Snapshot(root)


@pytest.fixture
def snapshot(tmp_path: Path) -> Snapshot:
    return build_snapshot(tmp_path / "snapshot")


@pytest.fixture
def emulator(snapshot: Snapshot) -> Iterator[UpstreamEmulator]:
    with UpstreamEmulator(snapshot.root) as running:
        yield running
