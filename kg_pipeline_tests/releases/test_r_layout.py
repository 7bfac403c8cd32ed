"""The R predecessor's merged list: its rules reproduce the R pipeline's own published
per-source tables, and the file is written as R writes it."""

import gzip
from pathlib import Path

import pandas as pd

from kg_pipeline.releases.r_layout import R_SOURCES, merged_gene_list, r_csv_gz

HEADER = (
    "approved_symbol,hgnc_id,source_count_percentile,evidence_count,list_count,"
    "01_PanelApp,02_Literature,03_DiagnosticPanels,04_HPO,05_PubTator"
)


def test_the_merge_reproduces_the_r_pipelines_percentiles_and_flags(real_data_dir: Path) -> None:
    """Fed R's own per-source counts of 2024-05-14, the merge gives back each gene's summed
    percentile, TRUE flags and list count as R's per-source tables state them."""
    tables = []
    for column, name, _ in R_SOURCES:
        table = pd.read_csv(real_data_dir / "r_v1" / f"{column}_genes.2024-05-14.csv.gz")
        table["source_name"] = name
        tables.append(table)
    r = pd.concat(tables)
    evidence = pd.DataFrame(
        {
            "hgnc_id": "HGNC:" + r["hgnc_id"].astype(str),
            "approved_symbol": r["approved_symbol"],
            "source_name": r["source_name"],
            "source_count": r["source_count"],
        }
    )
    merged = merged_gene_list(evidence).set_index("hgnc_id")
    expected = r.groupby("hgnc_id").agg(
        percentile=("source_count_percentile", "sum"),
        flags=("source_evidence", "sum"),
        lists=("source_name", "size"),
    )
    assert len(merged) == len(expected) == 3_066  # the size of R's merged list of that run
    joined = merged.join(expected)
    assert (joined["source_count_percentile"] - joined["percentile"]).abs().max() < 1e-12
    assert (joined["evidence_count"] == joined["flags"]).all()
    assert (joined["list_count"] == joined["lists"]).all()
    for column, name, _ in R_SOURCES:
        listed = set(r.loc[r["source_name"] == name, "hgnc_id"])
        assert set(merged.index[merged[column].notna()]) == listed, column


def test_the_file_is_written_as_r_writes_it() -> None:
    evidence = pd.DataFrame(
        [
            ("HGNC:9008", "PKD1", "PanelApp", 12),
            ("HGNC:9008", "PKD1", "PubTator", 2),
            ("HGNC:9009", "PKD2", "PubTator", 5),
            ("HGNC:9009", "PKD2", "ClinGen", 1),
            ("HGNC:1", "A,B", "Literature", 1),
        ],
        columns=["hgnc_id", "approved_symbol", "source_name", "source_count"],
    )
    text = gzip.decompress(r_csv_gz(merged_gene_list(evidence))).decode()
    assert text.splitlines() == [
        HEADER,
        # Quoted only because of the comma; one Literature gene: rank 1 of 1.
        '"A,B",1,1,0,1,NULL,FALSE,NULL,NULL,NULL',
        # PubTator: 2 publications rank 1 of 2 (0.5), under R's 3: FALSE.
        "PKD1,9008,1.5,1,2,TRUE,NULL,NULL,NULL,FALSE",
        # ClinGen is no R source: PKD2 has PubTator only.
        "PKD2,9009,1,1,1,NULL,NULL,NULL,NULL,TRUE",
    ]
