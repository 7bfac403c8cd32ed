"""Data releases end to end on one rebuilt database (the default snapshot, loaded once into a
template; each test works on a copy): a draft whose datapackage validates, publishing freezes
it, a flipped byte fails verification, the R-layout file, and a ClinGen change explained.
"""

import csv
import datetime as dt
import gzip
import hashlib
import io
import json
import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest
import sqlalchemy as sa

from kg_pipeline import cli
from kg_pipeline.db.database import dispose_engine
from kg_pipeline.releases.package import PUBLISHED, ReleaseError, write_release
from kg_pipeline.releases.version import next_version
from kg_pipeline_tests.conftest import (
    create_database,
    drop_database,
    pipeline_definitions,
    pipeline_test_resources,
)
from kg_pipeline_tests.defs.evidence_oracle import HgncIndex
from kg_pipeline_tests.defs.test_evidence import CLINGEN_CSV, _copy_snapshot, _replace

ASSETS, _ = pipeline_definitions()
CLINGEN_REFRESH = ["raw_clingen", "clingen_evidence", "genes", "gene_scores", "gene_curations"]
# Tiers of the gene_scores view (migration 002): (tier, minimum sources, minimum percentage).
TIERS = [
    ("comprehensive_support", 4, 50),
    ("multi_source_support", 3, 35),
    ("established_support", 2, 20),
    ("preliminary_evidence", 1, 10),
]


def run(url: str, data_dir: Path, snapshot: Path, names: list[str]) -> dg.ExecuteInProcessResult:
    resources = pipeline_test_resources(url, data_dir / "raw", mirror_dir=snapshot)
    return dg.materialize([ASSETS[name] for name in names], resources=resources)


@pytest.fixture(scope="module")
def template(
    pg_admin_url: str, default_snapshot: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path]]:
    """The default snapshot rebuilt once, without a release: the database and its data dir."""
    name = f"kg_test_{uuid.uuid4().hex[:12]}"
    url = create_database(pg_admin_url, name)
    data_dir = tmp_path_factory.mktemp("release-template")
    assert run(url, data_dir, default_snapshot, [n for n in ASSETS if n != "gene_release"]).success
    dispose_engine(url)
    yield name, data_dir
    drop_database(pg_admin_url, name)


@dataclass(frozen=True)
class Rebuilt:
    url: str
    engine: sa.Engine
    data_dir: Path

    @property
    def releases(self) -> Path:
        return self.data_dir / "releases"

    def release(self, snapshot: Path) -> dg.ExecuteInProcessResult:
        return run(self.url, self.data_dir, snapshot, ["gene_release"])

    def row(self, version: str) -> sa.Row:
        with self.engine.connect() as conn:
            return conn.execute(
                sa.text("SELECT * FROM data_releases WHERE version = :v"), {"v": version}
            ).one()

    def cli(self, monkeypatch: pytest.MonkeyPatch, capsys, *args: str) -> tuple[int, str]:
        monkeypatch.setenv("KG_DATABASE_URL", self.url)
        monkeypatch.setenv("KG_DATA_DIR", str(self.data_dir))
        capsys.readouterr()  # what the runs before logged
        code = cli.main(list(args) if args[0] == "status" else ["release", *args])
        out = capsys.readouterr()
        return code, out.out + out.err


@pytest.fixture
def rebuilt(template: tuple[str, Path], pg_admin_url: str, tmp_path: Path) -> Iterator[Rebuilt]:
    name, template_dir = template
    db = f"kg_test_{uuid.uuid4().hex[:12]}"
    url = create_database(pg_admin_url, db, template=name)
    shutil.copytree(template_dir / "raw", tmp_path / "raw", copy_function=os.link)
    engine = sa.create_engine(url)
    yield Rebuilt(url, engine, tmp_path)
    engine.dispose()
    dispose_engine(url)
    drop_database(pg_admin_url, db)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _snapshot_of(directory: Path) -> dict[str, str]:
    return {p.name: _sha(p) for p in sorted(directory.iterdir())}


