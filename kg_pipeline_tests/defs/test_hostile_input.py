"""Hostile and odd input through the whole load path (issue 13, item 5): fetched from a mirror,
checked, stored, parsed, normalised and written to PostgreSQL.

One materialisation of a small hand-made snapshot: a ClinGen CSV (tabular) and Literature files
(JSON) whose symbols and free texts hold quotes, semicolons, backslashes, SQL, right-to-left
marks, 10 kB strings and NUL bytes; a gnomAD file that is a gzip bomb; a diagnostic-panels file
nested 10,000 levels deep. Every text is stored exactly or its row is rejected with a reason;
the bomb and the nesting refuse their raw inputs in one line each.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dagster as dg
import pytest
import sqlalchemy as sa

from kg_pipeline.devtools.snapshot.clingen import COLUMNS as CLINGEN_COLUMNS
from kg_pipeline.sources.diagnostic_panels.upstream import DIAGNOSTIC_PANELS
from kg_pipeline.sources.hgnc.parse import COMPLETE_SET_COLUMNS
from kg_pipeline.sources.literature.upstream import LITERATURE
from kg_pipeline_tests.conftest import pipeline_definitions, pipeline_test_resources

_random = random.Random(13)
LONG = "".join(_random.choice("αβγδ абв 中文 ;'\"\\%_@#") for _ in range(10_000))
"""10,000 characters that do not compress (a unique index on a compressible text would pass)."""

# Gene texts: each unresolvable, so each is staged for review under exactly this text (the long
# one is rejected by the normaliser instead, and logged with exactly this text).
SYMBOLS = {
    "sql": "PKD9'); DROP TABLE genes; --",
    "quotes": "ZZQ1 \"double\" 'single' `back`",
    "backslashes": "ZZQ2\\x\\\\y\\n\\'",
    "rtl": "\u202eZZQ3\u200f\u200e\u061c",
    "long": "ZZQ4;" + LONG,
}
FREE_TEXT = "; ".join(SYMBOLS.values()) + " %s %(x)s :name $1 \u202e"
NUL_SYMBOL = "ZZQ5\x00NUL"
BOMB_LIMIT = 1_000_000

GENES = {"PKD1": "HGNC:9008", "PKD2": "HGNC:9009", "NPHS1": "HGNC:7908"}
GCEP = "Glomerulopathy Gene Curation Expert Panel"
SELECTED = [
    "database_schema",
    "raw_hgnc",
    "hgnc_reference",
    "raw_clingen",
    "clingen_evidence",
    "raw_literature",
    "literature_evidence",
    "raw_gnomad",
    "raw_diagnostic_panels",
]


def _hgnc() -> bytes:
    rows = [COMPLETE_SET_COLUMNS]
    for symbol, hgnc_id in GENES.items():
        values = {"hgnc_id": hgnc_id, "symbol": symbol, "status": "Approved", "name": symbol}
        rows.append(tuple(values.get(c, "") for c in COMPLETE_SET_COLUMNS))
    return "".join("\t".join(row) + "\n" for row in rows).encode()


def _clingen() -> bytes:
    out = io.StringIO()
    out.write('"CLINGEN GENE DISEASE VALIDITY CURATIONS"\n"FILE CREATED: 2026-03-01"\n')
    out.write('"WEBPAGE: https://search.clinicalgenome.org/kb/gene-validity"\n"+++","+++"\n')
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(CLINGEN_COLUMNS)
    out.write('"+++","+++"\n')

    def row(symbol: str, disease: str) -> None:
        writer.writerow(
            [symbol, "", disease, "MONDO:1", "AR", "SOP10", "Definitive", "r", "d", GCEP]
        )

    row("PKD1", FREE_TEXT)
    for symbol in SYMBOLS.values():
        row(symbol, "nephrotic syndrome")
    row(NUL_SYMBOL, "nephrotic syndrome")
    row("PKD2", "nephrotic\x00syndrome")
    return out.getvalue().encode()


def _literature(pmid: str, hostile: bool) -> bytes:
    genes: list[Any] = [{"symbol": "NPHS1"}]
    document: dict[str, Any] = {"pmid": pmid, "title": f"paper {pmid}", "genes": genes}
    if hostile:
        document["title"] = FREE_TEXT
        genes += [{"symbol": s} for s in SYMBOLS.values()]
        genes += [{"symbol": NUL_SYMBOL}, {"symbol": "PKD2", "reported_as": "a\x00b"}]
    return json.dumps(document).encode()


def _deep_json(levels: int) -> bytes:
    return ('{"genes": ' + "[" * levels + "]" * levels + "}").encode()


def write_snapshot(root: Path) -> None:
    def put(key: str, data: bytes) -> None:
        (root / key).parent.mkdir(parents=True, exist_ok=True)
        (root / key).write_bytes(data)

    put("hgnc/hgnc_complete_set.txt", _hgnc())
    put("clingen/kb/gene-validity/download", _clingen())
    for n, relpath in enumerate(LITERATURE.files):
        put(f"literature/{relpath}", _literature(relpath.split("_")[-1][:-5], hostile=n == 0))
    for n, relpath in enumerate(DIAGNOSTIC_PANELS.files):
        data = _deep_json(10_000) if n == 0 else json.dumps({"genes": ["PKD1"]}).encode()
        put(f"diagnostic_panels/{relpath}", data)
    # Four times the limit of zeros, in about 4 kB of gzip, under the plain name it is served at.
    put("gnomad/gnomad.v4.1.constraint_metrics.tsv", gzip.compress(b"\0" * (4 * BOMB_LIMIT)))


@pytest.fixture(scope="module")
def loaded(pg_admin_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The selection materialised once on a database of this module's own."""
    import uuid

    from kg_pipeline.db.database import dispose_engine
    from kg_pipeline_tests.conftest import create_database, drop_database

    root = tmp_path_factory.mktemp("hostile")
    write_snapshot(root / "snapshot")
    name = f"kg_test_{uuid.uuid4().hex[:12]}"
    url = create_database(pg_admin_url, name)
    assets, _ = pipeline_definitions()
    result = dg.materialize(
        [assets[n] for n in SELECTED],
        resources=pipeline_test_resources(
            url,
            root / "raw",
            mirror_dir=root / "snapshot",
            max_decompressed_bytes=BOMB_LIMIT,
        ),
        raise_on_error=False,
    )
    engine = sa.create_engine(url)
    yield result, engine
    engine.dispose()
    dispose_engine(url)
    drop_database(pg_admin_url, name)


