#!/usr/bin/env python3
"""Run the upstream kidney-genetics-db web API against a gene database and call its endpoints.

Takes a checkout of https://github.com/berntpopp/kidney-genetics-db (at 678164b, the
consolidation this project's schema follows), copies its `backend/` into a scratch directory,
patches the copy so that starting it cannot change the database's schema (no
`Base.metadata.create_all()`, no startup tasks: views, admin user, cache clearing, aggregation,
data-source registration; no auto-updates, no annotation scheduler), installs its dependencies
at the versions its `uv.lock` pins into a venv there, starts it with uvicorn on a free local
port against `--database-url`, calls every read endpoint a curator's browser uses, and prints
a markdown table: method, path, status, note (items counted, or the error's first line and the
database error the server logged). The schema (tables, columns, constraints, indexes, views,
functions, triggers, types) is fingerprinted before and after; a difference fails the run.

Exits 1 when an endpoint answers another status than expected or the schema changed, 2 when
the API could not be set up. Standard library and requests only; the fingerprint runs in the
scratch venv, which has upstream's psycopg2.

    python3 scripts/upstream_api_check.py --upstream ../kidney-genetics-db \\
        --database-url postgresql://postgres@127.0.0.1:5432/kg_upstream_api \\
        --scratch /tmp/upstream-api

See docs/upstream-api.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

EXPECTED_COMMIT = "678164b"

# --------------------------------------------------------------------------------------------
# The endpoints. `{symbol}` and `{gene_id}` are the first gene of the default gene list.


def _count_data(body: Any) -> str:
    """`data` items, with JSON:API's `meta.total` when present."""
    if not isinstance(body, dict):
        return ""
    data = body.get("data")
    meta = body.get("meta") or {}
    total = meta.get("total") if isinstance(meta, dict) else None
    if total is None and isinstance(meta, dict):
        total = (
            (meta.get("page") or {}).get("total") if isinstance(meta.get("page"), dict) else None
        )
    if isinstance(data, list):
        return f"{len(data)} items" + (f" of {total}" if total is not None else "")
    if isinstance(data, dict):
        return f"{len(data)} keys: {', '.join(list(data)[:6])}"
    return f"keys: {', '.join(list(body)[:6])}"


def _count_list(body: Any) -> str:
    if isinstance(body, list):
        return f"{len(body)} items"
    return _count_data(body)


def _keys(body: Any) -> str:
    if isinstance(body, dict):
        inner = body.get("data", body)
        if isinstance(inner, dict):
            return f"keys: {', '.join(list(inner)[:6])}"
    return _count_list(body)


def _gene(body: Any) -> str:
    data = body.get("data") if isinstance(body, dict) else None
    attrs = (data or {}).get("attributes", data) if isinstance(data, dict) else None
    if isinstance(attrs, dict):
        score = attrs.get("evidence_score")
        score = f"{score:.1f}" if isinstance(score, float) else score
        return f"{attrs.get('approved_symbol')}: score {score}, tier {attrs.get('evidence_tier')}"
    return _keys(body)


def _annotations(body: Any) -> str:
    if isinstance(body, dict) and isinstance(body.get("annotations"), dict):
        sources = sorted(body["annotations"])
        return f"{len(sources)} sources" + (f": {', '.join(sources)}" if sources else "")
    return _keys(body)


@dataclass(frozen=True)
class Endpoint:
    path: str
    params: dict[str, str] = field(default_factory=dict)
    expect: int = 200
    method: str = "GET"
    extract: Callable[[Any], str] = _count_data
    form: dict[str, str] | None = None


GENES = "/api/genes/"
SORTS = [
    "approved_symbol", "-symbol", "hgnc_id", "-evidence_score", "score", "-evidence_count",
    "count", "-created_at", "updated_at", "evidence_tier", "-evidence_group", "id",
]  # fmt: skip

