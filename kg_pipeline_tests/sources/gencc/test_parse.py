"""GenCC: the real export sample, and hand-made exports in both layouts (the new 31-column
unquoted one and the legacy 30-column quoted one) for the kidney filter and classifications."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from kg_pipeline.raw_files import SourceFormatError
from kg_pipeline.sources.gencc.parse import FILE_KEY, aggregate, parse
from kg_pipeline.sources.hgnc.normalise import GeneNormaliser
from kg_pipeline_tests.sources.helpers import by_symbol, resolve

LAYOUTS = ("new", "legacy")
AMO = "classification 'Animal Model Only' kept at weight 0"


@pytest.fixture(scope="module")
def sample(real_data_dir: Path) -> Path:
    return real_data_dir / "raw" / "gencc" / "gencc-submissions.sample.tsv"


@pytest.fixture(scope="module")
def legacy_header(sample: Path) -> list[str]:
    with open(sample, encoding="utf-8") as fh:
        return next(csv.reader(fh, delimiter="\t"))


def new_header(legacy_header: list[str]) -> list[str]:
    """The new export's columns: `sgc_id` and `version_number`, then the legacy ones after
    `uuid` (berntpopp/gencc-link gencc_link/constants.py lists the same 31)."""
    assert legacy_header[0] == "uuid"
    return ["sgc_id", "version_number", *legacy_header[1:]]


def write_export(
    path: Path, layout: str, legacy_header: list[str], submissions: list[dict[str, str]]
) -> Path:
    """An export in `layout`: new (unquoted, 31 columns) or legacy (every value quoted, 30)."""
    if layout == "new":
        header = new_header(legacy_header)
        lines = ["\t".join(header)]
        lines += ["\t".join(s.get(c, "") for c in header) for s in submissions]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t", quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(legacy_header)
    for submission in submissions:
        writer.writerow([submission.get(column, "") for column in legacy_header])
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def _submission(symbol: str, hgnc: str, disease: str, classification: str, **extra: str):
    n = extra.pop("n")
    return {
        "sgc_id": f"SGC-{n}",
        "version_number": "2",
        "uuid": f"GENCC_000101-{hgnc.replace(':', '_')}-{n}",
        "gene_curie": hgnc,
        "gene_symbol": symbol,
        "disease_title": disease,
        "classification_title": classification,
        "moi_title": "Autosomal dominant",
        "submitter_title": extra.pop("submitter", "Ambry Genetics"),
        "submitted_as_date": "2020-01-01 10:00:00",
        "submitted_as_submission_id": f"local-{n}",
        "submitted_run_date": "2026-02-01",
        **extra,
    }


SUBMISSIONS = [
    _submission("PKD1", "HGNC:9008", "polycystic kidney disease", "Limited", n="1"),
    _submission(
        "PKD1",
        "HGNC:9008",
        "autosomal dominant polycystic kidney disease 1",
        "Definitive",
        submitter="Orphanet",
        disease_curie="MONDO:0008263",
        n="2",
    ),
    _submission(
        "PKD1",
        "HGNC:9008",
        "PKD1-related disorder",
        "Strong",
        disease_original_title="Polycystic kidney disease 1",
        n="3",
    ),
    _submission(
        "",
        "",
        "",
        "Moderate",
        submitted_as_hgnc_symbol="NPHP1",
        submitted_as_hgnc_id="HGNC:7905",
        submitted_as_disease_name="nephronophthisis 1",
        n="4",
    ),
    _submission("CYP21A2", "HGNC:2600", "congenital adrenal hyperplasia", "Definitive", n="5"),
    _submission(
        "FANCA", "HGNC:3582", "Fanconi anemia complementation group A", "Definitive", n="6"
    ),
    _submission("CFTR", "HGNC:1884", "cystic fibrosis", "Definitive", n="7"),
    _submission("", "", "Alport syndrome", "Strong", n="8"),
    _submission("COL4A3", "HGNC:2204", "Alport syndrome", "Very strong", n="9"),
    _submission("PKD2", "HGNC:9009", "polycystic kidney disease 2", "Animal Model Only", n="10"),
    _submission("PKD1", "HGNC:9008", "polycystic kidney disease", "animal model only", n="11"),
    _submission("COL4A4", "HGNC:2206", "Alport syndrome", "", n="12"),
]


@pytest.fixture(params=LAYOUTS)
def export(request: pytest.FixtureRequest, tmp_path: Path, legacy_header: list[str]) -> Path:
    return write_export(tmp_path / "9c1d", request.param, legacy_header, SUBMISSIONS)


def test_the_real_sample_parses_and_has_no_kidney_submission(sample: Path) -> None:
    parsed = parse({FILE_KEY: sample})

    assert parsed.source == "GenCC"
    assert parsed.stats == {"submissions": 5, "not_kidney": 5, "kidney_submissions": 0}
    assert parsed.rows.empty
    assert {"symbol", "reported_hgnc_id", "classification"} <= set(parsed.rows.columns)
    assert parsed.release == "2025-01-17"
    assert parsed.rejects == []
    assert parsed.flagged == {}


def test_the_real_sample_in_the_new_layout_reads_the_same(
    sample: Path, legacy_header: list[str], tmp_path: Path
) -> None:
    """The real rows moved to the new columns (by name, `sgc_id` made up) parse alike."""
    with open(sample, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    for n, row in enumerate(rows):
        row["sgc_id"], row["version_number"] = f"SGC-{n}", "1"
    new = write_export(tmp_path / "new", "new", legacy_header, rows)
    assert new.read_text(encoding="utf-8").split("\n", 1)[0].count("\t") == 30

    legacy = parse({FILE_KEY: sample})
    converted = parse({FILE_KEY: new})

    assert (converted.stats, converted.release) == (legacy.stats, legacy.release)


def test_the_url_is_the_new_export_on_the_current_host() -> None:
    assert FILE_KEY == "gencc/download/action/submissions-export-tsv?format=new"


@pytest.mark.parametrize("layout", LAYOUTS)
def test_the_keyword_filter_keeps_kidney_submissions_only(
    layout: str, tmp_path: Path, legacy_header: list[str]
) -> None:
    parsed = parse({FILE_KEY: write_export(tmp_path / "e", layout, legacy_header, SUBMISSIONS)})

    assert parsed.stats == {"submissions": 12, "not_kidney": 3, "kidney_submissions": 7}
    assert parsed.rows["symbol"].tolist() == [
        "PKD1",
        "PKD1",
        "PKD1",
        "NPHP1",
        "COL4A3",
        "PKD2",
        "PKD1",
    ]
    nphp1 = parsed.rows.iloc[3]  # picked from the submitted_as_* fallbacks
    assert (nphp1["reported_hgnc_id"], nphp1["disease_name"]) == ("HGNC:7905", "nephronophthisis 1")
    assert [(r.where, r.reason) for r in parsed.rejects] == [
        (f"{FILE_KEY}:row 9", "submission without a gene symbol"),
        (f"{FILE_KEY}:row 13", "submission without a classification"),
    ]
    assert parsed.release == "2026-02-01"
    # Outside the weight table: kept, GenCC's spelling, counted per title.
    assert parsed.rows["classification"].tolist()[4:] == [
        "Very strong",
        "Animal Model Only",
        "Animal Model Only",
    ]
    assert parsed.flagged == {"classification 'Very strong' kept at weight 0": 1, AMO: 2}


@pytest.mark.parametrize(("layout", "ids"), [("new", ["SGC-1", "SGC-2"]), ("legacy", None)])
def test_the_submission_id_is_sgc_id_or_the_legacy_uuid(
    layout: str, ids: list[str] | None, tmp_path: Path, legacy_header: list[str]
) -> None:
    parsed = parse({FILE_KEY: write_export(tmp_path / "e", layout, legacy_header, SUBMISSIONS)})

    expected = ids or [SUBMISSIONS[0]["uuid"], SUBMISSIONS[1]["uuid"]]
    assert parsed.rows["submission_id"].tolist()[:2] == expected


def test_a_quote_in_the_unquoted_export_is_a_plain_character(
    tmp_path: Path, legacy_header: list[str]
) -> None:
    """The new export quotes nothing: a note opening with an unbalanced quote must not swallow
    the rows after it."""
    submissions = [
        {**SUBMISSIONS[0], "submitted_as_notes": '"proband 2 in abstract only'},
        *SUBMISSIONS[1:3],
    ]
    parsed = parse({FILE_KEY: write_export(tmp_path / "e", "new", legacy_header, submissions)})

    assert parsed.stats["kidney_submissions"] == 3
    assert parsed.rows["submission_id"].tolist() == ["SGC-1", "SGC-2", "SGC-3"]


def test_max_classification_and_submissions_per_gene(
    export: Path, normaliser: GeneNormaliser
) -> None:
    rows = resolve(parse({FILE_KEY: export}).rows, normaliser)

    evidence = aggregate(rows)
    pkd1 = by_symbol(evidence, rows, "PKD1")

    assert len(evidence) == 4
    # Titles outside the weight table rank after every title in it.
    assert pkd1["evidence_data"]["classifications"] == [
        "Definitive",
        "Strong",
        "Limited",
        "Animal Model Only",
    ]
    assert pkd1["evidence_data"]["max_classification"] == "Definitive"
    assert pkd1["evidence_data"]["submission_count"] == 4
    assert pkd1["evidence_data"]["submissions"][-1]["classification"] == "Animal Model Only"
    assert pkd1["evidence_data"]["submitters"] == ["Ambry Genetics", "Orphanet"]
    assert pkd1["source_detail"] == ("GenCC: 4 submissions from 2 submitters (Definitive, Strong)")
    assert by_symbol(evidence, rows, "NPHP1")["evidence_data"]["max_classification"] == ("Moderate")
    # A gene whose only kidney submission is "Animal Model Only" is kept (weight 0 in scoring).
    pkd2 = by_symbol(evidence, rows, "PKD2")["evidence_data"]
    assert (pkd2["classifications"], pkd2["max_classification"]) == (
        ["Animal Model Only"],
        "Animal Model Only",
    )


def test_upstream_keys_evidence_score_and_the_strongest_disease(
    export: Path, normaliser: GeneNormaliser
) -> None:
    """`evidence_score` is upstream's highest classification weight (0 to 1); `disease_id` and
    `disease_title`, read by upstream's GenCC view, are the strongest submission's disease."""
    rows = resolve(parse({FILE_KEY: export}).rows, normaliser)

    evidence = aggregate(rows)
    pkd1 = by_symbol(evidence, rows, "PKD1")["evidence_data"]
    nphp1 = by_symbol(evidence, rows, "NPHP1")["evidence_data"]
    pkd2 = by_symbol(evidence, rows, "PKD2")["evidence_data"]

    assert pkd1["evidence_score"] == 1.0
    assert pkd1["disease_id"] == "MONDO:0008263"
    assert pkd1["disease_title"] == "autosomal dominant polycystic kidney disease 1"
    assert (nphp1["evidence_score"], nphp1["disease_title"]) == (0.6, "nephronophthisis 1")
    assert nphp1["disease_id"] is None
    assert pkd2["evidence_score"] == 0.0  # "Animal Model Only" is outside the weight table


def test_an_export_without_a_symbol_column_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x"
    path.write_text('"uuid"\t"disease_title"\n"1"\t"renal"\n', encoding="utf-8")

    with pytest.raises(SourceFormatError, match="with a column for symbol"):
        parse({FILE_KEY: path})
