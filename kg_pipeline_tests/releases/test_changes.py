"""What changed between two releases, and why, from their tables alone."""

import pandas as pd

from kg_pipeline.releases.changes import compare, render_markdown
from kg_pipeline.releases.tables import ANNOTATIONS, EVIDENCE, GENES, ReleaseTables, typed

OLD_CLINGEN = ("2025-01-16", "a" * 64)
NEW_CLINGEN = ("2025-02-01", "b" * 64)
PUBTATOR = (None, "c" * 64)


def tables(genes: list[tuple], evidence: list[tuple]) -> ReleaseTables:
    """Genes as (hgnc_id, symbol, score, tier); evidence as (hgnc_id, source, digest, raw)."""
    gene_frame = pd.DataFrame(
        [
            {
                "hgnc_id": h,
                "approved_symbol": s,
                "source_count": 1,
                "raw_score": p / 100,
                "percentage_score": p,
                "evidence_tier": t,
                "evidence_group": "well_supported",
                "source_scores": "{}",
            }
            for h, s, p, t in genes
        ]
    )
    symbols = {h: s for h, s, _, _ in genes}
    evidence_frame = pd.DataFrame(
        [
            {
                "hgnc_id": h,
                "approved_symbol": symbols[h],
                "source_name": source,
                "source_count": 1,
                "normalized_score": 0.5,
                "evidence_data": "{}",
                "evidence_sha256": digest,
                "raw_release": raw[0],
                "raw_sha256": raw[1],
            }
            for h, source, digest, raw in evidence
        ]
    )
    annotations = pd.DataFrame({f.name: [] for f in ANNOTATIONS.fields})
    return ReleaseTables(
        typed(gene_frame, GENES), typed(evidence_frame, EVIDENCE), typed(annotations, ANNOTATIONS)
    )


BEFORE = tables(
    [
        ("HGNC:1", "PKD1", 60.0, "comprehensive_support"),
        ("HGNC:2", "PKD2", 30.0, "established_support"),
        ("HGNC:3", "GONE", 5.0, "minimal_evidence"),
        ("HGNC:4", "SAME", 12.0, "preliminary_evidence"),
    ],
    [
        ("HGNC:1", "ClinGen", "d1", OLD_CLINGEN),
        ("HGNC:1", "PubTator", "p1", PUBTATOR),
        ("HGNC:2", "PubTator", "p2", PUBTATOR),
        ("HGNC:3", "ClinGen", "d3", OLD_CLINGEN),
        ("HGNC:4", "PubTator", "p4", PUBTATOR),
    ],
)
AFTER = tables(
    [
        ("HGNC:1", "PKD1", 48.6, "multi_source_support"),
        ("HGNC:2", "PKD2", 36.0, "established_support"),
        ("HGNC:4", "SAME", 12.5, "preliminary_evidence"),
        ("HGNC:5", "NEW", 14.0, "preliminary_evidence"),
    ],
    [
        ("HGNC:1", "ClinGen", "d1-changed", NEW_CLINGEN),
        ("HGNC:1", "PubTator", "p1", PUBTATOR),
        ("HGNC:2", "PubTator", "p2", PUBTATOR),
        ("HGNC:4", "PubTator", "p4", PUBTATOR),
        ("HGNC:5", "ClinGen", "d5", NEW_CLINGEN),
    ],
)


def test_each_change_is_listed_once_with_the_sources_and_raw_versions_behind_it() -> None:
    changes = compare("2026.12", AFTER, "2026.11", BEFORE)
    rows = {row.approved_symbol: row for row in changes.genes.itertuples()}
    assert set(rows) == {"PKD1", "PKD2", "GONE", "NEW"}  # SAME moved 0.5 points: below 5
    assert [r.change for r in changes.genes.itertuples()] == ["added", "removed", "tier", "score"]
    pkd1 = rows["PKD1"]
    assert (pkd1.tier_before, pkd1.tier_after, pkd1.sources_changed) == (
        "comprehensive_support",
        "multi_source_support",
        "ClinGen",
    )
    assert pkd1.reason == "ClinGen evidence changed (raw release 2025-02-01, sha256 bbbbbbbbbbbb)"
    assert rows["NEW"].reason == (
        "ClinGen evidence appeared (raw release 2025-02-01, sha256 bbbbbbbbbbbb)"
    )
    # A removed gene's evidence is gone from the source's newer raw version.
    assert rows["GONE"].reason == (
        "ClinGen evidence disappeared (raw release 2025-02-01, sha256 bbbbbbbbbbbb)"
    )
    assert rows["PKD2"].reason.startswith("no evidence of this gene changed")
    assert rows["PKD2"].reason.endswith("(new raw versions: ClinGen)")
    sources = changes.sources.set_index("source_name")
    assert sources.loc["ClinGen", ["genes_before", "genes_after"]].tolist() == [2, 2]
    # 1 of 4 genes removed (25 %), 1 of 3 kept moved tier: both past the warning shares.
    assert changes.alarming and changes.removed_share == 0.25


def test_the_markdown_names_gene_tier_and_raw_version_and_the_summary_is_capped() -> None:
    changes = compare("2026.12", AFTER, "2026.11", BEFORE)
    markdown = render_markdown(changes)
    assert "Changes since 2026.11 (the previous published release): 4 → 4 genes" in markdown
    assert "**Warning**" in markdown
    assert (
        "| PKD1 | HGNC:1 | comprehensive_support | multi_source_support | 60.00 | 48.60 "
        "| ClinGen evidence changed (raw release 2025-02-01, sha256 bbbbbbbbbbbb) |"
    ) in markdown
    assert (
        "| ClinGen | 2 | 2 | raw release 2025-01-16, sha256 aaaaaaaaaaaa "
        "| raw release 2025-02-01, sha256 bbbbbbbbbbbb |"
    ) in markdown
    summary = render_markdown(changes, limit=0)
    assert "PKD1" not in summary and "... and 1 more: see CHANGES.md" in summary


def test_the_first_release_lists_its_sources_and_no_gene_changes() -> None:
    changes = compare("2026.11", BEFORE, None, None)
    assert changes.genes.empty and not changes.alarming
    markdown = render_markdown(changes)
    assert markdown.startswith("# Release 2026.11\n\nFirst release")
    assert "| PubTator | 0 | 3 |" in markdown
