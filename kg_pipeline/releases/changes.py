"""What changed between two releases, and why: `compare` and its markdown (`CHANGES.md`).

A gene's change is, by weight: added, removed, a tier change, or a score change of at least
`SCORE_THRESHOLD` percentage points. Its reason is read from the two releases' evidence tables:
which sources' evidence of that gene appeared, disappeared or changed (its document's digest
differs), each with the raw version (release, sha256) of the newer release that brought it;
a score that moved without any evidence of its own changing moved with the other genes (the
per-source scores are percentile ranks).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import pandas as pd

from kg_pipeline.releases.tables import Field, ReleaseTables, Table

SCORE_THRESHOLD: Final = 5.0
"""A score change below this many percentage points is not listed."""
REMOVED_WARN_SHARE: Final = 0.05
"""The release check warns when a release removes more than this share of the genes ..."""
TIER_WARN_SHARE: Final = 0.10
"""... or moves more than this share of the genes it keeps to another tier."""

CHANGES: Final = Table(
    "changes",
    "Genes added, removed, moved to another tier or rescored since the previous release",
    (
        Field("hgnc_id", "string", "HGNC id"),
        Field("approved_symbol", "string", "symbol (the newer release's, if both have it)"),
        Field("change", "string", "added, removed, tier or score"),
        Field("tier_before", "string", "evidence tier in the previous release"),
        Field("tier_after", "string", "evidence tier in this release"),
        Field("score_before", "number", "percentage score in the previous release"),
        Field("score_after", "number", "percentage score in this release"),
        Field("sources_appeared", "string", "sources whose evidence of the gene is new"),
        Field("sources_disappeared", "string", "sources whose evidence of the gene is gone"),
        Field("sources_changed", "string", "sources whose evidence of the gene changed"),
        Field("reason", "string", "why, with the raw version that brought each change"),
    ),
    ("hgnc_id",),
)
_ORDER: Final = {"added": 0, "removed": 1, "tier": 2, "score": 3}


@dataclass(frozen=True)
class Changes:
    version: str
    previous: str | None
    """The previous published release; None for the first release."""
    genes: pd.DataFrame
    """One row per changed gene, `CHANGES`' columns."""
    sources: pd.DataFrame
    """Per evidence source: genes and raw version before and after."""
    genes_before: int
    genes_after: int
    kept: int

    def count(self, change: str) -> int:
        return int((self.genes["change"] == change).sum())

    @property
    def removed_share(self) -> float:
        return self.count("removed") / self.genes_before if self.genes_before else 0.0

    @property
    def tier_share(self) -> float:
        return self.count("tier") / self.kept if self.kept else 0.0

    @property
    def alarming(self) -> bool:
        return self.removed_share > REMOVED_WARN_SHARE or self.tier_share > TIER_WARN_SHARE


def _raw(release: object, sha256: object) -> str:
    if not isinstance(sha256, str):
        return "raw version unknown"
    return (
        f"raw release {release if isinstance(release, str) else 'not stated'}, sha256 {sha256[:12]}"
    )


def _latest_raw(row: tuple) -> str:
    """The newer release's raw version of a source, or the older's if the source is gone."""
    if isinstance(row.raw_sha256_after, str):
        return _raw(row.raw_release_after, row.raw_sha256_after)
    return _raw(row.raw_release_before, row.raw_sha256_before)


def _source_table(previous: pd.DataFrame, current: pd.DataFrame) -> pd.DataFrame:
    def per_source(evidence: pd.DataFrame, suffix: str) -> pd.DataFrame:
        return evidence.groupby("source_name").agg(
            **{
                f"genes_{suffix}": ("hgnc_id", "nunique"),
                f"raw_release_{suffix}": ("raw_release", "first"),
                f"raw_sha256_{suffix}": ("raw_sha256", "first"),
            }
        )

    table = per_source(previous, "before").join(per_source(current, "after"), how="outer")
    for column in ("genes_before", "genes_after"):
        table[column] = table[column].fillna(0).astype(int)
    for column in (
        "raw_release_before",
        "raw_release_after",
        "raw_sha256_before",
        "raw_sha256_after",
    ):
        # Plain None for a missing version, so that two versions compare as values.
        table[column] = [v if isinstance(v, str) else None for v in table[column]]
    return table.reset_index()