def test_a_draft_validates_publishing_freezes_it_and_a_flipped_byte_fails(
    rebuilt: Rebuilt, default_snapshot: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    first = rebuilt.release(default_snapshot)
    version = next_version(dt.datetime.now(dt.UTC).date(), [])
    (event,) = first.asset_materializations_for_node("gene_release")
    assert event.metadata["version"].value == version
    assert "First release" in event.metadata["changes"].value
    (check,) = first.get_asset_check_evaluations()
    assert check.passed
    row = rebuilt.row(version)
    assert (row.status, row.gene_count, row.origin) == ("draft", 4_778, "synthetic")
    assert row.schema_revision == "004_data_releases" and row.code_version.startswith("kg-")
    directory = rebuilt.releases / version
    names = {p.name for p in directory.iterdir()}
    date = dt.date.fromisoformat(row.release_date.isoformat())
    assert names == {
        *(
            f"{t}.{ext}"
            for t in ("genes", "evidence", "annotations")
            for ext in ("parquet", "csv.gz")
        ),
        "changes.parquet",
        "CHANGES.md",
        f"A_MergeAnalysesSources.{date}.csv.gz",
        "datapackage.json",
        "SHA256SUMS",
    }
    package = json.loads((directory / "datapackage.json").read_text())
    sources = {s["title"]: s for s in package["sources"]}
    assert sources["clingen"]["kg:sha256"] and sources["clingen"]["kg:fetched_at"]
    assert package["kg:release"]["origin"]["kind"] == "synthetic"
    assert package["kg:release"]["schema_revision"] == "004_data_releases"
    assert len(package["resources"]) == 9

    # The R-layout file: R's header, TRUE/FALSE/NULL, counts consistent with the flags.
    with gzip.open(directory / f"A_MergeAnalysesSources.{date}.csv.gz", "rt") as fh:
        r_rows = list(csv.reader(fh))
    assert r_rows[0] == [
        "approved_symbol", "hgnc_id", "source_count_percentile", "evidence_count", "list_count",
        "01_PanelApp", "02_Literature", "03_DiagnosticPanels", "04_HPO", "05_PubTator",
    ]  # fmt: skip
    evidence = pd.read_parquet(directory / "evidence.parquet")
    r_genes = evidence[evidence["source_name"].isin(
        ["PanelApp", "Literature", "DiagnosticPanels", "HPO", "PubTator"]
    )]  # fmt: skip
    assert len(r_rows) - 1 == r_genes["hgnc_id"].nunique()
    pubtator = evidence[evidence["source_name"] == "PubTator"].set_index("approved_symbol")
    for row_ in r_rows[1:]:
        flags = row_[5:]
        assert set(flags) <= {"TRUE", "FALSE", "NULL"} and row_[1].isdigit()
        assert int(row_[3]) == flags.count("TRUE") and int(row_[4]) == 5 - flags.count("NULL")
        if row_[0] in pubtator.index:
            assert flags[4] == ("TRUE" if pubtator.loc[row_[0], "source_count"] >= 3 else "FALSE")

    # verify: every checksum and the datapackage (Frictionless) hold; then publish.
    assert rebuilt.cli(monkeypatch, capsys, "verify", version) == (0, f"release {version}: ok\n")
    code, out = rebuilt.cli(monkeypatch, capsys, "publish", version)
    assert code == 0, out
    assert rebuilt.row(version).status == "published" and (directory / PUBLISHED).is_file()
    frozen = _snapshot_of(directory)

    # Immutability: publishing again, rerunning the asset, writing over it, changing its row.
    code, out = rebuilt.cli(monkeypatch, capsys, "publish", version)
    assert code == 1 and f"release {version} was published at" in out and out[-1] == "\n"
    second = rebuilt.release(default_snapshot)
    (event,) = second.asset_materializations_for_node("gene_release")
    assert event.metadata["version"].value == f"{version}.2"
    assert f"Changes since {version}" in event.metadata["changes"].value
    with pytest.raises(ReleaseError, match="already exists"):
        write_release(rebuilt.releases, *_same_release(directory))
    with rebuilt.engine.connect() as conn:
        for statement in (
            "UPDATE data_releases SET gene_count = 1 WHERE version = :v",
            "UPDATE data_releases SET status = 'draft' WHERE version = :v",
            "DELETE FROM data_releases WHERE version = :v",
            "TRUNCATE data_releases",
        ):
            with pytest.raises(sa.exc.IntegrityError, match="published"), conn.begin():
                conn.execute(sa.text(statement), {"v": version})
    assert _snapshot_of(directory) == frozen
    assert rebuilt.row(version).status == "published"
    code, out = rebuilt.cli(monkeypatch, capsys, "list")
    assert code == 0
    assert f"{version} " in out and "published" in out and f"{version}.2 " in out
    assert "4,778" in out and "synthetic" in out
    code, out = rebuilt.cli(monkeypatch, capsys, "status")
    assert (
        code == 0
        and (
            f"data releases: 2 (latest published {version}, latest draft {version}.2; "
            "`kg-pipeline release list`)"
        )
        in out.splitlines()
    )

    # A flipped byte in the draft fails verification, naming the file.
    target = rebuilt.releases / f"{version}.2" / "genes.csv.gz"
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0x01
    target.write_bytes(bytes(data))
    code, out = rebuilt.cli(monkeypatch, capsys, "verify", f"{version}.2")
    assert code == 1 and "genes.csv.gz: sha256 differs from SHA256SUMS" in out
    code, out = rebuilt.cli(monkeypatch, capsys, "publish", f"{version}.2")
    assert code == 1 and "does not verify" in out

    # A draft can be discarded, files and row; a published release cannot.
    code, out = rebuilt.cli(monkeypatch, capsys, "discard", version)
    assert code == 1 and f"release {version} is published: a published release is never" in out
    assert _snapshot_of(directory) == frozen
    (third,) = rebuilt.release(default_snapshot).asset_materializations_for_node("gene_release")
    assert third.metadata["version"].value == f"{version}.3"
    code, out = rebuilt.cli(monkeypatch, capsys, "discard", f"{version}.3")
    assert code == 0, out
    assert not (rebuilt.releases / f"{version}.3").exists()
    with rebuilt.engine.connect() as conn:
        versions = conn.execute(sa.text("SELECT version FROM data_releases")).scalars().all()
    assert sorted(versions) == [version, f"{version}.2"]

    # A rebuild drops the schema and the rows with it: the directories are listed again.
    resources = pipeline_test_resources(
        rebuilt.url, rebuilt.data_dir / "raw", mirror_dir=default_snapshot
    )
    drop = {"ops": {"database_schema": {"config": {"drop_first": True}}}}
    assert dg.materialize([ASSETS["database_schema"]], resources=resources, run_config=drop).success
    code, out = rebuilt.cli(monkeypatch, capsys, "list")
    assert [line.split()[:2] for line in out.splitlines()] == [
        [version, "published"],
        [f"{version}.2", "draft"],
    ]


def _same_release(directory: Path) -> tuple:
    """The arguments that would write the release in `directory` again."""
    from kg_pipeline.releases.changes import compare
    from kg_pipeline.releases.package import ReleaseInfo, read_info, read_tables
    from kg_pipeline.releases.r_layout import merged_gene_list

    info = read_info(directory)
    tables = read_tables(directory)
    release = ReleaseInfo(**{**info, "sources": []})
    changes = compare(release.version, tables, None, None)
    return release, tables, changes, merged_gene_list(tables.evidence)


def _tier(sources: int, score: float) -> str:
    for tier, n, floor in TIERS:
        if sources >= n and score >= floor:
            return tier
    return "minimal_evidence" if score > 0 else "no_evidence"


def test_a_clingen_change_is_named_with_its_tier_change_and_raw_version(
    rebuilt: Rebuilt,
    default_snapshot: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys,
) -> None:
    first = rebuilt.release(default_snapshot)
    (event,) = first.asset_materializations_for_node("gene_release")
    version = event.metadata["version"].value
    assert rebuilt.cli(monkeypatch, capsys, "publish", version)[0] == 0

    # A Definitive ClinGen gene whose tier falls when its classification becomes Disputed
    # (weight 1.0 -> 0.2 of 7 sources: 11.43 points less).
    with rebuilt.engine.connect() as conn:
        candidates = conn.execute(
            sa.text(
                "SELECT hgnc_id, approved_symbol, source_count, percentage_score::float, "
                "evidence_tier FROM gene_scores WHERE (source_scores->>'ClinGen')::float = 1 "
                "AND total_active_sources = 7 ORDER BY approved_symbol"
            )
        ).all()
    gene = next(c for c in candidates if _tier(c.source_count, c.percentage_score - 80 / 7) != c[4])
    hgnc = HgncIndex(default_snapshot / "hgnc" / "hgnc_complete_set.txt")
    edited = _copy_snapshot(default_snapshot, tmp_path / "edited")
    path = edited / CLINGEN_CSV
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    changed = 0
    for row in csv.reader(lines[6:]):
        if len(row) == 10 and hgnc.resolve(row[0]).hgnc_id == gene.hgnc_id:
            row[6] = "Disputed"
            changed += 1
        writer.writerow(row)
    assert changed
    _replace(path, "".join(lines[:6]) + out.getvalue())

    assert run(rebuilt.url, rebuilt.data_dir, edited, CLINGEN_REFRESH).success
    second = rebuilt.release(edited)
    (event,) = second.asset_materializations_for_node("gene_release")
    assert event.metadata["version"].value == f"{version}.2"
    with rebuilt.engine.connect() as conn:
        tier_after = conn.execute(
            sa.text("SELECT evidence_tier FROM gene_scores WHERE hgnc_id = :h"),
            {"h": gene.hgnc_id},
        ).scalar_one()
        raw = conn.execute(
            sa.text("SELECT data FROM cache_entries WHERE cache_key = 'raw:clingen:latest'")
        ).scalar_one()
    assert tier_after == _tier(gene.source_count, gene.percentage_score - 80 / 7) != gene[4]

    changes_md = (rebuilt.releases / f"{version}.2" / "CHANGES.md").read_text()
    line = next(x for x in changes_md.splitlines() if x.startswith(f"| {gene.approved_symbol} |"))
    assert f"| {gene[4]} | {tier_after} |" in line
    assert (
        f"ClinGen evidence changed (raw release {raw['release'] or 'not stated'}, "
        f"sha256 {raw['sha256'][:12]})" in line
    )
    assert "## Tier changes (1)" in changes_md
    changes = pd.read_parquet(rebuilt.releases / f"{version}.2" / "changes.parquet")
    (row,) = changes[changes["hgnc_id"] == gene.hgnc_id].itertuples()
    assert (row.change, row.tier_before, row.tier_after, row.sources_changed) == (
        "tier",
        gene[4],
        tier_after,
        "ClinGen",
    )
    assert event.metadata["changes"].value.count(gene.approved_symbol) >= 1
