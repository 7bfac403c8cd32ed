"""The `kg-pipeline` command: rebuild, status, ui.

Errors print as one line (what failed and what to do); `--verbose` adds the stack trace.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
import traceback
from collections.abc import Sequence

import sqlalchemy as sa

from kg_pipeline.settings import get_settings


class CommandError(RuntimeError):
    """A failure already phrased for the user."""


def _rebuild(args: argparse.Namespace) -> int:
    from kg_pipeline.definitions import defs
    from kg_pipeline.instance import get_instance, prepare_environment

    settings = get_settings()
    urls = prepare_environment(settings)
    where = "embedded PostgreSQL" if urls.embedded else "configured PostgreSQL"
    print(f"rebuild: gene database on the {where}; source mode {settings.source_mode}")
    started = time.monotonic()
    job = defs().resolve_job_def("rebuild")
    result = job.execute_in_process(
        instance=get_instance(),
        raise_on_error=False,
        tags={"kg/source_mode": settings.source_mode},
        run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}},
    )
    seconds = time.monotonic() - started
    if not result.success:
        failures = [e for e in result.all_events if e.is_step_failure]
        if failures:
            error = failures[0].step_failure_data.error
            message = (error.message if error else "unknown error").strip().splitlines()[0]
            raise CommandError(f"rebuild failed in {failures[0].step_key}: {message}")
        raise CommandError("rebuild failed; see the run in the Dagster UI (`kg-pipeline ui`)")
    print(f"rebuild: done in {seconds:.1f} s (run {result.run_id})")
    _print_status()
    return 0


def _print_status() -> None:
    from kg_pipeline.db.database import engine_for
    from kg_pipeline.db.schema import current_revision, head_revision, relations
    from kg_pipeline.db.server import database_urls

    engine = engine_for(database_urls(get_settings()).gene)
    with engine.connect() as conn:
        revision = current_revision(conn)
        head = head_revision()
        marker = "(head)" if revision == head else f"(head is {head})"
        print(f"schema revision: {revision or 'none'} {marker}")
        tables, _, matviews = relations(conn)
        rows = [
            (name, conn.execute(sa.text(f'SELECT count(*) FROM "{name}"')).scalar_one())
            for name in tables + matviews
            if name != "alembic_version"
        ]
    width = max((len(name) for name, _ in rows), default=10)
    for name, count in rows:
        print(f"  {name:<{width}}  {count:>9,}")


def _status(args: argparse.Namespace) -> int:
    _print_status()
    return 0


def _ui(args: argparse.Namespace) -> int:
    from kg_pipeline.instance import prepare_environment
    from kg_pipeline.ui import run_ui

    prepare_environment(get_settings())
    return run_ui(host=args.host, port=args.port)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kg-pipeline", description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", "-v", action="store_true", help="show stack traces")
    commands = parser.add_subparsers(dest="command", required=True)

    rebuild = commands.add_parser("rebuild", help="drop the gene schema and rebuild everything")
    rebuild.set_defaults(handler=_rebuild)

    status = commands.add_parser("status", help="schema revision and rows per table")
    status.set_defaults(handler=_status)

    ui = commands.add_parser("ui", help="run the Dagster webserver and daemon")
    ui.add_argument("--host", default="127.0.0.1")
    ui.add_argument("--port", type=int, default=3000)
    ui.set_defaults(handler=_ui)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING)
    try:
        return args.handler(args)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if args.verbose:
            traceback.print_exc()
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"kg-pipeline {args.command}: error: {message}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
