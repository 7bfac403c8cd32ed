"""Secrets never leave the process: a rebuild with a database password and an NCBI API key, then a
grep of everything it wrote (issue 13, item 6).

One small live rebuild through the local emulator (the API key is only ever sent live) against
databases owned by a role with a password, then `status`, then commands whose database cannot be
reached. None of these may show either secret: not the commands' output, not a file under
`$KG_DATA_DIR` (raw store, Dagster home, compute logs), not a row of any table of the gene
database or of Dagster's storage (event log, runs, run tags, job snapshots: Dagster stores the
snapshots zlib-compressed, so compressed cells are inflated before the grep).
"""

from __future__ import annotations

import uuid
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from kg_pipeline.db.server import DAGSTER_DB_DRIVER, GENE_DB_DRIVER
from kg_pipeline.devtools.emulator import UpstreamEmulator
from kg_pipeline_tests.test_cli import cli_env, run_cli

# What the small rebuild materialises: the schema, HGNC, and PubTator, the one source that
# takes an API key (three pages of its search).
SELECTED = ("database_schema", "raw_hgnc", "hgnc_reference", "raw_pubtator", "pubtator_evidence")


class Role:
    """A login role with a password owning two fresh databases (gene data, Dagster storage)."""

    def __init__(self, admin_url: str) -> None:
        tag = uuid.uuid4().hex[:10]
        self.name = f"kg_secret_{tag}"
        self.password = f"kg-secret-{tag}"
        self.databases = (f"kg_secret_gene_{tag}", f"kg_secret_dagster_{tag}")
        self.admin_url = admin_url

    def url(self, database: str, driver: str = GENE_DB_DRIVER, host: str | None = None) -> str:
        url = make_url(self.admin_url).set(
            drivername=driver, username=self.name, password=self.password, database=database
        )
        if host is not None:
            url = url.set(host=host, port=5432, query={})
        return url.render_as_string(hide_password=False)


def _admin(admin_url: str, *statements: str) -> None:
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            for statement in statements:
                conn.execute(sa.text(statement))
    finally:
        engine.dispose()


@pytest.fixture
def role(pg_admin_url: str) -> Iterator[Role]:
    role = Role(pg_admin_url)
    # Names and the password are this test's own constants (no outside input), and CREATE ROLE
    # takes no bind parameters.
    _admin(pg_admin_url, f"CREATE ROLE {role.name} LOGIN PASSWORD '{role.password}'")
    _admin(pg_admin_url, *(f"CREATE DATABASE {db} OWNER {role.name}" for db in role.databases))
    yield role
    _admin(
        pg_admin_url,
        *(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)" for db in role.databases),
        f"DROP ROLE IF EXISTS {role.name}",
    )


def _cell_texts(value: object) -> Iterator[str]:
    if isinstance(value, memoryview):
        value = bytes(value)
    if isinstance(value, bytes):
        try:
            inflated = zlib.decompress(value)
        except zlib.error:
            inflated = b""
        yield value.decode("utf-8", "replace")
        yield inflated.decode("utf-8", "replace")
        return
    yield str(value)


def database_dump(url: str) -> dict[str, str]:
    """Every row of every table and materialised view, as text, per relation."""
    engine = sa.create_engine(url)
    dump: dict[str, str] = {}
    try:
        with engine.connect() as conn:
            names = conn.execute(
                sa.text(
                    "SELECT c.relname FROM pg_class c "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'm')"
                )
            ).scalars()
            for name in names:
                rows = conn.execute(sa.select(sa.text("*")).select_from(sa.table(name))).all()
                dump[name] = "\n".join(
                    text for row in rows for value in row for text in _cell_texts(value)
                )
    finally:
        engine.dispose()
    return dump


def files_containing(root: Path, secrets: tuple[str, ...]) -> list[str]:
    found = []
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            data = path.read_bytes()
            found += [f"{path}: {s}" for s in secrets if s.encode() in data]
    return found


def test_no_secret_in_anything_a_run_wrote(
    role: Role, default_snapshot: Path, tmp_path: Path
) -> None:
    api_key = f"kg-api-key-{uuid.uuid4().hex[:10]}"
    secrets = (role.password, api_key)
    gene_db, dagster_db = role.databases
    gene_url = role.url(gene_db)
    dagster_url = role.url(dagster_db, DAGSTER_DB_DRIVER)
    data_dir = tmp_path / "data"
    outputs: dict[str, str] = {}
    with UpstreamEmulator(default_snapshot) as emulator:
        env = {
            **cli_env(gene_url, dagster_url, data_dir),
            "KG_UPSTREAM_URL": emulator.url,
            "KG_MIRROR_DIR": str(default_snapshot),
            "KG_NCBI_API_KEY": api_key,
            "KG_PUBTATOR_MAX_PAGES": "3",
            "KG_HTTP_REQUESTS_PER_SECOND": "1000",
        }
        rebuild = run_cli("rebuild", "--mode", "live", "--select", ",".join(SELECTED), env=env)
        assert rebuild.returncode == 0, rebuild.stderr
        # The key was sent: the secret is in the run's requests, so finding none below counts.
        pubtator = emulator.requests_for("pubtator")
        assert pubtator and all(r.query.get("api_key") == api_key for r in pubtator)
    outputs["rebuild"] = rebuild.stdout + rebuild.stderr
    status = run_cli("status", env=env)
    assert status.returncode == 0, status.stderr
    outputs["status"] = status.stdout + status.stderr

    # A server that cannot be reached: the error names it, without the password, and so does
    # the stack trace `--verbose` adds.
    unreachable = {
        **env,
        "KG_DATABASE_URL": role.url(gene_db, host="kg-no-such-host.invalid"),
        "KG_DAGSTER_PG_URL": role.url(dagster_db, DAGSTER_DB_DRIVER, "kg-no-such-host.invalid"),
    }
    failed = run_cli("--verbose", "status", env=unreachable)
    assert failed.returncode == 1
    assert "Traceback" in failed.stderr
    assert f"cannot reach PostgreSQL at postgresql+psycopg://{role.name}:***@kg-no-such-host" in (
        failed.stderr
    )
    outputs["status --verbose (unreachable)"] = failed.stdout + failed.stderr

    gene_rows = database_dump(gene_url)
    dagster_rows = database_dump(role.url(dagster_db))
    # The dumps hold what the run did (so an empty grep is not an empty dump).
    assert "pubtator" in gene_rows["cache_entries"] and gene_rows["gene_evidence"]
    assert "rebuild" in dagster_rows["runs"]
    assert dagster_rows["event_logs"] and dagster_rows["run_tags"] and dagster_rows["snapshots"]
    assert '"raw_pubtator"' in dagster_rows["snapshots"]  # the inflated job snapshot

    leaks = [
        f"{where}: {secret}"
        for where, text in [
            *outputs.items(),
            *(("gene database " + k, v) for k, v in gene_rows.items()),
            *(("dagster database " + k, v) for k, v in dagster_rows.items()),
        ]
        for secret in secrets
        if secret in text
    ]
    leaks += files_containing(data_dir, secrets)
    assert not leaks
