"""What the gene database holds, as the terminal summary of `rebuild` and `status`."""

from collections import Counter
from dataclasses import dataclass

import sqlalchemy as sa

from kg_pipeline.db.raw_index import raw_origins
from kg_pipeline.db.releases import latest_published, list_releases
from kg_pipeline.db.schema import current_revision, head_revision, relations


@dataclass(frozen=True)
class DatabaseSummary:
    revision: str | None
    head: str
    genes: int
    evidence: dict[str, int]
    annotations: dict[str, int]
    tiers: dict[str, int]
    staged: dict[str, int]
    tables: dict[str, int]
    last_run: tuple | None
    raw_origins: dict[str, str]
    """Each source's latest raw version's origin (`live`, `manual`, `synthetic`, ...)."""
    data_origin: str | None
    """What the last recorded run loaded, in one line (see `DataOrigin.describe`)."""
    releases: tuple[int, str | None, str | None] = (0, None, None)
    """Data releases listed: how many, the latest published and the latest draft version."""


def _pairs(conn: sa.Connection, sql: str) -> dict:
    return dict(conn.execute(sa.text(sql)).all())


def summarise_database(conn: sa.Connection) -> DatabaseSummary:
    revision, head = current_revision(conn), head_revision()
    tables, _, matviews = relations(conn)
    if revision != head:
        return DatabaseSummary(revision, head, 0, {}, {}, {}, {}, {}, None, {}, None)
    releases = list_releases(conn)
    drafts = [row.version for row in releases if row.status == "draft"]
    last_run = conn.execute(
        sa.text(
            "SELECT job_name, status, started_at, completed_at, dagster_run_id, stats "
            "FROM pipeline_runs ORDER BY completed_at DESC NULLS LAST LIMIT 1"
        )
    ).first()
    counts = {
        name: conn.execute(sa.text(f'SELECT count(*) FROM "{name}"')).scalar_one()
        for name in tables + matviews
        if name != "alembic_version"
    }
    return DatabaseSummary(
        revision=revision,
        head=head,
        genes=counts.get("genes", 0),
        evidence=_pairs(
            conn, "SELECT source_name, count(*) FROM gene_evidence GROUP BY 1 ORDER BY 1"
        ),
        annotations=_pairs(
            conn,
            "SELECT s.source_name, count(ga.id) FROM annotation_sources s "
            "LEFT JOIN gene_annotations ga ON ga.source = s.source_name GROUP BY 1 ORDER BY 1",
        ),
        tiers=_pairs(
            conn, "SELECT evidence_tier, count(*) FROM gene_scores GROUP BY 1 ORDER BY 2 DESC"
        ),
        staged=_pairs(
            conn,
            "SELECT source_name, count(*) FROM gene_normalization_staging "
            "WHERE status = 'pending_review' GROUP BY 1 ORDER BY 1",
        ),
        tables=counts,
        last_run=last_run[:5] if last_run else None,
        raw_origins=raw_origins(conn),
        data_origin=(last_run.stats or {}).get("kg/data_origin") if last_run else None,
        releases=(len(releases), latest_published(conn), drafts[-1] if drafts else None),
    )


def format_summary(summary: DatabaseSummary, *, with_tables: bool = True) -> str:
    marker = "(head)" if summary.revision == summary.head else f"(head is {summary.head})"
    lines = [f"schema revision: {summary.revision or 'none'} {marker}"]
    if summary.revision != summary.head:
        lines.append("  the schema is not at head: run `kg-pipeline rebuild`")
        return "\n".join(lines)
    lines.append(f"genes: {summary.genes:,}")
    lines.append("evidence rows per source:")
    lines += [f"  {name:<18} {count:>7,}" for name, count in summary.evidence.items()]
    lines.append("annotation coverage (genes annotated / genes):")
    for name, count in summary.annotations.items():
        share = 100 * count / summary.genes if summary.genes else 0.0
        lines.append(f"  {name:<18} {count:>7,}  {share:5.1f} %")
    lines.append("evidence tiers:")
    lines += [f"  {name:<22} {count:>7,}" for name, count in summary.tiers.items()]
    staged = sum(summary.staged.values())
    detail = ", ".join(f"{k} {v}" for k, v in summary.staged.items())
    lines.append(f"staged symbols awaiting review: {staged:,}" + (f" ({detail})" if detail else ""))
    if summary.last_run:
        job, status, started, completed, run_id = summary.last_run
        seconds = (completed - started).total_seconds() if completed and started else 0.0
        lines.append(f"last run: {job} {status} in {seconds:.1f} s (run {run_id})")
    if summary.data_origin:
        lines.append(f"data of the last run: {summary.data_origin}")
    if summary.raw_origins:
        by_origin = Counter(summary.raw_origins.values())
        lines.append(
            "raw inputs by origin: "
            + ", ".join(f"{n} {origin}" for origin, n in by_origin.most_common())
        )
    count, published, draft = summary.releases
    if count:
        lines.append(
            f"data releases: {count:,} (latest published {published or 'none'}, latest draft "
            f"{draft or 'none'}; `kg-pipeline release list`)"
        )
    if with_tables:
        lines.append("rows per table:")
        width = max(len(name) for name in summary.tables)
        lines += [f"  {name:<{width}}  {count:>9,}" for name, count in summary.tables.items()]
    return "\n".join(lines)
