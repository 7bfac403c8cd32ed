"""Data releases: dated, immutable, checksummed copies of the gene list, with what changed.

A release is a directory `<root>/<CalVer>` (`version.py`) holding the genes, evidence and
annotation tables as Parquet and gzipped CSV (`tables.py`), the R predecessor's merged list
(`r_layout.py`), `CHANGES.md` and `changes.parquet` against the previous published release
(`changes.py`), a Frictionless `datapackage.json` and `SHA256SUMS` (`package.py`). `make.py`
ties them to the gene database's `data_releases` table. No Dagster here: the asset in
`kg_pipeline/defs/release/` and the CLI call `make.py`.
"""
