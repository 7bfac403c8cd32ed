"""What the crash-safety tests share: a small two-version mirror, runs killed at a named point
in a forked child process, and per-table checksums of the gene database.

The mirror holds only HGNC (trimmed to the genes ClinGen names), ClinGen and gnomAD (trimmed to
those genes), from the default snapshot: version A as generated, version B with a fifth of
ClinGen's curations and a tenth of gnomAD's genes gone. The jobs run are the ClinGen and gnomAD
refreshes and a rebuild of the assets they touch, so every kind of step is covered while a run
takes about a second.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
from collections.abc import Iterable
from pathlib import Path

import dagster as dg
import sqlalchemy as sa

from kg_pipeline.db.crash_point import CRASH_AT_VARIABLE
from kg_pipeline.definitions import build_definitions
from kg_pipeline.settings import Settings

CLINGEN = Path("clingen/kb/gene-validity/download")
HGNC = Path("hgnc/hgnc_complete_set.txt")
GNOMAD = Path("gnomad/gnomad.v4.1.constraint_metrics.tsv")

REBUILD_ASSETS = [
    "database_schema",
    "raw_hgnc",
    "hgnc_reference",
    "raw_clingen",
    "clingen_evidence",
    "genes",
    "gene_scores",
    "gene_curations",
    "raw_gnomad",
    "gnomad_annotations",
    "gene_annotations_summary",
]

# Progress and run rows are written outside the loads' transactions by design (a failed load
# must still show as failed); they are checked on their own. A rebuild's release is a new
# version every run (a new row, never a rewritten one), so two runs never list the same.
OUTSIDE_LOADS = {"data_source_progress", "pipeline_runs", "alembic_version", "data_releases"}
# JSON keys that name when a run happened rather than what the data is.
VOLATILE_JSON = {
    "cache_entries": ("data", "fetched_at"),
    "gene_annotations": ("source_metadata", "retrieved_at"),
}


def write_mirrors(snapshot: Path, root: Path) -> tuple[Path, Path]:
    """Versions A and B of the small mirror under `root`."""
    a, b = root / "a", root / "b"
    clingen = (snapshot / CLINGEN).read_text().splitlines(keepends=True)
    banner, rows = clingen[:6], clingen[6:]
    symbols = {row.split('","', 1)[0].strip('"') for row in rows}
    hgnc = (snapshot / HGNC).read_text().splitlines(keepends=True)
    hgnc_kept = [hgnc[0], *(line for line in hgnc[1:] if line.split("\t", 2)[1] in symbols)]
    gnomad = (snapshot / GNOMAD).read_text().splitlines(keepends=True)
    gnomad_rows = [line for line in gnomad[1:] if line.split("\t", 1)[0] in symbols]
    gnomad_genes = sorted({line.split("\t", 1)[0] for line in gnomad_rows})
    dropped = set(gnomad_genes[::10])
    versions = {
        a: (rows, gnomad_rows),
        b: (
            [row for i, row in enumerate(rows) if i % 5 != 0],
            [line for line in gnomad_rows if line.split("\t", 1)[0] not in dropped],
        ),
    }
    for mirror, (clingen_rows, gnomad_lines) in versions.items():
        for path in (CLINGEN, HGNC, GNOMAD):
            (mirror / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(snapshot / "MANIFEST", mirror / "MANIFEST")
        (mirror / HGNC).write_text("".join(hgnc_kept))
        (mirror / CLINGEN).write_text("".join(banner + clingen_rows))
        (mirror / GNOMAD).write_text("".join([gnomad[0], *gnomad_lines]))
    return a, b


def definitions(
    gene_db_url: str, data_dir: Path, mirror: Path, wait_timeout_s: float = 60
) -> dg.Definitions:
    return build_definitions(
        Settings.explicit(
            database_url=gene_db_url,
            data_dir=data_dir,
            mirror_dir=mirror,
            source_mode="mirror",
            wait_timeout_s=wait_timeout_s,
        )
    )


def execute(
    defs: dg.Definitions, instance: dg.DagsterInstance, job: str
) -> dg.ExecuteInProcessResult:
    """Run a job as `kg-pipeline rebuild` and the refresh jobs do: in process."""
    selection = [dg.AssetKey(name) for name in REBUILD_ASSETS] if job == "rebuild" else None
    return defs.resolve_job_def(job).execute_in_process(
        instance=instance, raise_on_error=False, asset_selection=selection
    )


def _child(gene_db_url: str, data_dir: Path, mirror: Path, home: Path, job: str) -> None:
    from kg_pipeline.db import database

    # The parent's pooled connections are not ours to use (nor to close).
    for engine in database._ENGINES.values():
        engine.dispose(close=False)
    database._ENGINES.clear()
    instance = dg.DagsterInstance.from_config(str(home))
    result = execute(definitions(gene_db_url, data_dir, mirror), instance, job)
    os._exit(0 if result.success else 1)


def start_child(
    gene_db_url: str, data_dir: Path, mirror: Path, home: Path, job: str, point: str = ""
) -> multiprocessing.process.BaseProcess:
    """Run `job` in a forked child, which SIGKILLs itself at `point` if one is named; its exit
    code is -9 when it reached the point, else 0 when the run succeeded."""
    os.environ[CRASH_AT_VARIABLE] = point
    try:
        child = multiprocessing.get_context("fork").Process(
            target=_child, args=(gene_db_url, data_dir, mirror, home, job)
        )
        child.start()
    finally:
        del os.environ[CRASH_AT_VARIABLE]
    return child


def run_killed_at(
    point: str, gene_db_url: str, data_dir: Path, mirror: Path, home: Path, job: str
) -> int | None:
    child = start_child(gene_db_url, data_dir, mirror, home, job, point)
    child.join(timeout=300)
    return child.exitcode


# A log of every load's decisions: a load run again after a crash (or by a second refresh
# started together with the first) logs the same decisions again, so it is compared as a set.
DECISION_LOGS = {"gene_normalization_log"}
EMPTY = "d41d8cd98f00b204e9800998ecf8427e"
"""md5 of nothing: the checksum of an empty table."""


def table_checksums(conn: sa.Connection, tables: Iterable[str] | None = None) -> dict[str, str]:
    """md5 of each table's (and materialised view's) rows, without surrogate keys and times,
    with gene ids as HGNC ids, over a stable order."""
    names = (
        tables
        or conn.execute(
            sa.text(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' UNION "
                "SELECT matviewname FROM pg_matviews WHERE schemaname = 'public'"
            )
        ).scalars()
    )
    sums = {}
    for name in sorted(names):
        if name in OUTSIDE_LOADS:
            continue
        drop = (
            conn.execute(
                sa.text(
                    "SELECT a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
                    "WHERE c.relname = :t AND a.attnum > 0 AND NOT a.attisdropped AND "
                    "(a.attname = 'id' OR a.atttypid IN ('timestamptz'::regtype, "
                    "'timestamp'::regtype, 'date'::regtype))"
                ),
                {"t": name},
            )
            .scalars()
            .all()
        )
        row = "to_jsonb(t) - CAST(:drop AS text[])"
        for column in ("gene_id", "final_gene_id"):
            row = (
                f"({row}) || jsonb_build_object('{column}', "
                f"(SELECT hgnc_id FROM genes g WHERE g.id = (to_jsonb(t) ->> '{column}')::bigint))"
            )
        if name in VOLATILE_JSON:
            column, key = VOLATILE_JSON[name]
            row = f"jsonb_set({row}, '{{{column}}}', (to_jsonb(t) -> '{column}') - '{key}')"
        # Each cache entry is a record of its own (a raw version, what a load consumed).
        unit = "t.cache_key" if name == "cache_entries" else "''"
        distinct = "DISTINCT " if name in DECISION_LOGS else ""
        for key, value in conn.execute(
            sa.text(
                f"SELECT k, md5(coalesce(string_agg({distinct}r, '|' ORDER BY r), '')) "
                f'FROM (SELECT {unit} AS k, ({row})::text AS r FROM "{name}" t) x GROUP BY k'
            ),
            {"drop": drop},
        ).all():
            sums[f"{name}[{key}]" if key else name] = value
        if name != "cache_entries":
            sums.setdefault(name, EMPTY)
    return sums