ENDPOINTS: list[Endpoint] = [
    # Gene list: default, each filter, each sort field, a later page.
    Endpoint(GENES),
    Endpoint(GENES, {"filter[search]": "PKD"}),
    Endpoint(GENES, {"filter[min_score]": "50", "filter[max_score]": "100"}),
    Endpoint(GENES, {"filter[min_count]": "2", "filter[max_count]": "10"}),
    Endpoint(GENES, {"filter[source]": "PanelApp"}),
    Endpoint(GENES, {"filter[hide_zero_scores]": "false"}),
    Endpoint(GENES, {"filter[tier]": "comprehensive_support,multi_source_support"}),
    Endpoint(GENES, {"filter[group]": "well_supported"}),
    Endpoint(GENES, {"filter[group]": "emerging_evidence"}),
    *(Endpoint(GENES, {"sort": sort}) for sort in SORTS),
    Endpoint(GENES, {"page[number]": "2", "page[size]": "100"}),
    # One gene.
    Endpoint("/api/genes/{symbol}", extract=_gene),
    Endpoint("/api/genes/{symbol}/evidence"),
    Endpoint("/api/annotations/genes/{gene_id}/annotations", extract=_annotations),
    Endpoint("/api/annotations/genes/{gene_id}/annotations", {"source": "gnomad"},
             extract=_annotations),
    Endpoint("/api/annotations/genes/{gene_id}/annotations/summary", extract=_keys),
    # Annotation sources and pipeline.
    Endpoint("/api/annotations/sources", extract=_count_list),
    Endpoint("/api/annotations/sources", {"active_only": "false"}, extract=_count_list),
    Endpoint("/api/annotations/statistics", extract=_keys),
    Endpoint("/api/annotations/pipeline/status", extract=_keys),
    Endpoint("/api/annotations/scheduler/jobs", extract=_keys),
    # Data sources and statistics.
    Endpoint("/api/datasources/"),
    Endpoint("/api/datasources/PanelApp", extract=_keys),
    Endpoint("/api/statistics/summary", extract=_keys),
    Endpoint("/api/statistics/source-overlaps", extract=_keys),
    Endpoint("/api/statistics/source-distributions", extract=_keys),
    Endpoint("/api/statistics/evidence-composition", extract=_keys),
    # Progress and ingestion.
    Endpoint("/api/progress/status", extract=_count_list),
    Endpoint("/api/progress/status/PubTator", extract=_keys),
    Endpoint("/api/progress/dashboard", extract=_keys),
    Endpoint("/api/ingestion/", extract=_keys),
    Endpoint("/api/ingestion/DiagnosticPanels/status", extract=_keys),
    Endpoint("/api/ingestion/Literature/status", extract=_keys),
    # Staging (curation review).
    Endpoint("/api/staging/staging/pending", extract=_count_list),
    Endpoint("/api/staging/staging/stats", extract=_keys),
    Endpoint("/api/staging/normalization/stats", extract=_keys),
    Endpoint("/api/staging/normalization/logs", {"limit": "100"}, extract=_count_list),
    # Login and pages that need it: no user exists.
    Endpoint("/api/auth/login", method="POST", expect=401, extract=_keys,
             form={"username": "nobody-kg-check", "password": "not-a-password"}),
    Endpoint("/api/auth/me", expect=401, extract=_keys),
    Endpoint("/api/auth/users", expect=401, extract=_keys),
    Endpoint("/api/admin/logs/", expect=401, extract=_keys),
]  # fmt: skip

# --------------------------------------------------------------------------------------------
# Patches to the scratch copy: (file, text, replacement); each text must occur exactly once, so
# a different upstream revision fails loudly instead of starting unpatched.

PATCH_MARK = "# kg-pipeline upstream_api_check:"
PATCHES: list[tuple[str, str, str]] = [
    (
        "app/main.py",
        "Base.metadata.create_all(bind=engine)\n",
        f"{PATCH_MARK} no Base.metadata.create_all(): the schema is not the API's\n",
    ),
    (
        "app/main.py",
        "    run_startup_tasks()\n",
        f"    {PATCH_MARK} no startup tasks (views, admin user, cache, aggregation, sources)\n",
    ),
    (
        "app/main.py",
        "            await task_manager.start_auto_updates()\n",
        f"            pass  {PATCH_MARK} no auto-updates\n",
    ),
    (
        "app/main.py",
        "    annotation_scheduler.start()\n",
        f"    {PATCH_MARK} no annotation scheduler\n",
    ),
    (
        "app/core/database_init.py",
        "async def initialize_database(db: Session) -> dict:\n",
        "async def initialize_database(db: Session) -> dict:\n"
        f"    {PATCH_MARK} disabled (it creates views, an admin user, clears caches)\n"
        '    return {"disabled": True}\n\n\n'
        "async def _upstream_initialize_database(db: Session) -> dict:\n",
    ),
]


def patch_backend(backend: Path) -> list[str]:
    applied = []
    for relative, old, new in PATCHES:
        path = backend / relative
        text = path.read_text()
        if text.count(old) != 1:
            raise SetupError(f"{relative}: expected exactly one {old.strip()!r}; another revision?")
        path.write_text(text.replace(old, new))
        applied.append(f"{relative}: {old.strip()}")
    return applied


