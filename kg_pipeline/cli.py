"""The `kg-pipeline` command: rebuild, status, ui, import-raw, release, snapshot, emulate, bench.

Errors print as one line (what failed and what to do); `--verbose` adds the stack trace.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
import time
import traceback
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from kg_pipeline.manifest import DataOrigin
from kg_pipeline.settings import Settings

if TYPE_CHECKING:
    import dagster as dg


class CommandError(RuntimeError):
    """A failure already phrased for the user."""


def _ensure_snapshot(settings: Settings) -> None:
    """Generate the default snapshot first if the mirror directory does not exist."""
    from kg_pipeline.devtools.snapshot import generate_snapshot

    mirror = settings.resolved_mirror_dir
    manifest = mirror / "MANIFEST"
    if not mirror.exists():
        print(f"rebuild: no snapshot at {mirror}; generating the default offline snapshot there")
        started = time.monotonic()
        generate_snapshot(mirror)
        print(f"rebuild: snapshot generated in {time.monotonic() - started:.1f} s")
    if not manifest.is_file():
        raise CommandError(
            f"{mirror} has no MANIFEST: not a snapshot; regenerate it with "
            f"`kg-pipeline snapshot --out {mirror}` or point KG_MIRROR_DIR elsewhere"
        )


def _rebuild(args: argparse.Namespace) -> int:
    from kg_pipeline.db.database import data_origin
    from kg_pipeline.db.runs import step_error
    from kg_pipeline.definitions import build_definitions
    from kg_pipeline.instance import get_instance, prepare_environment

    settings = Settings()
    if args.mode:
        settings = settings.model_copy(update={"source_mode": args.mode})
    if settings.source_mode == "mirror":
        _ensure_snapshot(settings)
    urls = prepare_environment(settings)
    where = "embedded PostgreSQL" if urls.embedded else "configured PostgreSQL"
    print(f"rebuild: gene database on the {where}; source mode {settings.source_mode}")
    origin = data_origin(settings.source_mode, settings.resolved_mirror_dir)
    print(f"rebuild: data: {origin.describe()}")
    if not origin.is_real and not args.force:
        _refuse_to_replace_real_data(urls.gene, origin)
    started = time.monotonic()
    definitions = build_definitions(settings)
    job = definitions.resolve_job_def("rebuild")
    selection = None
    if args.select:
        known = {key.to_user_string(): key for key in definitions.resolve_all_asset_keys()}
        wanted = [name.strip() for name in args.select.split(",") if name.strip()]
        unknown = [name for name in wanted if name not in known]
        if unknown:
            raise CommandError(
                f"unknown asset(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}"
            )
        selection = [known[name] for name in wanted]
    result = _execute_watched(
        job,
        get_instance(),
        timeout_s=settings.wait_timeout_s,
        asset_selection=selection,
        run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}},
    )
    seconds = time.monotonic() - started
    if not result.success:
        failures = [e for e in result.all_events if e.is_step_failure]
        if failures:
            message = step_error(failures[0].step_failure_data.error)
            raise CommandError(f"rebuild failed in {failures[0].step_key}: {message}")
        errors = [
            error
            for event in result.all_events
            if (error := getattr(event.event_specific_data, "error", None)) is not None
        ]
        if errors:
            cause = errors[-1].cause or errors[-1]
            raise CommandError(f"rebuild failed: {cause.message.strip().splitlines()[0]}")
        raise CommandError("rebuild failed; see the run in the Dagster UI (`kg-pipeline ui`)")
    print(f"rebuild: done in {seconds:.1f} s (run {result.run_id})")
    _print_status(settings, with_tables=False)
    return 0


WATCH_SECONDS = 0.5
EXIT_CODES = {signal.SIGINT: 130, signal.SIGTERM: 143}


def _execute_watched(
    job: dg.JobDefinition, instance: dg.DagsterInstance, *, timeout_s: float, **options: Any
) -> dg.ExecuteInProcessResult:
    """Execute `job` in process, watched: say when it waits for a pool slot and who holds it,
    give up after `timeout_s` of waiting, stop on SIGINT and SIGTERM.

    The job runs in a worker thread because Dagster defers a signal that arrives in the main
    thread until a step checks for it, which a step waiting for a slot never does. Giving up
    marks the run canceled and frees its slots, says one line, and ends the process at once:
    what was not committed rolls back with its connections, and the next run finishes it.
    """
    from dagster._core.utils import make_new_run_id

    from kg_pipeline.db.dead_runs import reap_dead_runs
    from kg_pipeline.instance import end_run, pool_waits

    reap_dead_runs(instance, lambda line: print(f"rebuild: {line}", flush=True))
    run_id = make_new_run_id()
    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            outcome["result"] = job.execute_in_process(
                instance=instance, run_id=run_id, raise_on_error=False, **options
            )
        except BaseException as exc:
            outcome["error"] = exc

    def give_up(message: str, code: int) -> NoReturn:
        end_run(instance, run_id, message)
        print(f"kg-pipeline rebuild: error: {message}", file=sys.stderr, flush=True)
        os._exit(code)

    received: list[signal.Signals] = []

    def on_signal(number: int, _frame: object) -> None:
        received.append(signal.Signals(number))

    previous = {signum: signal.signal(signum, on_signal) for signum in EXIT_CODES}
    worker = threading.Thread(target=work, name="rebuild", daemon=True)
    worker.start()
    said: set[tuple[str, str]] = set()
    waiting_since: float | None = None
    try:
        while worker.is_alive():
            worker.join(WATCH_SECONDS)
            if received:
                give_up(
                    f"stopped by {received[0].name}: run {run_id} canceled, its pool slots "
                    "freed; what it had not committed was rolled back",
                    EXIT_CODES[received[0]],
                )
            waits = pool_waits(instance, run_id) if worker.is_alive() else []
            if not waits:
                waiting_since = None
                continue
            waiting_since = waiting_since or time.monotonic()
            for wait in waits:
                if (wait.pool, wait.step_key) not in said:
                    said.add((wait.pool, wait.step_key))
                    print(
                        f"rebuild: waiting for {wait.describe()}; giving up after "
                        f"{timeout_s:.0f} s (KG_WAIT_TIMEOUT_S)",
                        flush=True,
                    )
            if time.monotonic() - waiting_since >= timeout_s:
                give_up(
                    f"gave up after {timeout_s:.0f} s waiting for {waits[0].describe()}; run "
                    "it again once that run has finished (or stop it), or raise "
                    "KG_WAIT_TIMEOUT_S",
                    1,
                )
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]


def _refuse_to_replace_real_data(gene_url: str, origin: DataOrigin) -> None:
    """Stop a rebuild from a snapshot that is not all real over a gene database whose current
    raw data came from the real sources: the quick start must never silently replace it."""
    import sqlalchemy as sa

    from kg_pipeline.db.database import engine_for
    from kg_pipeline.db.raw_index import raw_origins
    from kg_pipeline.db.schema import current_revision
    from kg_pipeline.db.server import DatabaseUnavailable

    try:
        with engine_for(gene_url).connect() as conn:
            origins = raw_origins(conn) if current_revision(conn) else {}
    except (sa.exc.SQLAlchemyError, DatabaseUnavailable):
        return  # no gene database yet (or no schema): nothing to replace
    real = sorted(source for source, kind in origins.items() if kind in ("live", "manual"))
    if real:
        raise CommandError(
            f"the gene database holds data from the real sources ({len(real)} of "
            f"{len(origins)}: {', '.join(real)}); a rebuild from this {origin.kind} offline "
            "snapshot would replace it: use `--mode live`, or `--force` to replace it anyway"
        )


def _print_status(settings: Settings, *, with_tables: bool = True) -> None:
    from kg_pipeline.db.database import engine_for
    from kg_pipeline.db.server import database_urls
    from kg_pipeline.report import format_summary, summarise_database

    engine = engine_for(database_urls(settings).gene)
    with engine.connect() as conn:
        print(format_summary(summarise_database(conn), with_tables=with_tables))


def _status(args: argparse.Namespace) -> int:
    _print_status(Settings())
    return 0


def _ui(args: argparse.Namespace) -> int:
    from kg_pipeline.db.dead_runs import reap_dead_runs
    from kg_pipeline.instance import get_instance, prepare_environment
    from kg_pipeline.ui import run_ui

    prepare_environment(Settings())
    reap_dead_runs(get_instance(), lambda line: print(f"ui: {line}", flush=True))
    return run_ui(host=args.host, port=args.port)


def _import_raw(args: argparse.Namespace) -> int:
    import dagster as dg

    from kg_pipeline.defs.raw.manual import file_keys, import_raw
    from kg_pipeline.defs.resources import pipeline_resources
    from kg_pipeline.instance import prepare_environment
    from kg_pipeline.sources.registry import SOURCES_BY_KEY

    if args.source not in SOURCES_BY_KEY:
        raise CommandError(
            f"unknown source {args.source!r}; known: {', '.join(sorted(SOURCES_BY_KEY))}"
        )
    source = SOURCES_BY_KEY[args.source]
    settings = Settings()
    prepare_environment(settings)
    resources = pipeline_resources(settings)
    # Outside a run: Dagster resolves the resources' environment variables here.
    with dg.build_resources(
        {key: resources[key] for key in ("gene_db", "raw_store", "hgnc")}
    ) as bound:
        version = import_raw(
            source,
            file_keys(source, args.files),
            release=args.release,
            gene_db=bound.gene_db,
            raw_store=bound.raw_store,
            hgnc=bound.hgnc,
        )
    print(
        f"import-raw: {source.key}: {len(version.files)} file(s), {version.size / 1e6:.1f} MB "
        f"stored as raw version {version.sha256[:12]} (release {version.release or 'not stated'}, "
        f"origin manual); the next `{source.key}_refresh` or rebuild loads them"
    )
    return 0


def _release(args: argparse.Namespace) -> int:
    import datetime as dt

    from kg_pipeline.db.database import engine_for
    from kg_pipeline.db.server import database_urls
    from kg_pipeline.releases.make import discard, list_rows, publish, verify

    settings = Settings()
    engine = engine_for(database_urls(settings).gene)
    root = settings.data_dir / "releases"
    if args.action == "list":
        rows = list_rows(engine, root)
        if not rows:
            print(f"release: no release yet under {root}; the `release` job makes one")
        for row in rows:
            published = f"{row.published_at:%Y-%m-%d}" if row.published_at else "-"
            print(
                f"{row.version:<12} {row.status:<10} published {published:<10} "
                f"{row.gene_count:>7,} genes  {row.total_evidence_count:>7,} evidence rows  "
                f"origin {row.origin}  {row.export_file_path}"
            )
        return 0
    if not args.version:
        raise CommandError(f"`release {args.action}` needs a VERSION (`release list` shows them)")
    if args.action == "publish":
        publish(engine, root, args.version, now=dt.datetime.now(dt.UTC))
        print(f"release {args.version}: published; its files and row are never changed again")
        return 0
    if args.action == "discard":
        discard(engine, root, args.version)
        print(f"release {args.version}: draft discarded (its directory and row are gone)")
        return 0
    problems = verify(engine, root, args.version)
    if problems:
        raise CommandError(
            f"release {args.version} does not verify: {'; '.join(problems[:5])}"
            + (f" (and {len(problems) - 5} more)" if len(problems) > 5 else "")
        )
    print(f"release {args.version}: ok")
    return 0


def _snapshot(args: argparse.Namespace) -> int:
    from kg_pipeline.devtools.snapshot import DEFAULT_SCALE, generate_snapshot

    started = time.monotonic()
    manifest = generate_snapshot(
        Path(args.out),
        real_data=Path(args.real_data) if args.real_data else None,
        scale=args.scale if args.scale is not None else DEFAULT_SCALE,
        seed=args.seed,
        progress=lambda line: print(f"snapshot: {line}", flush=True),
    )
    entries = manifest.entries
    origins = Counter(entry.origin for entry in entries)
    size = sum(entry.bytes for entry in entries)
    print(
        f"snapshot: {len(entries)} files, {size / 1e6:.1f} MB in {args.out} "
        f"({', '.join(f'{n} {origin}' for origin, n in sorted(origins.items()))}) "
        f"in {time.monotonic() - started:.1f} s; see {Path(args.out) / 'MANIFEST'}"
    )
    return 0


def _emulate(args: argparse.Namespace) -> int:
    from kg_pipeline.devtools.emulator.server import serve

    snapshot = Path(args.snapshot or Settings().resolved_mirror_dir)
    if not (snapshot / "MANIFEST").is_file():
        raise CommandError(f"{snapshot} is not a snapshot; run `kg-pipeline snapshot --out DIR`")

    def ready(url: str) -> None:
        print(f"emulator: serving {snapshot} at {url}", flush=True)
        print(f"emulator: use it with KG_SOURCE_MODE=live KG_UPSTREAM_URL={url}", flush=True)

    serve(snapshot, args.host, args.port, on_ready=ready)
    return 0


def _bench(args: argparse.Namespace) -> int:
    from kg_pipeline.devtools.bench import BenchOptions, bench, bench_pubtator_refresh

    if args.pubtator_refresh and args.mode == "mirror":
        raise CommandError(
            "the PubTator refresh bench always fetches through the emulator; leave out --mode"
        )
    result = (bench_pubtator_refresh if args.pubtator_refresh else bench)(
        BenchOptions(
            scale=args.scale,
            mode=args.mode or "mirror",
            snapshot=Path(args.snapshot) if args.snapshot else None,
            workdir=Path(args.workdir) if args.workdir else None,
            server_url=args.server_url,
            out=Path(args.out) if args.out else None,
            keep=args.keep,
            new_share=args.new_share,
        ),
        Settings(),
    )
    if not result.success:
        raise CommandError(f"{result.failure}; figures so far in {result.report_path}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kg-pipeline", description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", "-v", action="store_true", help="show stack traces")
    commands = parser.add_subparsers(dest="command", required=True)

    rebuild = commands.add_parser("rebuild", help="drop the gene schema and rebuild everything")
    rebuild.add_argument("--mode", choices=["mirror", "live"], help="overrides KG_SOURCE_MODE")
    rebuild.add_argument(
        "--select", help="comma-separated asset names to materialise instead of all"
    )
    rebuild.add_argument(
        "--force",
        action="store_true",
        help="rebuild from a synthetic or derived snapshot even over data from the real sources",
    )
    rebuild.set_defaults(handler=_rebuild)

    status = commands.add_parser("status", help="schema revision and rows per table")
    status.set_defaults(handler=_status)

    ui = commands.add_parser("ui", help="run the Dagster webserver and daemon")
    ui.add_argument("--host", default="127.0.0.1")
    ui.add_argument("--port", type=int, default=3000)
    ui.set_defaults(handler=_ui)

    import_raw = commands.add_parser(
        "import-raw",
        help="store files downloaded by hand as a source's next raw version",
        description="Check files with the source's parser and store them as its next raw "
        "version (origin manual); the next refresh or rebuild loads them. Name a file by its "
        "path under the upstream (tissue_tpm/kidney.csv=~/Downloads/kidney.csv) where its "
        "name alone does not say which of the source's files it is.",
    )
    import_raw.add_argument("source", help="registry key, e.g. descartes")
    import_raw.add_argument("files", nargs="+", metavar="[KEY=]FILE")
    import_raw.add_argument("--release", help="the files' release (default: what they state)")
    import_raw.set_defaults(handler=_import_raw)

    release = commands.add_parser(
        "release",
        help="list, publish, verify or discard data releases",
        description="Data releases under $KG_DATA_DIR/releases: `list` shows each version, its "
        "status, gene count and origin; `publish VERSION` freezes a draft for good; `verify "
        "VERSION` re-checks every file's sha256 and the datapackage (Frictionless); `discard "
        "VERSION` deletes a draft (every rebuild makes one).",
    )
    release.add_argument("action", choices=["list", "publish", "verify", "discard"])
    release.add_argument("version", nargs="?", help="e.g. 2026.11 or 2026.11.2")
    release.set_defaults(handler=_release)

    snapshot = commands.add_parser("snapshot", help="generate an offline snapshot of all sources")
    snapshot.add_argument("--out", required=True, help="directory to write")
    snapshot.add_argument("--real-data", help="directory of real files, e.g. ../shared/data")
    snapshot.add_argument("--scale", type=float, help="annotation file size; 1 = full upstream")
    snapshot.add_argument("--seed", type=int, default=0)
    snapshot.set_defaults(handler=_snapshot)

    emulate = commands.add_parser("emulate", help="serve a snapshot at the upstream URL paths")
    emulate.add_argument("--snapshot", help="snapshot directory (default: KG_MIRROR_DIR)")
    emulate.add_argument("--host", default="127.0.0.1")
    emulate.add_argument("--port", type=int, default=8900)
    emulate.set_defaults(handler=_emulate)

    bench = commands.add_parser(
        "bench", help="time a full rebuild on scratch databases; write a JSON report"
    )
    bench.add_argument(
        "--scale", type=float, help="snapshot scale to generate (default: the default snapshot's)"
    )
    bench.add_argument(
        "--mode",
        choices=["mirror", "live"],
        help="mirror (default) reads the snapshot; live fetches it from the local emulator",
    )
    bench.add_argument("--snapshot", help="reuse this snapshot instead of generating one")
    bench.add_argument("--workdir", help="scratch directory (default: $KG_DATA_DIR/bench)")
    bench.add_argument(
        "--server-url", help="PostgreSQL server for the bench databases (default: configured)"
    )
    bench.add_argument("--out", help="report path (default: <workdir>/bench-report.json)")
    bench.add_argument("--keep", action="store_true", help="keep the databases and files")
    bench.add_argument(
        "--pubtator-refresh",
        action="store_true",
        help="instead of the rebuild: an incremental PubTator refresh after new articles, at "
        "PubTator's own rate through the emulator (report bench-pubtator-refresh.json)",
    )
    bench.add_argument(
        "--new-share",
        type=float,
        default=0.01,
        help="with --pubtator-refresh: new articles as a share of the search (default 0.01)",
    )
    bench.set_defaults(handler=_bench)
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
