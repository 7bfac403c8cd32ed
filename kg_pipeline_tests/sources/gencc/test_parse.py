"""GenCC: the real export sample, a hand-made export for the kidney filter and classifications."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from kg_pipeline.raw_files import SourceFormatError
from kg_pipeline.sources.gencc.parse import FILE_KEY, aggregate, parse
from kg_pipeline.sources.hgnc.normalise import GeneNormaliser
from kg_pipeline_tests.sources.helpers import by_symbol, resolve


@pytest.fixture(scope="module")
def sample(real_data_dir: Path) -> Path:
    return real_data_dir / "raw" / "gencc" / "gencc-submissions.sample.tsv"


def test_the_real_sample_parses_and_has_no_kidney_submission(sample: Path) -> None:
    parsed = parse({FILE_KEY: sample})

    assert parsed.source == "GenCC"
    assert parsed.stats == {"submissions": 5, "not_kidney": 5, "kidney_submissions": 0}
    assert parsed.rows.empty
    assert {"symbol", "reported_hgnc_id", "classification"} <= set(parsed.rows.columns)
    assert parsed.release == "2025-01-17"
    assert parsed.rejects == []


def _export(tmp_path: Path, sample: Path, submissions: list[dict[str, str]]) -> Path:
    """A GenCC export with the real 30-column header, every value quoted as GenCC does."""
    with open(sample, encoding="utf-8") as fh:
        header = next(csv.reader(fh, delimiter="\t"))
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t", quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(header)
    for submission in submissions:
        writer.writerow([submission.get(column, "") for column in header])
    path = tmp_path / "9c1d"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def _submission(symbol: str, hgnc: str, disease: str, classification: str, **extra: str):
    return {
        "uuid": f"GENCC_{symbol}_{classification}",
        "gene_curie": hgnc,
        "gene_symbol": symbol,
        "disease_title": disease,
        "classification_title": classification,
        "moi_title": "Autosomal dominant",
        "submitter_title": extra.pop("submitter", "Ambry Genetics"),
        "submitted_as_date": "2020-01-01 10:00:00",
        "submitted_run_date": "2026-02-01",
        **extra,
    }


@pytest.fixture
def export(tmp_path: Path, sample: Path) -> Path:
    return _export(
        tmp_path,
        sample,
        [
            _submission("PKD1", "HGNC:9008", "polycystic kidney disease", "Limited"),
            _submission(
                "PKD1",
                "HGNC:9008",
                "autosomal dominant polycystic kidney disease 1",
                "Definitive",
                submitter="Orphanet",
            ),
            _submission(
                "PKD1",
                "HGNC:9008",
                "PKD1-related disorder",
                "Strong",
                disease_original_title="Polycystic kidney disease 1",
            ),
            _submission(
                "",
                "",
                "",
                "Moderate",
                submitted_as_hgnc_symbol="NPHP1",
                submitted_as_hgnc_id="HGNC:7905",
                submitted_as_disease_name="nephronophthisis 1",
            ),
            _submission("CYP21A2", "HGNC:2600", "congenital adrenal hyperplasia", "Definitive"),
            _submission(
                "FANCA", "HGNC:3582", "Fanconi anemia complementation group A", "Definitive"
            ),
            _submission("CFTR", "HGNC:1884", "cystic fibrosis", "Definitive"),
            _submission("", "", "Alport syndrome", "Strong"),
            _submission("COL4A3", "HGNC:2204", "Alport syndrome", "Very strong"),
        ],
    )


def test_the_keyword_filter_keeps_kidney_submissions_only(export: Path) -> None:
    parsed = parse({FILE_KEY: export})

    assert parsed.stats == {"submissions": 9, "not_kidney": 3, "kidney_submissions": 4}
    assert parsed.rows["symbol"].tolist() == ["PKD1", "PKD1", "PKD1", "NPHP1"]
    nphp1 = parsed.rows.iloc[3]  # picked from the submitted_as_* fallbacks
    assert (nphp1["reported_hgnc_id"], nphp1["disease_name"]) == ("HGNC:7905", "nephronophthisis 1")
    assert [(r.where, r.reason) for r in parsed.rejects] == [
        (f"{FILE_KEY}:row 9", "submission without a gene symbol"),
        (f"{FILE_KEY}:row 10", "unknown classification"),
    ]
    assert parsed.release == "2026-02-01"


def test_max_classification_and_submissions_per_gene(
    export: Path, normaliser: GeneNormaliser
) -> None:
    rows = resolve(parse({FILE_KEY: export}).rows, normaliser)

    evidence = aggregate(rows)
    pkd1 = by_symbol(evidence, rows, "PKD1")

    assert len(evidence) == 2
    assert pkd1["evidence_data"]["classifications"] == ["Definitive", "Strong", "Limited"]
    assert pkd1["evidence_data"]["max_classification"] == "Definitive"
    assert pkd1["evidence_data"]["submission_count"] == 3
    assert pkd1["evidence_data"]["submitters"] == ["Ambry Genetics", "Orphanet"]
    assert pkd1["source_detail"] == ("GenCC: 3 submissions from 2 submitters (Definitive, Strong)")
    assert by_symbol(evidence, rows, "NPHP1")["evidence_data"]["max_classification"] == ("Moderate")


def test_an_export_without_a_symbol_column_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x"
    path.write_text('"uuid"\t"disease_title"\n"1"\t"renal"\n', encoding="utf-8")

    with pytest.raises(SourceFormatError, match="no column for symbol"):
        parse({FILE_KEY: path})
