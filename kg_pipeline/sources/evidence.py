"""From parsed evidence to what an evidence load writes: pure, set-based, no database.

Owns normalising every row's gene text against the HGNC reference (each distinct text once),
and shaping the normaliser's decisions into the staging queue's items, the normalisation log's
items and, for file-based sources, one upload summary per file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from kg_pipeline.sources.hgnc.normalise import GeneNormaliser, staging_priority
from kg_pipeline.sources.records import GENE_COLUMNS, ParsedEvidence, json_value

PENDING = ("unresolved", "ambiguous")


@dataclass(frozen=True)
class Normalised:
    """A parsed source after normalisation."""

    rows: pd.DataFrame
    """Parsed rows of resolved genes, with `hgnc_id`."""
    decisions: pd.DataFrame
    """One row per distinct text: the normaliser's output."""
    counts: dict[str, int]
    """Distinct texts per status."""
    row_decisions: pd.DataFrame
    """The normaliser's output for every parsed row, with its `text`."""

    def resolved_texts(self) -> list[str]:
        return self.decisions.loc[self.decisions["status"].eq("resolved"), "text"].tolist()


def normalise(parsed: ParsedEvidence, normaliser: GeneNormaliser) -> Normalised:
    """Resolve every row's gene text; set-based, each distinct text once."""
    rows = parsed.rows.reset_index(drop=True)
    result = normaliser.normalise(rows[list(GENE_COLUMNS)])
    resolved_mask = result["status"].eq("resolved")
    resolved = rows[resolved_mask].assign(hgnc_id=result.loc[resolved_mask, "hgnc_id"])
    decisions = result.assign(text=result["symbol"].astype(str))
    distinct = decisions.drop_duplicates("text")
    counts = distinct["status"].value_counts().to_dict()
    return Normalised(resolved, distinct, {k: int(v) for k, v in counts.items()}, decisions)


def staging_items(decisions: pd.DataFrame, base_priority: int) -> list[dict[str, Any]]:
    """One staging item per unresolved or ambiguous text."""
    pending = decisions[decisions["status"].isin(PENDING)]
    return [
        {
            "original_text": row.text,
            "original_data": {
                "reported_hgnc_id": json_value(row.reported_hgnc_id),
                "cleaned": json_value(row.cleaned),
            },
            "normalization_log": {
                "failure_reason": json_value(row.reason),
                "status": row.status,
                "candidates": list(row.candidates) if isinstance(row.candidates, list) else [],
            },
            "priority_score": staging_priority(base_priority, row.text),
            "requires_expert_review": row.status == "ambiguous",
        }
        for row in pending.itertuples(index=False)
    ]


def log_items(decisions: pd.DataFrame) -> list[dict[str, Any]]:
    """One normalisation-log item per distinct text."""
    return [
        {
            "original_text": row.text,
            "success": row.status == "resolved",
            "approved_symbol": json_value(row.approved_symbol),
            "hgnc_id": json_value(row.hgnc_id),
            "normalization_log": {
                "status": row.status,
                "method": json_value(row.method),
                "cleaned": json_value(row.cleaned),
                "reason": json_value(row.reason),
            },
        }
        for row in decisions.itertuples(index=False)
    ]


def file_uploads(parsed: ParsedEvidence, normalised: Normalised) -> list[dict[str, Any]]:
    """Per file of a file-based source: its distinct gene texts and what became of them
    (normalised to distinct genes, failed, staged), its rejected rows and its own release."""
    decisions = normalised.row_decisions.assign(file=parsed.rows["file"].to_numpy())
    rejected = pd.Series([r.where.split(":", 1)[0] for r in parsed.rejects], dtype=object)
    rejected_per_file = rejected.value_counts().to_dict()
    summaries = []
    for file in sorted(parsed.file_releases):
        of_file = decisions[decisions["file"].eq(file)]
        status = of_file.drop_duplicates("text")["status"]
        resolved = of_file.loc[of_file["status"].eq("resolved"), "hgnc_id"]
        summaries.append(
            {
                "file": file,
                "genes": len(status),
                "normalized": int(resolved.nunique()),
                "failed": int((~status.eq("resolved")).sum()),
                "staged": int(status.isin(PENDING).sum()),
                "rejected_rows": int(rejected_per_file.get(file, 0)),
                "release": parsed.file_releases[file],
            }
        )
    return summaries