# --------------------------------------------------------------------------------------------
# Schema fingerprint, run with the scratch venv's python (psycopg2 from upstream's lock).

FINGERPRINT = r"""
import json, sys
import psycopg2
SCHEMA_QUERIES = {
    "columns": "select table_name, column_name, data_type, udt_name, is_nullable, column_default"
               " from information_schema.columns where table_schema = 'public'",
    "constraints": "select conrelid::regclass::text, conname, pg_get_constraintdef(oid)"
                   " from pg_constraint where connamespace = 'public'::regnamespace",
    "indexes": "select tablename, indexname, indexdef from pg_indexes where schemaname = 'public'",
    "relations": "select relname, relkind from pg_class"
                 " where relnamespace = 'public'::regnamespace and relkind in ('r','v','m','S')",
    "views": "select c.relname, pg_get_viewdef(c.oid) from pg_class c"
             " where c.relnamespace = 'public'::regnamespace and c.relkind in ('v','m')",
    "functions": "select p.proname, pg_get_function_identity_arguments(p.oid) from pg_proc p"
                 " where p.pronamespace = 'public'::regnamespace",
    "triggers": "select tgrelid::regclass::text, tgname from pg_trigger t join pg_class c"
                " on c.oid = t.tgrelid where not tgisinternal"
                " and c.relnamespace = 'public'::regnamespace",
    "types": "select t.typname, e.enumlabel from pg_type t join pg_enum e on e.enumtypid = t.oid"
             " where t.typnamespace = 'public'::regnamespace",
}
with psycopg2.connect(sys.argv[1]) as conn, conn.cursor() as cur:
    out = {}
    for key, query in SCHEMA_QUERIES.items():
        cur.execute(query)
        out[key] = sorted(" | ".join(map(str, row)) for row in cur.fetchall())
    rows = {}
    for entry in out["relations"]:
        table, kind = entry.split(" | ")
        if kind == "r":
            cur.execute(f'select count(*) from "{table}"')
            rows[table] = cur.fetchone()[0]
    out["alembic"] = []
    if "alembic_version" in rows:
        cur.execute("select version_num from alembic_version")
        out["alembic"] = [row[0] for row in cur.fetchall()]
print(json.dumps({"schema": out, "rows": rows}))
"""


