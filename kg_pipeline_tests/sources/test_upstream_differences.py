"""Where our rules differ from upstream's (678164b): both rules on the real files, the effect
asserted exactly. `docs/upstream-differences.md` quotes these figures; change both together."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from kg_pipeline.raw_files import read_json
from kg_pipeline.sources.clingen import parse as clingen
from kg_pipeline.sources.diagnostic_panels import parse as diagnostic_panels
from kg_pipeline.sources.hgnc.normalise import GeneNormaliser
from kg_pipeline.sources.literature import parse as literature
from kg_pipeline.sources.panelapp import parse as panelapp
from kg_pipeline.sources.pubtator.parse import GENE_MENTION
from kg_pipeline.sources.records import ParsedEvidence
from kg_pipeline_tests import upstream_rules as upstream
from kg_pipeline_tests.sources.helpers import (
    panelapp_au_files,
    panelapp_uk_files,
    resolve,
    seed_files,
)

CLINGEN_CSV = "raw/clingen/Clingen-Gene-Disease-Summary-2025-01-09.csv"


def _listing(files: dict[str, Path]) -> list[dict[str, Any]]:
    pages = [path for key, path in files.items() if "/page-" in key]
    return [panel for path in pages for panel in read_json("PanelApp", path.name, path)["results"]]


@pytest.fixture(scope="module")
def uk_files(real_data_dir: Path) -> dict[str, Path]:
    return panelapp_uk_files(real_data_dir)


@pytest.fixture(scope="module")
def parsed_sources(real_data_dir: Path, uk_files: dict[str, Path]) -> dict[str, ParsedEvidence]:
    """The four real sources whose files carry an HGNC id beside the symbol."""
    return {
        "PanelApp": panelapp.parse(uk_files),
        "ClinGen": clingen.parse({clingen.FILE_KEY: real_data_dir / CLINGEN_CSV}),
        "DiagnosticPanels": diagnostic_panels.parse(seed_files(real_data_dir, "diagnostic_panels")),
        "Literature": literature.parse(seed_files(real_data_dir, "literature")),
    }


@pytest.fixture(scope="module")
def approved_symbols(hgnc_complete_set: pd.DataFrame) -> set[str]:
    return set(hgnc_complete_set.loc[hgnc_complete_set["status"].eq("Approved"), "symbol"])


def test_panelapp_uk_panel_selection(uk_files: dict[str, Path], normaliser: GeneNormaliser) -> None:
    """Upstream searches the panel name for 18 keywords and keeps hits whose name (the UK listing
    has no description) holds a core term; we read the whole listing with the shared keyword
    rule on name, disease group, sub-group and relevant disorders."""
    listing = _listing(uk_files)
    ours = {int(p["id"]) for p in listing if panelapp.is_kidney_panel(p)}
    theirs = upstream.upstream_kidney_panel_ids(listing)

    assert len(listing) == 439
    # Upstream reads only the first page of each search; no keyword fills one, so it loses none.
    hits = [len(upstream.panel_search_hits(listing, k)) for k in upstream.PANEL_SEARCH_KEYWORDS]
    assert max(hits) < upstream.PANELAPP_PAGE_SIZE
    assert (len(theirs), len(ours)) == (18, 22)
    assert ours - theirs == {99, 139, 150, 314, 502, 728}  # haematuria, aHUS, ciliopathies, ...
    assert theirs - ours == {145, 1317}  # congenital adrenal hypoplasia / hyperplasia

    # Of the ten real panel details, 150 (rare multisystem ciliopathy) is kept by us alone.
    rows = resolve(panelapp.parse(uk_files).rows, normaliser)
    upstream_rows = rows[rows["panel_id"].isin(theirs)]
    gained = set(rows["hgnc_id"]) - set(upstream_rows["hgnc_id"])
    assert (rows["hgnc_id"].nunique(), upstream_rows["hgnc_id"].nunique()) == (281, 259)
    assert len(gained) == 22


def test_panelapp_australia_panel_selection(real_data_dir: Path) -> None:
    listing = _listing(panelapp_au_files(real_data_dir))
    ours = {int(p["id"]) for p in listing if panelapp.is_kidney_panel(p)}
    theirs = upstream.upstream_kidney_panel_ids(listing)

    assert len(listing) == 283
    assert (len(theirs), len(ours)) == (13, 22)
    # Bardet-Biedl, ciliopathies, Joubert, short-rib ciliopathy, hypertension and aldosterone,
    # amyloidosis, calcium and phosphate, aHUS/MPGN, fetal anomalies.
    assert ours - theirs == {53, 84, 129, 179, 190, 191, 192, 211, 3763}
    assert theirs - ours == set()


def _resolved_with_reported_id(
    rows: pd.DataFrame, symbol_only: pd.DataFrame, current_ids: set[str]
) -> pd.Series:
    """Our former rule, dropped for upstream's: a text that is not an approved symbol (or an
    HGNC id) resolves to the id the source reported, when that id is current."""
    reported = rows["reported_hgnc_id"].astype(str).str.extract(r"^(?:HGNC:)?(\d+)$")[0]
    reported = ("HGNC:" + reported).where(("HGNC:" + reported).isin(current_ids))
    direct = symbol_only["method"].isin(["approved_symbol", "hgnc_id"])
    return symbol_only["hgnc_id"].where(direct | reported.isna(), reported)


@pytest.mark.parametrize(
    ("source", "rows", "not_approved"),
    [
        ("PanelApp", 648, {"C21orf2", "C5orf42", "ICK", "TCTEX1D2", "WDR34", "WDR60"}),
        ("ClinGen", 139, set()),
        ("DiagnosticPanels", 3184, {"DRC2", "DRC4", "CPAP"}),
        ("Literature", 2993, set()),
    ],
)
def test_the_source_reported_hgnc_id_changes_no_real_row(
    parsed_sources: dict[str, ParsedEvidence],
    normaliser: GeneNormaliser,
    source: str,
    rows: int,
    not_approved: set[str],
) -> None:
    """Every real row carries an HGNC id; the symbols that are not approved symbols are unique
    previous or alias symbols of the very gene the id names, so symbol-only normalisation
    (upstream's, and ours now) and the reported-id rule agree on every row."""
    parsed = parsed_sources[source].rows.reset_index(drop=True)
    current = set(normaliser.approved_genes["hgnc_id"])
    symbol_only = normaliser.normalise(parsed[["symbol"]])
    with_id = _resolved_with_reported_id(parsed, symbol_only, current)

    assert len(parsed) == rows and parsed["reported_hgnc_id"].notna().all()
    renamed = symbol_only["method"].isin(["previous_symbol", "alias_symbol"])
    assert set(parsed.loc[renamed, "symbol"]) == not_approved
    assert (with_id.fillna("") != symbol_only["hgnc_id"].fillna("")).sum() == 0


@pytest.mark.parametrize(
    ("source", "symbols", "upstream_genes", "our_genes", "only_ours"),
    [
        (
            "DiagnosticPanels",
            966,
            961,
            964,
            {"DRC2": "alias_symbol", "DRC4": "alias_symbol", "CPAP": "alias_symbol"},
        ),
        ("Literature", 815, 814, 815, {"C21orf58": "case"}),
    ],
)
def test_gene_list_symbols_found_only_through_previous_symbols_or_case(
    parsed_sources: dict[str, ParsedEvidence],
    normaliser: GeneNormaliser,
    approved_symbols: set[str],
    source: str,
    symbols: int,
    upstream_genes: int,
    our_genes: int,
    only_ours: dict[str, str],
) -> None:
    """Upstream attaches a provider's or publication's gene only when the upper-cased symbol is
    an approved symbol; we resolve it through the normaliser (case, previous, alias)."""
    rows = parsed_sources[source].rows.reset_index(drop=True)
    decisions = normaliser.normalise(rows[["symbol", "reported_hgnc_id"]])
    exact = upstream.exact_symbol_matches(rows["symbol"], approved_symbols)
    ours = decisions["status"].eq("resolved")
    found = pd.DataFrame({"symbol": rows["symbol"], "approved": decisions["approved_symbol"]})
    gained = found[ours & ~exact].drop_duplicates("symbol")
    how = {
        s: "case" if s.upper() == a.upper() else decisions.loc[i, "method"]
        for i, s, a in gained.itertuples()
    }

    assert rows["symbol"].nunique() == symbols
    assert decisions.loc[exact, "hgnc_id"].nunique() == upstream_genes
    assert decisions.loc[ours, "hgnc_id"].nunique() == our_genes
    assert how == only_ours
    assert not (exact & ~ours).any()  # we lose nothing upstream finds


def test_clingen_takes_the_maximum_classification(
    parsed_sources: dict[str, ParsedEvidence], normaliser: GeneNormaliser
) -> None:
    """Upstream's view weighs the first element of a set turned into a list: for a gene with
    classifications of different weights the weight depends on the process's string hashing."""
    rows = resolve(parsed_sources["ClinGen"].rows, normaliser)
    evidence = clingen.aggregate(rows).set_index("hgnc_id")["evidence_data"]
    symbol_of = rows.drop_duplicates("hgnc_id").set_index("hgnc_id")["symbol"]
    ours = {g: upstream.clingen_weight(e["max_classification"]) for g, e in evidence.items()}
    possible = {
        g: upstream.possible_upstream_clingen_weights(e["classifications"])
        for g, e in evidence.items()
    }
    arbitrary = {symbol_of[g] for g, weights in possible.items() if len(weights) > 1}

    assert len(evidence) == 125
    assert all(ours[g] == max(possible[g]) for g in evidence.index)
    assert arbitrary == {"C3", "CD2AP", "CFB", "CFI", "DNAJB11", "NEK8", "NR3C2", "SLC34A1"}
    # Upstream's worst draw for them: SLC34A1 Definitive read as Disputed (1.0 -> 0.2).
    lowest = {symbol_of[g]: min(w) for g, w in possible.items() if len(w) > 1}
    assert lowest["SLC34A1"] == 0.2
    assert sum(ours[g] - min(possible[g]) for g in evidence.index) == pytest.approx(3.6)


def test_clingen_curations_of_other_expert_panels_with_kidney_diseases(
    real_data_dir: Path,
) -> None:
    """Upstream (678164b) downloads the five kidney GCEPs' curations only; we read the whole CSV
    and also keep a kidney disease curated by another GCEP (upstream adopted this later)."""
    table = pd.read_csv(real_data_dir / CLINGEN_CSV, skiprows=[0, 1, 2, 3, 5], dtype=str)
    table = table[table["GENE SYMBOL"].fillna("").ne("")]
    upstream_kidney = pd.Series(
        [
            upstream.upstream_clingen_kidney(disease, panel)
            for disease, panel in zip(
                table["DISEASE LABEL"].fillna(""), table["GCEP"].fillna(""), strict=True
            )
        ],
        index=table.index,
    )
    theirs = table[table["GCEP"].isin(clingen.KIDNEY_EXPERT_PANELS) & upstream_kidney]
    ours = table[clingen.kidney_mask(table["DISEASE LABEL"], table["GCEP"])]
    added = set(ours["GENE SYMBOL"]) - set(theirs["GENE SYMBOL"])

    assert len(table) == 2953
    assert (len(theirs), theirs["GENE SYMBOL"].nunique()) == (104, 91)
    assert (len(ours), ours["GENE SYMBOL"].nunique()) == (139, 125)
    assert set(theirs.index) <= set(ours.index)
    assert len(added) == 34 and {"COL4A5", "HNF1B", "EYA1", "OCRL", "PBX1"} <= added


def test_pubtator_keeps_hyphenated_symbols(real_data_dir: Path) -> None:
    """Upstream's `\\w+` symbol token fails on a hyphen and the whole mention is lost. The real
    PubTator samples name no hyphenated gene; the R predecessor's PubTator genes (2024) have 29,
    and a highlight tag of each loses all 29 upstream and none here."""
    pubtator = real_data_dir / "raw" / "pubtator"
    names: set[str] = set()
    for path in sorted(pubtator.glob("224*.json")):
        for article in json.loads(path.read_bytes())["PubTator3"]:
            for passage in article["passages"]:
                names |= {
                    a["infons"]["name"]
                    for a in passage["annotations"]
                    if a["infons"].get("type") == "Gene"
                }
    with gzip.open(real_data_dir / "r_v1" / "05_PubTator_genes.2024-05-14.csv.gz") as f:
        r_genes = pd.read_csv(f, dtype=str)["approved_symbol"]
    hyphenated = sorted(s for s in r_genes if "-" in s)
    text_hl = " ".join(f"@GENE_{s} @GENE_{n} @@@{s}@@@" for n, s in enumerate(hyphenated, 1))

    assert len(names) == 38 and not [n for n in names if "-" in n]
    assert len(r_genes) == 2165 and len(hyphenated) == 29
    assert {"HLA-DRB1", "MT-TL1", "NKX2-5"} & set(hyphenated) == {"HLA-DRB1", "MT-TL1"}
    assert upstream.upstream_highlight_symbols(text_hl) == []
    assert [m["name"] for m in GENE_MENTION.finditer(text_hl)] == hyphenated


def test_shared_aliases_are_ambiguous_never_guessed(
    parsed_sources: dict[str, ParsedEvidence],
    normaliser: GeneNormaliser,
    hgnc_complete_set: pd.DataFrame,
) -> None:
    """Upstream takes the HGNC search's first hit for an alias or previous symbol several genes
    share; we stage it with its candidates. No real evidence text is such a symbol today; the
    real HGNC set has this many of them."""
    approved = hgnc_complete_set[hgnc_complete_set["status"].eq("Approved")]
    shared = {}
    for column in ("alias_symbol", "prev_symbol"):
        pairs = approved[["hgnc_id", column]].explode(column).dropna()
        genes = pairs.groupby(pairs[column].str.upper())["hgnc_id"].nunique()
        shared[column] = int(genes.gt(1).sum())
    texts = pd.concat([p.rows[["symbol"]] for p in parsed_sources.values()], ignore_index=True)
    statuses = normaliser.normalise(texts.drop_duplicates())["status"]

    assert shared == {"alias_symbol": 1225, "prev_symbol": 85}
    assert statuses.eq("ambiguous").sum() == 0


def test_diagnostic_panel_providers_are_the_files_providers(
    parsed_sources: dict[str, ParsedEvidence], normaliser: GeneNormaliser
) -> None:
    """Upstream's `store_evidence` records its `source_detail` argument as a gene's provider, and
    its seeder passes one label for all nine files; we take each file's own provider."""
    rows = resolve(parsed_sources["DiagnosticPanels"].rows, normaliser)
    ours = diagnostic_panels.aggregate(rows)["evidence_data"].map(lambda e: e["provider_count"])
    theirs = upstream.seeded_providers(rows["file"].nunique())

    assert (len(ours), theirs) == (964, ["Seeded from 9 files"])
    assert int(ours.gt(1).sum()) == 558 and int(ours.max()) == 9
