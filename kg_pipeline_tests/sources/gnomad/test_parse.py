"""gnomAD constraint: the real v2.1.1 sample read back exactly, the v4.1 and v4.1.1 namings, and
the count of annotated genes on chromosome X."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import pandas as pd
import pytest

from kg_pipeline.raw_files import SourceFormatError
from kg_pipeline.sources.gnomad.parse import (
    CHRX_STAT,
    FILE_KEY,
    V2_COUNTS,
    V2_METRICS,
    V41_COLUMNS,
    annotate,
    chromosome,
)
from kg_pipeline_tests.sources.annotation_helpers import (
    annotation,
    assert_contract,
    assert_same_output,
    check_then_load,
    fresh_copies,
    genes_frame,
)

V4_HEADER = V41_COLUMNS  # the one v4.1 header, which the snapshot generator writes too


def _v4_row(gene: str, gene_id: str, transcript: str, canonical: str, mane: str, **values: str):
    row = dict.fromkeys(V4_HEADER, "NA")
    row.update(
        gene=gene,
        gene_id=gene_id,
        transcript=transcript,
        canonical=canonical,
        mane_select=mane,
        constraint_flags="[]",
        level="2",
        transcript_type="protein_coding",
        chromosome="chr16",
    )
    row.update({k.replace("__", "."): v for k, v in values.items()})
    return "\t".join(row[c] for c in V4_HEADER)


@pytest.fixture(scope="module")
def v2_sample(real_data_dir: Path) -> Path:
    return real_data_dir / "raw" / "gnomad" / "gnomad.v2.1.1.lof_metrics.by_gene.sample.txt"


def _v2_rows(v2_sample: Path) -> list[dict[str, str]]:
    with open(v2_sample, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def test_v2_sample_values_are_read_back_exactly(v2_sample: Path, real_genes: pd.DataFrame) -> None:
    genes = real_genes
    parsed = annotate({FILE_KEY: v2_sample}, genes)

    assert_contract(parsed)
    assert parsed.release == "v2.1.1"
    # AL627309.1 is a clone-based name with an Ensembl id HGNC does not list.
    assert parsed.stats["rows_read"] == 3
    assert parsed.stats["rows_unmatched"] == 1
    for raw in _v2_rows(v2_sample):
        if raw["gene"] not in {"MED13", "OR4F5"}:
            continue
        record = annotation(parsed, genes, raw["gene"])
        for key, column in V2_METRICS.items():
            assert record[key] == float(raw[column]), key
        assert record["transcript"] == raw["transcript"]
        assert record["gene_symbol"] == raw["gene"]
        assert record["source_version"] == "gnomad_v2.1.1"


def test_upstream_keys_on_the_real_v2_sample(v2_sample: Path, real_genes: pd.DataFrame) -> None:
    """Upstream's `obs_*` / `exp_*` counts, o/e bounds, `gene_id`, `transcript_id` and
    `canonical_transcript` (a v2.1.1 row is the gene's canonical transcript)."""
    parsed = annotate({FILE_KEY: v2_sample}, real_genes)

    med13 = annotation(parsed, real_genes, "MED13")

    assert {k: med13[k] for k in V2_COUNTS} == {
        "obs_lof": 0,
        "exp_lof": 98.429,
        "obs_mis": 871,
        "exp_mis": 1117.8,
        "obs_syn": 422,
        "exp_syn": 387.53,
        "oe_mis_lower": 0.736,
        "oe_mis_upper": 0.824,
        "oe_syn_lower": 1.005,
        "oe_syn_upper": 1.18,
    }
    assert med13["gene_id"] == "ENSG00000108510"
    assert med13["transcript_id"] == med13["canonical_transcript"] == "ENST00000397786"


def test_pli_is_filled_under_the_key_pli(v2_sample: Path, real_genes: pd.DataFrame) -> None:
    genes = real_genes
    parsed = annotate({FILE_KEY: v2_sample}, genes)

    med13 = annotation(parsed, genes, "MED13")
    assert med13["pli"] == 1.0
    assert "pLI" not in med13
    assert annotation(parsed, genes, "OR4F5")["pli"] == 3.0354e-02
    assert all("pli" in a for a in parsed.rows["annotations"])


def test_v41_keeps_the_mane_select_transcript_and_reads_columns_by_name(tmp_path: Path) -> None:
    genes = genes_frame(
        (1, "PKD1", "5310", "ENSG00000008710"),
        (2, "PKD2", "5311", "ENSG00000118762"),
        (3, "UMOD", "7369", None),
    )
    lines = [
        "\t".join(V4_HEADER),
        # A non-canonical PKD1 transcript first: it must not win.
        _v4_row("PKD1", "ENSG00000008710", "ENST00000423118", "false", "false", lof__pLI="0.5"),
        # The RefSeq copy of the canonical transcript (gene_id = Entrez id in v4.1).
        _v4_row("PKD1", "5310", "NM_001009944.3", "true", "true", lof__pLI="0.9"),
        _v4_row(
            "PKD1",
            "ENSG00000008710",
            "ENST00000262304",
            "true",
            "true",
            lof__pLI="9.9999e-01",
            lof_hc_lc__pLI="0.123",
            lof__oe="3.1e-01",
            lof__oe_ci__lower="2.5e-01",
            lof__oe_ci__upper="3.9e-01",
            lof__z_score="8.5",
            mis__z_score="1.2",
            syn__z_score="-0.3",
            mis__oe="0.88",
            syn__oe="1.01",
            lof__obs="12",
            lof__exp="3.87e+01",
            mis__obs="1500",
            mis__exp="1.7005e+03",
            syn__oe_ci__lower="0.9",
        ),
        # PKD2: canonical but not MANE; values missing as NA; matched by the symbol only.
        _v4_row("pkd2", "ENSG99999999999", "ENST00000237596", "true", "false", lof__oe="0.2"),
        # UMOD: a row without any metric is skipped.
        _v4_row("UMOD", "7369", "NM_003361.4", "true", "true"),
        _v4_row("NOTOURS", "ENSG00000000001", "ENST00000000001", "true", "true", lof__oe="1"),
        _v4_row("PKD2", "ENSG00000118762", "ENST00000999999", "true", "false", lof__oe="high"),
        "PKD1\ttoo\tfew",
    ]
    path = tmp_path / "0f3c9e"
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    parsed = annotate({FILE_KEY: path}, genes)

    assert_contract(parsed)
    assert parsed.release == "v4.1"
    pkd1 = parsed.annotation(1)
    assert pkd1 == {
        "pli": 0.99999,
        "oe_lof": 0.31,
        "oe_lof_lower": 0.25,
        "oe_lof_upper": 0.39,
        "lof_z": 8.5,
        "mis_z": 1.2,
        "syn_z": -0.3,
        "oe_mis": 0.88,
        "oe_syn": 1.01,
        # upstream's observed / expected counts (observed as integers) and o/e bounds
        "obs_lof": 12,
        "exp_lof": 38.7,
        "obs_mis": 1500,
        "exp_mis": 1700.5,
        "oe_syn_lower": 0.9,
        "transcript": "ENST00000262304",
        "transcript_id": "ENST00000262304",
        "canonical_transcript": "ENST00000262304",
        "gene_id": "ENSG00000008710",
        "gene_symbol": "PKD1",
        "source_version": "gnomad_v4.1",
        "mane_select": True,
        "canonical": True,
    }
    assert parsed.annotation(2) == {
        "oe_lof": 0.2,
        "transcript": "ENST00000237596",
        "transcript_id": "ENST00000237596",
        "canonical_transcript": "ENST00000237596",
        "gene_id": "ENSG99999999999",
        "gene_symbol": "pkd2",
        "source_version": "gnomad_v4.1",
        "mane_select": False,
        "canonical": True,
    }
    assert parsed.annotation(3) is None
    assert parsed.skipped_by_reason() == {
        "not_canonical_or_mane": 1,
        "superseded_by_better_match": 1,
        "no_constraint_values": 1,
    }
    assert parsed.stats["rows_unmatched"] == 1
    assert parsed.rejects_by_reason() == {
        "non-numeric constraint value": 1,
        f"expected {len(V4_HEADER)} tab-separated cells": 1,
    }


def test_a_header_without_the_constraint_columns_is_a_format_error(tmp_path: Path) -> None:
    path = tmp_path / "a"
    path.write_text("gene\ttranscript\tpli_renamed\nPKD1\tENST1\t1\n", encoding="utf-8")

    with pytest.raises(SourceFormatError, match=r"with the v4\.1 / v4\.1\.1 constraint columns"):
        annotate({FILE_KEY: path}, genes_frame((1, "PKD1", None, None)))


_V411_COLUMNS = """
gene gene_id transcript transcript_version canonical mane_select transcript_type
transcript_level chromosome cds_length num_coding_exons gene_flags constraint_flags
syn.mu syn.possible syn.obs syn.exp syn.oe syn.oe_ci.lower syn.oe_ci.upper syn.z_score
mis.mu mis.possible mis.obs mis.exp mis.oe mis.oe_ci.lower mis.oe_ci.upper mis.z_score
lof_hc_lc.mu lof_hc_lc.possible lof_hc_lc.obs lof_hc_lc.exp lof_hc_lc.oe lof_hc_lc.oe_ci.lower
lof_hc_lc.oe_ci.upper lof_hc_lc.oe_ci.upper_rank lof_hc_lc.oe_ci.upper_bin_decile
lof_hc_lc.z_score lof.mu lof.possible lof.obs lof.exp lof.oe lof.oe_ci.lower lof.oe_ci.upper
lof.oe_ci.upper_rank lof.oe_ci.upper_bin_decile lof.oe_ci.upper_bin_sextile lof.z_score
pLI pRec pNull
"""
V411_HEADER = tuple(_V411_COLUMNS.split())
"""The columns of a v4.1.1 constraint TSV as its field descriptions name them."""

KIDNEY_X_GENES = genes_frame(
    (1, "COL4A5", "1287", "ENSG00000188153"),
    (2, "OCRL", "4952", "ENSG00000122126"),
    (3, "CLCN5", "1184", "ENSG00000171365"),
    (4, "PKD1", "5310", "ENSG00000008710"),
)


def _write_tsv(path: Path, header: tuple[str, ...], rows: list[dict[str, str]]) -> Path:
    """A constraint TSV with `header`; cells a row does not give are `NA`."""
    lines = ["\t".join(header)]
    lines += ["\t".join(row.get(c, "NA") for c in header) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_v411_names_pli_undotted_and_add_gene_and_transcript_version(tmp_path: Path) -> None:
    common = {"canonical": "true", "mane_select": "true", "transcript_type": "protein_coding"}
    path = _write_tsv(
        tmp_path / "v411",
        V411_HEADER,
        [
            {
                **common,
                "gene": "COL4A5",
                "gene_id": "ENSG00000188153",
                "transcript": "ENST00000328300",
                "transcript_version": "11",
                "chromosome": "chrX",
                "pLI": "0.998",
                "lof.pLI": "0.5",  # no such column in v4.1.1: a stray value must not be read
                "lof.oe": "0.12",
                "lof.oe_ci.upper": "0.2",
                "mis.z_score": "3.4",
            },
            # Matched by its Ensembl id although the symbol is an old one.
            {
                **common,
                "gene": "OCRL1",
                "gene_id": "ENSG00000122126",
                "transcript": "ENST00000371113",
                "transcript_version": "NA",
                "chromosome": "chrX",
                "pLI": "0.97",
            },
            {
                **common,
                "gene": "PKD1",
                "gene_id": "ENSG00000008710",
                "transcript": "ENST00000262304",
                "transcript_version": "9",
                "chromosome": "chr16",
                "pLI": "1",
            },
        ],
    )
    parsed = annotate({FILE_KEY: path}, KIDNEY_X_GENES)

    assert_contract(parsed)
    assert parsed.release == "v4.1.1"
    assert parsed.annotation(1) == {
        "pli": 0.998,
        "oe_lof": 0.12,
        "oe_lof_upper": 0.2,
        "mis_z": 3.4,
        "transcript": "ENST00000328300",
        "transcript_id": "ENST00000328300",
        "canonical_transcript": "ENST00000328300",
        "gene_id": "ENSG00000188153",
        "transcript_version": "11",
        "gene_symbol": "COL4A5",
        "source_version": "gnomad_v4.1.1",
        "mane_select": True,
        "canonical": True,
    }
    ocrl = parsed.annotation(2)
    assert ocrl is not None and ocrl["pli"] == 0.97 and "transcript_version" not in ocrl
    assert parsed.stats["matched_by_ensembl"] == 3
    assert parsed.stats[CHRX_STAT] == 2  # COL4A5, OCRL; CLCN5 has no row


def test_a_v411_header_with_dotted_pli_is_told_by_its_transcript_version(tmp_path: Path) -> None:
    header = tuple("lof.pLI" if c == "pLI" else c for c in V411_HEADER)
    row = {"gene": "PKD1", "transcript": "ENST00000262304", "canonical": "true", "lof.pLI": "1"}
    parsed = annotate({FILE_KEY: _write_tsv(tmp_path / "a", header, [row])}, KIDNEY_X_GENES)

    assert parsed.release == "v4.1.1"
    assert parsed.annotation(4)["pli"] == 1.0  # type: ignore[index]


def test_v41_without_gene_id_matches_by_symbol_and_counts_chrx(tmp_path: Path) -> None:
    header = tuple(c for c in V4_HEADER if c != "gene_id")
    rows = [
        {"gene": symbol, "transcript": tx, "canonical": "true", "mane_select": "true", **values}
        for symbol, tx, values in (
            ("COL4A5", "ENST00000328300", {"chromosome": "chrX", "lof.oe_ci.upper": "0.2"}),
            ("CLCN5", "ENST00000376088", {"chromosome": "chrX", "mis.z_score": "2.1"}),
            ("OCRL", "ENST00000371113", {"chromosome": "chrX"}),  # no values: not counted
            ("PKD1", "ENST00000262304", {"chromosome": "chr16", "lof.pLI": "1"}),
        )
    ]
    parsed = annotate({FILE_KEY: _write_tsv(tmp_path / "v41", header, rows)}, KIDNEY_X_GENES)

    assert_contract(parsed)
    assert parsed.release == "v4.1"
    assert parsed.annotation(1)["oe_lof_upper"] == 0.2  # type: ignore[index]
    assert parsed.annotation(3)["mis_z"] == 2.1  # type: ignore[index]
    assert parsed.annotation(2) is None
    assert parsed.stats["matched_by_symbol"] == 3
    assert parsed.skipped_by_reason() == {"no_constraint_values": 1}
    assert parsed.stats[CHRX_STAT] == 2


def test_a_file_without_chrx_values_counts_none(tmp_path: Path) -> None:
    # The v4.1 file as an upstream note describes it: X-linked genes without constraint.
    rows = [
        {"gene": s, "transcript": f"ENST0{i}", "canonical": "true", "chromosome": c, **v}
        for i, (s, c, v) in enumerate(
            (("COL4A5", "chrX", {}), ("OCRL", "chrX", {}), ("PKD1", "chr16", {"lof.oe": "0.3"}))
        )
    ]
    parsed = annotate({FILE_KEY: _write_tsv(tmp_path / "a", V4_HEADER, rows)}, KIDNEY_X_GENES)

    assert len(parsed.rows) == 1
    assert parsed.stats[CHRX_STAT] == 0


def test_the_hgnc_location_says_the_chromosome_before_the_file(
    v2_sample: Path, hgnc_complete_set: pd.DataFrame, real_genes: pd.DataFrame, tmp_path: Path
) -> None:
    # The real v2.1.1 header with X-linked kidney genes; OCRL's row wrongly says chromosome 3.
    header = tuple(v2_sample.read_text(encoding="utf-8").splitlines()[0].split("\t"))
    rows = [
        {"gene": s, "transcript": f"ENST0{i}", "chromosome": c, "pLI": "0.9"}
        for i, (s, c) in enumerate(
            (("COL4A5", "X"), ("OCRL", "3"), ("CLCN5", "X"), ("MED13", "17"))
        )
    ]
    path = _write_tsv(tmp_path / "v2", header, rows)
    with_location = real_genes.assign(location=hgnc_complete_set["location"].to_numpy())

    by_file = annotate({FILE_KEY: path}, real_genes)
    by_hgnc = annotate({FILE_KEY: path}, with_location)

    assert by_file.release == by_hgnc.release == "v2.1.1"
    assert len(by_file.rows) == len(by_hgnc.rows) == 4
    assert by_file.stats[CHRX_STAT] == 2
    assert by_hgnc.stats[CHRX_STAT] == 3


def test_the_real_v2_sample_has_no_gene_on_chrx(
    v2_sample: Path, hgnc_complete_set: pd.DataFrame, real_genes: pd.DataFrame
) -> None:
    with_location = real_genes.assign(location=hgnc_complete_set["location"].to_numpy())
    parsed = annotate({FILE_KEY: v2_sample}, with_location)

    assert len(parsed.rows) == 2  # MED13 (17q23.2), OR4F5 (1p36.33)
    assert parsed.stats[CHRX_STAT] == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Xq22.3", "X"),
        ("Xp22.33 and Yp11.32", "X"),
        ("chrX", "X"),
        ("X", "X"),
        ("17q23.2", "17"),
        ("chr16", "16"),
        ("Yq11.223", "Y"),
        ("mitochondria", None),
        ("unplaced", None),
        ("", None),
        (None, None),
        (float("nan"), None),
    ],
)
def test_chromosome(text: object, expected: str | None) -> None:
    assert chromosome(text) == expected


