"""The PubTator search pages as the real service serves them: newest first, highlighted and
multi-id tags, the real search's size at scale 1, and new articles published on top."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path
from typing import Any

from kg_pipeline.devtools.snapshot.context import SnapshotContext
from kg_pipeline.devtools.snapshot.evidence_plan import build_plan
from kg_pipeline.devtools.snapshot.hpo import load_hpo
from kg_pipeline.devtools.snapshot.output import SnapshotWriter
from kg_pipeline.devtools.snapshot.pubtator import (
    REAL_SEARCH_ARTICLES,
    publish_new_articles,
    write_pubtator_synthetic,
)
from kg_pipeline.devtools.snapshot.universe import build_synthetic_universe
from kg_pipeline.manifest import MANIFEST_NAME, Manifest
from kg_pipeline_tests.devtools.snapshot.conftest import Snapshot
from kg_pipeline_tests.devtools.snapshot.readers import pubtator_mentions

_TAG = re.compile(r"@(?:<m>)?GENE_\S+ @GENE_\S+ @@@")


def results(root: Path) -> list[dict[str, Any]]:
    """Every search result, page by page."""
    out: list[dict[str, Any]] = []
    page = 1
    while (root / f"pubtator/search/page-{page}").is_file():
        out += json.loads((root / f"pubtator/search/page-{page}").read_bytes())["results"]
        page += 1
    return out


def test_pages_are_newest_first_with_the_real_fields(default_snapshot: Snapshot) -> None:
    found = results(default_snapshot.root)
    dates = [r["date"] for r in found]
    assert dates == sorted(dates, reverse=True)
    assert len(set(dates)) > len(dates) // 10
    assert {
        "_id",
        "pmid",
        "pmcid",
        "title",
        "journal",
        "authors",
        "date",
        "doi",
        "meta_date_publication",
        "meta_volume",
        "meta_issue",
        "meta_pages",
        "score",
        "text_hl",
        "citations",
    } == set(found[0])
    assert "accessions" not in found[0]


def test_some_gene_tags_are_highlighted_or_carry_several_ids(default_snapshot: Snapshot) -> None:
    texts = [r["text_hl"] or "" for r in results(default_snapshot.root)]
    tags = [tag for text in texts for tag in _TAG.findall(text)]
    highlighted = [t for t in tags if t.startswith("@<m>GENE_")]
    multi_id = [t for t in tags if re.search(r"@GENE_\d+;\d+ @@@", t)]
    assert 0.03 * len(tags) < len(highlighted) < 0.2 * len(tags)
    assert 0.002 * len(tags) < len(multi_id) < 0.05 * len(tags)
    # The disease the query names comes highlighted, with its name and MeSH tags.
    assert any("@<m>DISEASE_Kidney_Diseases</m> @DISEASE_MESH:D007674 @@@" in t for t in texts)
    # Every tag is still read as one gene mention.
    assert len(pubtator_mentions(default_snapshot.root)) == len(tags)


def test_publishing_new_articles_puts_them_first(
    default_snapshot: Snapshot, tmp_path: Path
) -> None:
    copy = tmp_path / "snapshot"
    shutil.copytree(default_snapshot.path("pubtator"), copy / "pubtator")
    shutil.copyfile(default_snapshot.path(MANIFEST_NAME), copy / MANIFEST_NAME)
    before = results(copy)

    growth = publish_new_articles(copy, 0.01)
    after = results(copy)

    assert growth.articles_before == len(before)
    assert growth.added == round(len(before) / 100)
    assert growth.pages_after == -(-len(after) // 10) > growth.pages_before
    new, old = after[: growth.added], after[growth.added :]
    assert old == before
    assert min(int(r["pmid"]) for r in new) > max(int(r["pmid"]) for r in before)
    assert min(r["date"] for r in new) > before[0]["date"]
    assert all(_TAG.search(r["text_hl"]) for r in new)
    manifest = Manifest.read(copy / MANIFEST_NAME).by_file()
    for page in range(1, growth.pages_after + 1):
        entry = manifest[f"pubtator/search/page-{page}"]
        data = (copy / entry.file).read_bytes()
        assert entry.sha256 == hashlib.sha256(data).hexdigest()
        assert entry.bytes == len(data)
        body = json.loads(data)
        assert body["current"] == page and body["total_pages"] == growth.pages_after
    assert manifest["hgnc/hgnc_complete_set.txt"].origin == "synthetic"  # others kept


def test_at_scale_1_the_search_has_the_real_size(
    default_snapshot: Snapshot, tmp_path: Path
) -> None:
    ctx = SnapshotContext(SnapshotWriter(tmp_path), seed=0, scale=1.0, progress=lambda _: None)
    release = load_hpo()
    universe = build_synthetic_universe(ctx.rng("universe"), release)
    write_pubtator_synthetic(ctx, build_plan(ctx.rng("evidence-plan"), universe, release))

    found = results(tmp_path)
    assert len(found) == REAL_SEARCH_ARTICLES
    assert len(list((tmp_path / "pubtator/search").iterdir())) == REAL_SEARCH_ARTICLES // 10
    # Six in ten of the older articles tag no gene; the genes stay those of the default scale.
    without = sum(1 for r in found if not _TAG.search(r["text_hl"] or ""))
    assert 0.45 * len(found) < without < 0.65 * len(found)
    genes = {symbol for symbol, _ in pubtator_mentions(tmp_path)}
    assert genes == {symbol for symbol, _ in pubtator_mentions(default_snapshot.root)}
