"""The bare COPY baseline loads every stored line, whatever its bytes, without parsing it."""

import gzip
from pathlib import Path

from kg_pipeline.devtools.bench.baseline import copy_baseline


def test_baseline_copies_every_line_unparsed(gene_db_url: str, tmp_path: Path) -> None:
    # Bytes a parser would trip on: tabs, quotes, backslashes, a Latin-1 byte, a gzip stream.
    store = tmp_path / "raw"
    (store / "plain").mkdir(parents=True)
    (store / "plain" / "a").write_bytes(b'x\ty\n"quoted, ",\\N\n\n\\backslash\\\n')
    (store / "plain" / "latin1").write_bytes(b"caf\xe9\n")
    (store / "zipped").mkdir()
    (store / "zipped" / "b").write_bytes(gzip.compress(b"".join(b"%d\n" % i for i in range(1000))))
    (store / ".incoming").mkdir()
    (store / ".incoming" / "partial").write_bytes(b"ignored\n")

    said: list[str] = []
    figures = copy_baseline(gene_db_url, store, say=said.append, runs=2)

    assert figures.files == 3
    assert figures.lines == 4 + 1 + 1000
    assert figures.latin1_files == 1
    assert figures.bytes_loaded > figures.bytes_on_disk  # the gzip file was decompressed
    assert {s.source: s.lines for s in figures.sources} == {"plain": 5, "zipped": 1000}

    # Each load is timed and loads the same lines; the fastest counts.
    assert len(figures.runs_seconds) == 2 and figures.seconds == min(figures.runs_seconds)
    assert len(said) == 3 and said[-1].endswith("(the fastest of 2)")