def test_the_load_reuses_the_checks_read_and_gives_what_a_fresh_read_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A gene of ours matched before the first skipped transcript, rejects of the read (cell
    # counts) and of the load (values of our genes only) in between, a row without values.
    genes = genes_frame((1, "PKD1", "5310", "ENSG00000008710"), (2, "PKD2", "5311", None))
    lines = [
        "\t".join(V4_HEADER),
        _v4_row("PKD2", "5311", "NM_000297.4", "true", "false", lof__oe="high"),
        _v4_row("PKD1", "5310", "NM_001009944.3", "true", "true", lof__pLI="0.9"),
        "PKD1\ttoo\tfew",
        _v4_row("PKD1", "ENSG00000008710", "ENST00000423118", "false", "false", lof__pLI="0.5"),
        _v4_row("PKD1", "ENSG00000008710", "ENST00000262304", "true", "true", lof__pLI="1"),
        _v4_row("NOTOURS", "ENSG00000000001", "ENST00000000001", "true", "true", lof__oe="x"),
        _v4_row("PKD2", "5311", "NM_000297.5", "true", "false", lof__obs="many", lof__oe="1"),
        "PKD2\ttoo\tfew",
        _v4_row("PKD2", "5311", "NM_000297.6", "true", "false"),
        _v4_row("PKD2", "5311", "ENST00000237596", "true", "false", lof__oe="0.2"),
    ]
    path = tmp_path / "c0nstraint"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    files = {FILE_KEY: path}

    parsed, reads = check_then_load(annotate, files, genes, monkeypatch)

    assert reads[FILE_KEY] == 1
    assert_same_output(parsed, annotate(fresh_copies(files, tmp_path / "fresh"), genes))
    assert [r.reason for r in parsed.rejects] == [
        "non-numeric constraint value",
        f"expected {len(V4_HEADER)} tab-separated cells",
        "non-numeric variant count",
        f"expected {len(V4_HEADER)} tab-separated cells",
    ]
    # In the order reading the file with our genes counts them (the read's skip between).
    assert list(parsed.stats)[4:9] == [
        "matched_by_entrez",
        "skipped_not_canonical_or_mane",
        "matched_by_ensembl",
        "skipped_superseded_by_better_match",
        "skipped_no_constraint_values",
    ]
