"""No SQL is built by string formatting with a value (issue 13, item 5): values go to the
database as bind parameters, so no text from an upstream file can change a statement.

The code is read with `ast`: every string handed to `text(...)`, `execute(...)`,
`exec_driver_sql(...)` (directly, or through a name bound to it in the same module) that is an
f-string, `%`-formatted, `.format`-ted or concatenated with a non-literal is listed with what it
formats in. Only the identifiers below, each from a constant or the catalog, may be: a new one
fails this test until it is a bind parameter or, being an identifier, is added here with why.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("kg_pipeline", "migrations")
SQL_CALLS = frozenset({"text", "execute", "exec_driver_sql", "executemany"})

ALLOWED: dict[tuple[str, str], str] = {
    ("kg_pipeline/db/server.py", "name"): "database name from the settings; CREATE DATABASE "
    "takes no bind parameters",
    ("kg_pipeline/report.py", "name"): "table names read from pg_class",
    ("kg_pipeline/db/scoring.py", "_values('Literature', 'publications')"): "constant SQL",
    ("kg_pipeline/db/scoring.py", "_values('DiagnosticPanels', 'panels')"): "constant SQL",
    ("kg_pipeline/db/scoring.py", "_values('HPO', 'hpo_terms')"): "constant SQL",
    ("kg_pipeline/db/scoring.py", "_values('PubTator', 'pmids')"): "constant SQL",
    ("kg_pipeline/devtools/bench/baseline.py", "BASELINE_SCHEMA"): "a constant schema name",
    ("kg_pipeline/devtools/bench/baseline.py", "table"): "schema and raw-store folder names",
    ("kg_pipeline/devtools/bench/database_figures.py", "name"): "names read from pg_class",
    ("kg_pipeline/devtools/bench/scratch.py", "name"): "a kg_bench_ database name it made",
    ("migrations/versions/002_modern_complete_fixed.py", "name"): "view names (constants)",
    ("migrations/versions/002_modern_complete_fixed.py", "body"): "view bodies (constants)",
    ("migrations/versions/003_upstream_api_parity.py", "select"): "a view body (constant)",
    ("migrations/versions/003_upstream_api_parity.py", "name"): "view names (constants)",
    ("migrations/versions/003_upstream_api_parity.py", "body"): "view bodies (constants)",
    ("migrations/versions/003_upstream_api_parity.py", "previous[name]"): "002's view bodies",
}


def _called(func: ast.expr) -> str | None:
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)


def formatted_in(node: ast.expr) -> list[str] | None:
    """What a string expression formats in (source text of each value), or None when it is not
    a formatted string at all."""
    if isinstance(node, ast.JoinedStr):
        return [ast.unparse(v.value) for v in node.values if isinstance(v, ast.FormattedValue)]
    if (
        isinstance(node, ast.BinOp)
        and isinstance(node.op, ast.Mod)
        and isinstance(node.left, ast.Constant | ast.JoinedStr)
    ):
        return [ast.unparse(node.right)]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        parts = [formatted_in(node.left), formatted_in(node.right)]
        values = [value for part in parts if part for value in part]
        for side, part in zip((node.left, node.right), parts, strict=True):
            if part is None and not isinstance(side, ast.Constant):
                values.append(ast.unparse(side))
        return values or None
    if (
        isinstance(node, ast.Call)
        and _called(node.func) == "format"
        and isinstance(getattr(node.func, "value", None), ast.Constant)
    ):
        return [ast.unparse(a) for a in [*node.args, *(k.value for k in node.keywords)]]
    return None


def formatted_sql(source: str) -> Iterator[tuple[int, str]]:
    """(line, formatted value) of every SQL call in `source` given a formatted string."""
    tree = ast.parse(source)
    bound = {
        target.id: values
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign) and (values := formatted_in(node.value))
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and _called(node.func) in SQL_CALLS and node.args):
            continue
        first = node.args[0]
        values = formatted_in(first)
        if values is None and isinstance(first, ast.Name):
            values = bound.get(first.id)
        for value in values or []:
            yield node.lineno, value


def test_the_scan_finds_a_value_formatted_into_sql() -> None:
    hostile = (
        "def f(conn, symbol, table):\n"
        "    conn.execute(sa.text(f\"SELECT 1 FROM genes WHERE symbol = '{symbol}'\"))\n"
        "    conn.execute(sa.text(\"SELECT 1 FROM genes WHERE symbol = '%s'\" % symbol))\n"
        "    conn.execute(sa.text(\"SELECT 1 WHERE s = '{}'\".format(symbol)))\n"
        '    sql = "SELECT 1 WHERE s = \'" + symbol + "\'"\n'
        "    conn.exec_driver_sql(sql)\n"
        "    conn.execute(sa.text('SELECT 1 WHERE s = :s'), {'s': symbol})\n"
    )
    assert sorted(formatted_sql(hostile)) == [
        (2, "symbol"),
        (3, "symbol"),
        (4, "symbol"),
        (6, "symbol"),
    ]


def test_no_sql_is_formatted_with_a_value() -> None:
    found = {
        (str(path.relative_to(ROOT)), value): line
        for folder in SCANNED
        for path in sorted((ROOT / folder).rglob("*.py"))
        for line, value in formatted_sql(path.read_text())
    }
    assert found, "the scan found nothing at all: it no longer reads the code"
    unexpected = {f"{path}:{line}: {value}" for (path, value), line in found.items()} - {
        f"{path}:{line}: {value}"
        for (path, value), line in found.items()
        if (path, value) in ALLOWED
    }
    assert not unexpected, sorted(unexpected)
    stale = set(ALLOWED) - set(found)
    assert not stale, f"allowed but no longer in the code, remove: {sorted(stale)}"