def _failure(result: dg.ExecuteInProcessResult, step: str) -> str:
    (event,) = [e for e in result.all_events if e.is_step_failure and e.step_key == step]
    error = event.step_failure_data.error
    assert error is not None and error.cause is not None
    return error.cause.message.strip()


def _meta(result: dg.ExecuteInProcessResult, name: str) -> dict[str, Any]:
    (event,) = result.asset_materializations_for_node(name)
    return {key: value.value for key, value in event.metadata.items()}


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


@pytest.mark.parametrize(("source", "name"), [("clingen", "ClinGen"), ("literature", "Literature")])
def test_hostile_texts_are_stored_exactly_or_rejected_with_a_reason(
    loaded: Any, source: str, name: str
) -> None:
    result, engine = loaded
    assert result.is_node_success(f"{source}_evidence")
    with engine.connect() as conn:
        staged = set(
            conn.execute(
                sa.text(
                    "SELECT original_text FROM gene_normalization_staging WHERE source_name = :s"
                ),
                {"s": name},
            ).scalars()
        )
        logged = set(
            conn.execute(
                sa.text("SELECT original_text FROM gene_normalization_log WHERE source_name = :s"),
                {"s": name},
            ).scalars()
        )
        evidence = dict(
            conn.execute(
                sa.text(
                    "SELECT g.approved_symbol, e.evidence_data FROM gene_evidence e "
                    "JOIN genes g ON g.id = e.gene_id WHERE e.source_name = :s"
                ),
                {"s": name},
            ).all()
        )
        assert conn.execute(sa.text("SELECT count(*) FROM genes")).scalar_one() >= 1
    # Every hostile gene text round-trips exactly: staged for review, and logged.
    assert set(SYMBOLS.values()) - staged == {SYMBOLS["long"]}
    assert set(SYMBOLS.values()) <= logged
    # The free text (a disease label, a publication title) is stored exactly in the evidence.
    strong = "PKD1" if source == "clingen" else "NPHS1"
    assert FREE_TEXT in set(_strings(evidence[strong]))
    # Rows with a NUL byte are rejected, with the reason, and written nowhere.
    assert "PKD2" not in evidence
    assert not any("\x00" in text for text in staged | logged)
    meta = _meta(result, f"{source}_evidence")
    assert meta["rejected_by_reason"]["NUL byte in a text (PostgreSQL cannot store one)"] == 2
    samples = [s["text"] for s in meta["rejected_samples"]]
    assert any("ZZQ5\\x00NUL" in text for text in samples), samples


def test_a_gzip_bomb_is_refused_naming_the_limit_setting(loaded: Any) -> None:
    result, engine = loaded
    assert not result.is_node_success("raw_gnomad")
    message = _failure(result, "raw_gnomad")
    assert message.splitlines() == [message]
    assert "gnomad/gnomad.v4.1.constraint_metrics.tsv" in message
    assert f"inflates past {BOMB_LIMIT:,} bytes" in message
    assert "KG_MAX_DECOMPRESSED_BYTES" in message
    with engine.connect() as conn:
        stored = conn.execute(
            sa.text("SELECT count(*) FROM cache_entries WHERE namespace = 'gnomad'")
        ).scalar_one()
    assert stored == 0


def test_json_nested_10000_levels_is_refused_in_one_line(loaded: Any) -> None:
    result, _ = loaded
    message = _failure(result, "raw_diagnostic_panels")
    assert message.splitlines() == [message]
    assert f"diagnostic_panels/{DIAGNOSTIC_PANELS.files[0]}" in message
    assert "JSON nested deeper than Python's recursion limit" in message
    assert "RecursionError" not in message
