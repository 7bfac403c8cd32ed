"""Pure parsing of every upstream source: local raw files in, pandas rows and records out.

No HTTP, no database, no Dagster. `records` holds the shared contract (`RawFiles`,
`ParsedEvidence`, `Reject`, `SourceFormatError`); each `<source>/parse.py` exposes
`parse(files) -> ParsedEvidence` and `aggregate(rows) -> DataFrame`; `hgnc/normalise.py` is the
one gene normaliser.
"""