def fingerprint(python: Path, url: str) -> dict[str, Any]:
    done = subprocess.run(
        [str(python), "-c", FINGERPRINT, url], capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise SetupError(f"schema fingerprint failed: {done.stderr.strip().splitlines()[-1:]}")
    return json.loads(done.stdout)


def schema_diff(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    lines = []
    for key in before["schema"]:
        old, new = set(before["schema"][key]), set(after["schema"][key])
        lines += [f"{key} added: {item}" for item in sorted(new - old)]
        lines += [f"{key} removed: {item}" for item in sorted(old - new)]
    return lines


# --------------------------------------------------------------------------------------------
# Setup: copy, patch, venv, server.


class SetupError(Exception):
    pass


def constraints_from_lock(lock: Path) -> str:
    """Every package version `uv.lock` pins, as pip constraints (forked pins keep their
    markers)."""
    lines = []
    for package in tomllib.loads(lock.read_text())["package"]:
        if "registry" not in package.get("source", {}):
            continue  # the project itself
        markers = package.get("resolution-markers")
        pin = f"{package['name']}=={package['version']}"
        lines.append(pin + (f"; {' or '.join(f'({m})' for m in markers)}" if markers else ""))
    return "\n".join(sorted(lines)) + "\n"


def install_venv(backend: Path, scratch: Path, python: str) -> Path:
    project = tomllib.loads((backend / "pyproject.toml").read_text())["project"]
    requirements = "\n".join(project["dependencies"]) + "\n"
    constraints = constraints_from_lock(backend / "uv.lock")
    (scratch / "requirements.txt").write_text(requirements)
    (scratch / "constraints.txt").write_text(constraints)
    venv = scratch / "venv"
    stamp = venv / ".kg-installed"
    digest = hashlib.sha256((requirements + constraints).encode()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        print(f"venv: {venv} already has these pins", file=sys.stderr)
        return venv / "bin" / "python"
    shutil.rmtree(venv, ignore_errors=True)
    subprocess.run([python, "-m", "venv", str(venv)], check=True)
    pip = [
        str(venv / "bin" / "python"),
        "-m",
        "pip",
        "install",
        "-q",
        "--disable-pip-version-check",
    ]
    print("venv: installing upstream's dependencies at uv.lock's versions ...", file=sys.stderr)
    done = subprocess.run(
        [*pip, "-r", str(scratch / "requirements.txt"), "-c", str(scratch / "constraints.txt")],
        check=False,
    )
    if done.returncode:
        raise SetupError("pip install of upstream's pinned dependencies failed (output above)")
    stamp.write_text(digest)
    return venv / "bin" / "python"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def sync_url(url: str) -> str:
    """Upstream's engine and psycopg2 both want a plain `postgresql://` URL."""
    return re.sub(r"^postgres(ql)?(\+\w+)?://", "postgresql://", url)


def start_server(python: Path, backend: Path, url: str, port: int, log: Path) -> subprocess.Popen:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(backend.parent),
        "PYTHONUNBUFFERED": "1",
        "DATABASE_URL": url,
        "JWT_SECRET_KEY": secrets.token_hex(32),
        "AUTO_UPDATE_ENABLED": "false",
        "HTTP_CACHE_DIR": str(backend.parent / "http-cache"),
        "ENVIRONMENT": "dev",
    }
    command = [str(python), "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1"]
    with log.open("w") as out:
        return subprocess.Popen(
            [*command, "--port", str(port), "--log-level", "warning"],
            cwd=backend,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def wait_ready(base: str, server: subprocess.Popen, log: Path, timeout_s: float = 180) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            tail = log.read_text().strip().splitlines()[-15:]
            raise SetupError("the API exited at startup:\n  " + "\n  ".join(tail))
        try:
            if requests.get(f"{base}/health", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(1)
    raise SetupError(f"the API did not answer /health within {timeout_s:.0f} s (see {log})")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


# --------------------------------------------------------------------------------------------
# Calling the endpoints.

DB_ERROR = re.compile(r"(psycopg2\.errors\.\w+|sqlalchemy\.exc\.\w+)[:)]\s*(.*)")


def first_line(text: str, limit: int = 110) -> str:
    line = next((s.strip() for s in text.splitlines() if s.strip()), "")
    return line if len(line) <= limit else line[: limit - 1] + "…"


def database_causes(log_text: str) -> list[str]:
    """The distinct database errors the server logged, its request logger's own failures to
    write `system_logs` last (every request logs one while that table is missing)."""
    causes = dict.fromkeys(
        f"{m.group(1).split('.')[-1]}: {first_line(m.group(2), 90)}"
        for m in DB_ERROR.finditer(log_text)
    )
    return sorted(causes, key=lambda cause: "system_logs" in cause)


def error_note(response: requests.Response, log_text: str, expected: int) -> str:
    try:
        body = response.json()
        detail = body.get("detail") or body.get("error") or body.get("message") or body
        if isinstance(detail, dict):
            detail = detail.get("detail") or detail.get("message") or detail
        note = first_line(json.dumps(detail) if not isinstance(detail, str) else detail)
    except ValueError:
        note = first_line(response.text)
    causes = database_causes(log_text)
    if causes and (response.status_code >= 500 or response.status_code != expected):
        note += f" — {causes[0]}"
    return note.replace("|", "\\|")


def call(base: str, endpoint: Endpoint, names: dict[str, str], log: Path) -> tuple[str, int, str]:
    path = endpoint.path.format(**names)
    shown = path + (
        "?" + "&".join(f"{k}={v}" for k, v in endpoint.params.items()) if endpoint.params else ""
    )
    offset = log.stat().st_size
    try:
        response = requests.request(
            endpoint.method, base + path, params=endpoint.params, data=endpoint.form, timeout=120
        )
    except requests.RequestException as error:
        return shown, 0, first_line(str(error))
    time.sleep(0.2)  # let the server's log catch up
    with log.open() as handle:
        handle.seek(offset)
        log_text = handle.read()
    if response.status_code != endpoint.expect or response.status_code >= 400:
        return shown, response.status_code, error_note(response, log_text, endpoint.expect)
    try:
        return shown, response.status_code, endpoint.extract(response.json()).replace("|", "\\|")
    except ValueError:
        return shown, response.status_code, first_line(response.text)


def first_gene(base: str) -> dict[str, str]:
    """The symbol and id of the first gene of the default list (what the detail pages use)."""
    try:
        body = requests.get(base + GENES, params={"page[size]": "1"}, timeout=60).json()
        gene = body["data"][0]
        return {"symbol": gene["attributes"]["approved_symbol"], "gene_id": str(gene["id"])}
    except (requests.RequestException, ValueError, KeyError, IndexError, TypeError):
        print("gene list unusable; detail pages use PKD1 / gene id 1", file=sys.stderr)
        return {"symbol": "PKD1", "gene_id": "1"}


# --------------------------------------------------------------------------------------------


def upstream_commit(upstream: Path) -> str:
    done = subprocess.run(
        ["git", "-C", str(upstream), "rev-parse", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip() if done.returncode == 0 else "unknown (not a git checkout)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--upstream", type=Path, required=True, help="checkout of kidney-genetics-db"
    )
    parser.add_argument("--database-url", required=True, help="the gene database to read")
    parser.add_argument(
        "--scratch", type=Path, required=True, help="scratch directory (venv, copy, log)"
    )
    parser.add_argument("--python", default=sys.executable, help="interpreter for the venv")
    parser.add_argument(
        "--port", type=int, default=0, help="port for the API (default: a free one)"
    )
    args = parser.parse_args(argv)

    url = sync_url(args.database_url)
    scratch = args.scratch.resolve()
    scratch.mkdir(parents=True, exist_ok=True)
    backend = scratch / "backend"
    log = scratch / "uvicorn.log"
    commit = upstream_commit(args.upstream)
    if not commit.startswith(EXPECTED_COMMIT):
        print(
            f"warning: upstream is at {commit}, this check was written for {EXPECTED_COMMIT}",
            file=sys.stderr,
        )

    try:
        shutil.rmtree(backend, ignore_errors=True)
        shutil.copytree(
            args.upstream / "backend", backend,
            ignore=shutil.ignore_patterns(".venv", "__pycache__", ".env", ".cache"),
        )  # fmt: skip
        patches = patch_backend(backend)
        python = install_venv(backend, scratch, args.python)
        before = fingerprint(python, url)
        port = args.port or free_port()
        server = start_server(python, backend, url, port, log)
    except (SetupError, OSError, subprocess.CalledProcessError) as error:
        print(f"setup failed: {error}", file=sys.stderr)
        return 2

    base = f"http://127.0.0.1:{port}"
    results = []
    try:
        wait_ready(base, server, log)
        names = first_gene(base)
        for endpoint in ENDPOINTS:
            path, status, note = call(base, endpoint, names, log)
            results.append((endpoint, path, status, note))
    except SetupError as error:
        print(f"setup failed: {error}", file=sys.stderr)
        return 2
    finally:
        stop_server(server)
    after = fingerprint(python, url)

    failed = [r for r in results if r[2] != r[0].expect]
    changed = schema_diff(before, after)
    report(commit, before, after, names, results, patches, changed, log)
    return 1 if failed or changed else 0


def report(commit, before, after, names, results, patches, changed, log) -> None:
    """The markdown the docs record: header, endpoint table, what else the run showed."""
    revision = ", ".join(before["schema"]["alembic"]) or "?"
    print(f"Upstream kidney-genetics-db {commit}; gene database at revision {revision};")
    print(f"detail pages for the first gene listed, {names['symbol']} (id {names['gene_id']}).\n")
    print("| method | path | status | expected | note |")
    print("|---|---|---:|---:|---|")
    for endpoint, path, status, note in results:
        flag = "" if status == endpoint.expect else " **✗**"
        print(f"| {endpoint.method} | `{path}` | {status}{flag} | {endpoint.expect} | {note} |")
    ok = sum(status == endpoint.expect for endpoint, _, status, _ in results)
    print(f"\n{ok} of {len(results)} endpoints answered as expected.\n")
    print("- Disabled in the scratch copy: " + "; ".join(f"`{p}`" for p in patches) + ".")
    if changed:
        print("- **The schema changed during the run:** " + "; ".join(changed))
    else:
        print(
            "- Schema unchanged (tables, columns, constraints, indexes, views, functions, types)."
        )
    rows = {t: (n, after["rows"].get(t)) for t, n in before["rows"].items()}
    written = [f"{t} {a} -> {b}" for t, (a, b) in sorted(rows.items()) if a != b]
    print("- Rows written by the API: " + (", ".join(written) if written else "none") + ".")
    log_failures = log.read_text().count('relation "system_logs" does not exist')
    if log_failures:
        print(f"- The request logger failed {log_failures} times: table `system_logs` is missing.")
    print(f"- Server log: `{log}`.")


if __name__ == "__main__":
    sys.exit(main())
