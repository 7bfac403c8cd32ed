"""The databases a bench runs against: a gene database and a Dagster storage database of its
own, created and dropped on the chosen server (or the embedded one) so the user's data is
never touched.
"""

from __future__ import annotations

import sqlalchemy as sa

from kg_pipeline.db.database import dispose_engine
from kg_pipeline.db.server import (
    DAGSTER_DB_DRIVER,
    GENE_DB_DRIVER,
    redact,
    start_embedded_server,
    with_driver,
)
from kg_pipeline.devtools.bench.options import BenchError, BenchOptions
from kg_pipeline.settings import Settings


def server_admin_url(options: BenchOptions, settings: Settings) -> tuple[str, bool]:
    """The server's maintenance-database URL, and whether it is the embedded server."""
    if options.server_url:
        return with_driver(options.server_url, GENE_DB_DRIVER, "postgres"), False
    if settings.database_url:
        return with_driver(settings.database_url, GENE_DB_DRIVER, "postgres"), False
    server = start_embedded_server(settings.data_dir.expanduser().resolve())
    return with_driver(server, GENE_DB_DRIVER, "postgres"), True


class ScratchDatabases:
    """A gene database and a Dagster storage database of the benchmark's own.

    Created on entry (failing if the names exist: a bench never reuses data), dropped on exit
    unless `keep`.
    """

    def __init__(self, admin_url: str, token: str, *, keep: bool = False) -> None:
        self.admin_url = admin_url
        self.keep = keep
        self.gene_name = f"kg_bench_{token}"
        self.dagster_name = f"kg_bench_dagster_{token}"
        self.gene_url = with_driver(admin_url, GENE_DB_DRIVER, self.gene_name)
        self.dagster_url = with_driver(admin_url, DAGSTER_DB_DRIVER, self.dagster_name)

    def __enter__(self) -> ScratchDatabases:
        created: list[str] = []
        try:
            for name in (self.gene_name, self.dagster_name):
                self._admin(f'CREATE DATABASE "{name}"')
                created.append(name)
        except sa.exc.SQLAlchemyError as exc:
            reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
            server = redact(self.admin_url)
            if isinstance(exc, sa.exc.OperationalError) and not created:
                raise BenchError(
                    f"cannot reach PostgreSQL at {server}: {reason}; check --server-url or "
                    "KG_DATABASE_URL"
                ) from exc
            self._drop(created)
            raise BenchError(
                f"cannot create the bench databases on {server}: {reason}; the bench needs a "
                "role allowed to CREATE DATABASE (see --server-url)"
            ) from exc
        return self

    def __exit__(self, *exc_info: object) -> None:
        dispose_engine(self.gene_url)
        if not self.keep:
            self._drop([self.gene_name, self.dagster_name])

    def _drop(self, names: list[str]) -> None:
        for name in names:
            # FORCE: Dagster's storage may still hold an idle pooled connection.
            self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _admin(self, statement: str) -> None:
        engine = sa.create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(sa.text(statement))
        finally:
            engine.dispose()


def drop_bench_databases(admin_url: str, *names: str) -> None:
    """Drop databases a `--keep` bench left behind."""
    engine = sa.create_engine(
        with_driver(admin_url, GENE_DB_DRIVER, "postgres"), isolation_level="AUTOCOMMIT"
    )
    try:
        with engine.connect() as conn:
            for name in names:
                if not name.startswith("kg_bench_"):
                    raise ValueError(f"{name} is not a bench database")
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        engine.dispose()