def _reasons(previous: pd.DataFrame, current: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """Per gene with any evidence difference: the sources that appeared, disappeared and
    changed, and the reason in words."""
    key = ["hgnc_id", "source_name"]
    both = previous[[*key, "evidence_sha256"]].merge(
        current[[*key, "evidence_sha256"]], on=key, how="outer", suffixes=("_b", "_a")
    )
    before, after = both["evidence_sha256_b"].fillna(""), both["evidence_sha256_a"].fillna("")
    both["what"] = "changed"
    both.loc[before == "", "what"] = "appeared"
    both.loc[after == "", "what"] = "disappeared"
    both = both[before != after]
    raw = {row.source_name: _latest_raw(row) for row in sources.itertuples()}
    # Vectorised: a release after a rebuild may differ in every gene's evidence.
    rank = {what: i for i, what in enumerate(_WHAT)}
    ordered = both.assign(rank=both["what"].map(rank))
    ordered = ordered.sort_values(["hgnc_id", "rank", "source_name"])
    phrases = [
        f"{source} evidence {what} ({raw[source]})"
        for source, what in zip(ordered["source_name"], ordered["what"], strict=True)
    ]
    by_gene = ordered.assign(phrase=phrases).groupby("hgnc_id")
    table = pd.DataFrame(index=pd.Index(sorted(by_gene.groups), name="hgnc_id"))
    for what in _WHAT:
        named = ordered[ordered["what"] == what].groupby("hgnc_id")["source_name"]
        table[f"sources_{what}"] = named.agg(", ".join).reindex(table.index).fillna("")
    # Text even without rows (no listed gene's evidence differs), to take the default reason.
    table["why"] = by_gene["phrase"].agg("; ".join).reindex(table.index).astype("str")
    return table


_WHAT: Final = ("appeared", "disappeared", "changed")


def compare(
    version: str,
    current: ReleaseTables,
    previous_version: str | None,
    previous: ReleaseTables | None,
    *,
    score_threshold: float = SCORE_THRESHOLD,
) -> Changes:
    """The changes of release `version` against `previous`. The first release (`previous`
    None) has nothing to compare with: no gene rows, only its sources' counts."""
    empty_genes = current.genes.iloc[0:0]
    before = previous.genes if previous is not None else empty_genes
    before_evidence = previous.evidence if previous is not None else current.evidence.iloc[0:0]
    sources = _source_table(before_evidence, current.evidence)
    genes = before[["hgnc_id", "approved_symbol", "evidence_tier", "percentage_score"]].merge(
        current.genes[["hgnc_id", "approved_symbol", "evidence_tier", "percentage_score"]],
        on="hgnc_id",
        how="outer",
        suffixes=("_b", "_a"),
        indicator=True,
    )
    genes["change"] = None
    delta = (genes["percentage_score_a"] - genes["percentage_score_b"]).abs()
    genes.loc[delta.fillna(0) >= score_threshold, "change"] = "score"
    moved = genes["evidence_tier_b"].fillna("").ne(genes["evidence_tier_a"].fillna(""))
    genes.loc[(genes["_merge"] == "both") & moved, "change"] = "tier"
    genes.loc[genes["_merge"] == "right_only", "change"] = "added"
    genes.loc[genes["_merge"] == "left_only", "change"] = "removed"
    kept = int((genes["_merge"] == "both").sum())
    genes = genes[genes["change"].notna()].copy()

    # Only the listed genes' evidence needs reading for reasons: a first release lists none,
    # a later one a few of its thousands of genes.
    listed = set(genes["hgnc_id"]) if previous is not None else set()
    reasons = _reasons(
        before_evidence[before_evidence["hgnc_id"].isin(listed)],
        current.evidence[current.evidence["hgnc_id"].isin(listed)],
        sources,
    )
    genes = genes.join(reasons, on="hgnc_id")
    changed_raw = sorted(
        row.source_name
        for row in sources.itertuples()
        if row.raw_sha256_before != row.raw_sha256_after
    )
    rescored = (
        "no evidence of this gene changed: its percentile scores moved with the other genes'"
        + (f" (new raw versions: {', '.join(changed_raw)})" if changed_raw else "")
    )
    genes["reason"] = genes["why"].fillna(rescored)
    if previous is None:
        genes = genes.iloc[0:0]
    for column in ("sources_appeared", "sources_disappeared", "sources_changed"):
        genes[column] = genes[column].fillna("")
    genes["approved_symbol"] = genes["approved_symbol_a"].fillna(genes["approved_symbol_b"])
    genes = genes.rename(
        columns={
            "evidence_tier_b": "tier_before",
            "evidence_tier_a": "tier_after",
            "percentage_score_b": "score_before",
            "percentage_score_a": "score_after",
        }
    )
    genes["order"] = genes["change"].map(_ORDER)
    genes = genes.sort_values(["order", "approved_symbol"])
    frame = pd.DataFrame({f.name: genes[f.name] for f in CHANGES.fields}).reset_index(drop=True)
    for f in CHANGES.fields:
        frame[f.name] = frame[f.name].astype("float64" if f.type == "number" else "string")
    return Changes(
        version=version,
        previous=previous_version,
        genes=frame,
        sources=sources,
        genes_before=len(before),
        genes_after=len(current.genes),
        kept=kept,
    )


def _score(value: object) -> str:
    return f"{value:.2f}" if isinstance(value, float) and value == value else "-"


def _text(value: object) -> str:
    return str(value) if isinstance(value, str) and value else "-"


def _cell(value: str) -> str:
    return value.replace("|", "\\|")


def render_markdown(changes: Changes, *, limit: int | None = None) -> str:
    """`CHANGES.md` (all rows), or with `limit` the summary the Dagster UI shows: the same,
    with at most `limit` genes per section."""
    lines = [f"# Release {changes.version}", ""]
    if changes.previous is None:
        lines += [
            f"First release: no earlier published release to compare with. "
            f"{changes.genes_after:,} genes.",
            "",
        ]
    else:
        lines += [
            f"Changes since {changes.previous} (the previous published release): "
            f"{changes.genes_before:,} → {changes.genes_after:,} genes; "
            f"{changes.count('added'):,} added, {changes.count('removed'):,} removed "
            f"({changes.removed_share:.1%}), {changes.count('tier'):,} tier changes "
            f"({changes.tier_share:.1%} of the genes kept), {changes.count('score'):,} score "
            f"changes of {SCORE_THRESHOLD:g} points or more.",
            "",
        ]
        if changes.alarming:
            lines += [
                f"**Warning**: more than {REMOVED_WARN_SHARE:.0%} of the genes removed or more "
                f"than {TIER_WARN_SHARE:.0%} moved to another tier.",
                "",
            ]
    lines += [
        "## Sources",
        "",
        "| source | genes before | genes after | raw version before | raw version after |",
        "|---|---:|---:|---|---|",
    ]
    for row in changes.sources.itertuples():
        lines.append(
            f"| {row.source_name} | {row.genes_before:,} | {row.genes_after:,} "
            f"| {_raw(row.raw_release_before, row.raw_sha256_before)} "
            f"| {_raw(row.raw_release_after, row.raw_sha256_after)} |"
        )
    if changes.previous is None:
        return "\n".join(lines) + "\n"
    titles = {
        "tier": "Tier changes",
        "score": "Score changes",
        "added": "Genes added",
        "removed": "Genes removed",
    }
    for change, title in titles.items():
        rows = changes.genes[changes.genes["change"] == change]
        lines += [
            "",
            f"## {title} ({len(rows):,})",
            "",
        ]
        if rows.empty:
            lines.append("None.")
            continue
        lines += [
            "| gene | HGNC id | tier before | tier after | score before | score after | why |",
            "|---|---|---|---|---:|---:|---|",
        ]
        shown = rows if limit is None else rows.head(limit)
        for row in shown.itertuples():
            lines.append(
                f"| {row.approved_symbol} | {row.hgnc_id} | {_text(row.tier_before)} "
                f"| {_text(row.tier_after)} | {_score(row.score_before)} "
                f"| {_score(row.score_after)} | {_cell(row.reason)} |"
            )
        if len(shown) < len(rows):
            lines.append(f"\n... and {len(rows) - len(shown):,} more: see CHANGES.md")
    return "\n".join(lines) + "\n"
