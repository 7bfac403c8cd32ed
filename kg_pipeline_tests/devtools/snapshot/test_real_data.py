"""The real-data snapshot: real files unchanged, R-derived files carrying the R values."""

from __future__ import annotations

import csv
import gzip
import json
import re
from collections import defaultdict
from pathlib import Path

import pandas as pd

from kg_pipeline.devtools.snapshot.gtex import TISSUES
from kg_pipeline.sources.diagnostic_panels.upstream import PROVIDERS as DIAGNOSTIC_PANEL_PROVIDERS
from kg_pipeline.sources.literature.upstream import PMIDS as LITERATURE_PMIDS
from kg_pipeline_tests.devtools.snapshot.conftest import Snapshot
from kg_pipeline_tests.devtools.snapshot.readers import gencc_rows

R_DATE = "2024-05-14"


def _r(real_data_dir: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(
        real_data_dir / f"r_v1/{name}.{R_DATE}.csv.gz", dtype=str, keep_default_na=False
    )


def _symbols_by_hgnc_id(snapshot: Snapshot) -> dict[str, str]:
    out = {}
    with snapshot.path("hgnc/hgnc_complete_set.txt").open(encoding="utf-8") as fh:
        next(fh)
        for line in fh:
            cols = line.split("\t", 2)
            out[cols[0].removeprefix("HGNC:")] = cols[1]
    return out


def test_real_files_are_copied_unchanged(real_snapshot: Snapshot, real_data_dir: Path) -> None:
    raw = real_data_dir / "raw"
    pairs = {
        "clingen/kb/gene-validity/download": next((raw / "clingen").glob("*.csv")),
        "clinvar/gene_specific_summary.txt": raw / "clinvar/gene_specific_summary.txt",
        "mgi/HMD_HumanPhenotype.rpt": raw / "mgi/HMD_HumanPhenotype.rpt",
        "string/protein.info.v12.0/9606.protein.info.v12.0.txt.gz": (
            raw / "string/9606.protein.info.v12.0.txt.gz"
        ),
    }
    for n in range(1, 6):
        pairs[f"panelapp_uk/api/v1/panels/page-{n}"] = raw / f"panelapp_uk/ge_panels_page_{n}.json"
    for path in (raw / "panelapp_uk/panels").glob("panel_*.json"):
        pairs[f"panelapp_uk/api/v1/panels/{path.stem.split('_')[1]}"] = path
    seed = real_data_dir / "upstream_seed/seed"
    for p in DIAGNOSTIC_PANEL_PROVIDERS:
        pairs[f"diagnostic_panels/{p}.json"] = seed / f"diagnostic_panels/{p}.json"
    for pmid in LITERATURE_PMIDS:
        pairs[f"literature/literature_pmid_{pmid}.json"] = (
            seed / f"literature/literature_pmid_{pmid}.json"
        )
    entries = real_snapshot.manifest.by_file()
    for rel, source in pairs.items():
        assert real_snapshot.path(rel).read_bytes() == source.read_bytes(), rel
        assert entries[rel].origin == "real", rel
    hgnc = real_snapshot.path("hgnc/hgnc_complete_set.txt").read_bytes()
    assert hgnc == gzip.decompress((raw / "hgnc/hgnc_complete_set.txt.gz").read_bytes())
    assert entries["hgnc/hgnc_complete_set.txt"].origin == "real"
    assert entries["clingen/kb/gene-validity/download"].release == "2025-01-09"
    assert entries["clinvar/gene_specific_summary.txt"].release == "2021-11-07"


def test_origins_are_recorded_honestly(real_snapshot: Snapshot) -> None:
    origin = {e.file: e.origin for e in real_snapshot.manifest.entries}
    derived = [
        "gencc/download/action/submissions-export-tsv?format=new",
        "gnomad/gnomad.v4.1.constraint_metrics.tsv",
        "gtex/GTEx_Analysis_2017-06-05_v8_RNASeQCv1.1.9_gene_median_tpm.gct.gz",
        "descartes/tissue_tpm/kidney.csv",
        "string/protein.physical.links.v12.0/9606.protein.physical.links.v12.0.txt.gz",
        "mgi/MGI_GenePheno.rpt",
        "mgi/MPheno_OBO.ontology",
        "pubtator/search/page-1",
        "panelapp_au/api/v1/panels/page-1",
        "panelapp_uk/api/v1/panels/487",  # R genes, no real detail file
        "panelapp_uk/api/v1/panels/902",  # an R superpanel the listing no longer has
    ]
    assert {f: origin[f] for f in derived} == dict.fromkeys(derived, "derived-from-real")
    assert origin["descartes/tissue_percentage/kidney.csv"] == "synthetic"
    assert all(o == "real" for f, o in origin.items() if f.startswith("hpo/"))
    assert all(origin[f] == "derived-from-real" for f in origin if f.startswith("pubtator/"))
    assert set(origin.values()) == {"real", "derived-from-real", "synthetic"}


def test_gnomad_canonical_rows_carry_the_r_values(
    real_snapshot: Snapshot, real_data_dir: Path
) -> None:
    symbol_of = _symbols_by_hgnc_id(real_snapshot)
    with real_snapshot.path("gnomad/gnomad.v4.1.constraint_metrics.tsv").open() as fh:
        rows = list(csv.reader(fh, delimiter="\t"))
    col = {c: i for i, c in enumerate(rows[0])}
    canonical = {r[0]: r for r in rows[1:] if r[col["canonical"]] == "true"}
    checked = 0
    for row in _r(real_data_dir, "C_high_evidence_annotated_csv_table").to_dict("records"):
        symbol = symbol_of[row["hgnc_id"]]
        if row["pLI"] == "NULL":
            assert symbol not in canonical  # R had no constraint values
            continue
        got = canonical[symbol]
        assert got[col["lof.pLI"]] == row["pLI"], symbol
        assert got[col["lof.oe"]] == row["oe_lof"], symbol
        assert got[col["lof.z_score"]] == row["lof_z"], symbol
        assert got[col["mis.z_score"]] == row["mis_z"], symbol
        checked += 1
    assert checked > 400
    # X-linked kidney genes the R run had values for (it had none for CLCN5).
    assert {s: canonical[s][col["chromosome"]] for s in ("COL4A5", "OCRL")} == {
        "COL4A5": "chrX",
        "OCRL": "chrX",
    }


def test_gtex_and_descartes_carry_the_r_values(
    real_snapshot: Snapshot, real_data_dir: Path
) -> None:
    symbol_of = _symbols_by_hgnc_id(real_snapshot)
    gct = gzip.decompress(
        real_snapshot.path(
            "gtex/GTEx_Analysis_2017-06-05_v8_RNASeQCv1.1.9_gene_median_tpm.gct.gz"
        ).read_bytes()
    ).decode()
    cortex = 2 + TISSUES.index("Kidney - Cortex")
    medulla = 2 + TISSUES.index("Kidney - Medulla")
    gtex: dict[str, list[str]] = {}
    for line in gct.splitlines()[3:]:
        cols = line.split("\t")
        if not cols[0].endswith("_PAR_Y"):
            gtex.setdefault(cols[1], cols)
    tpm = dict(
        line.split(",", 1)
        for line in real_snapshot.path("descartes/tissue_tpm/kidney.csv").read_text().splitlines()
    )
    checked = 0
    for row in _r(real_data_dir, "merge_analyses_sources_high_evidence_expression").to_dict(
        "records"
    ):
        symbol = symbol_of[row["hgnc_id"]]
        if row["gtex_kidney_cortex"] != "NULL":
            assert gtex[symbol][cortex] == row["gtex_kidney_cortex"], symbol
            assert gtex[symbol][medulla] == row["gtex_kidney_medulla"], symbol
            checked += 1
        if row["descartes_kidney_tpm"] != "NULL":
            assert tpm[symbol] == row["descartes_kidney_tpm"], symbol
    assert checked > 550


def test_string_links_contain_the_r_partners(real_snapshot: Snapshot, real_data_dir: Path) -> None:
    symbol_of = _symbols_by_hgnc_id(real_snapshot)
    info = gzip.decompress(
        real_snapshot.path("string/protein.info.v12.0/9606.protein.info.v12.0.txt.gz").read_bytes()
    ).decode()
    protein_of = {cols[1]: cols[0] for cols in (line.split("\t") for line in info.splitlines()[1:])}
    links: dict[str, dict[str, int]] = defaultdict(dict)
    text = gzip.decompress(
        real_snapshot.path(
            "string/protein.physical.links.v12.0/9606.protein.physical.links.v12.0.txt.gz"
        ).read_bytes()
    ).decode()
    for line in text.splitlines()[1:]:
        a, b, score = line.split(" ")
        links[a][b] = int(score)

    def holds(protein: str, partners: dict[str, int]) -> bool:
        return all(
            links[protein].get(p) == s and links[p].get(protein) == s for p, s in partners.items()
        )

    checked, elsewhere = 0, []
    for row in _r(real_data_dir, "merge_analyses_sources_high_evidence_string").to_dict("records"):
        if row["stringdb_interaction_string"] == "NULL":
            continue
        symbol = symbol_of[row["hgnc_id"]]
        partners = {
            partner: int(score)
            for partner, score in (
                item.rsplit(":", 1) for item in row["stringdb_interaction_string"].split(", ")
            )
        }
        me = protein_of.get(symbol)
        if me is None or not holds(me, partners):
            # The real info file names the gene's protein otherwise (before an HGNC rename,
            # or R's lists belong to another protein of the gene): the links are elsewhere.
            assert any(holds(p, partners) for p in links), symbol
            elsewhere.append(symbol)
            continue
        checked += len(partners)
    assert checked > 4_000
    assert len(elsewhere) <= 10, elsewhere


def test_panelapp_details_hold_the_r_genes(real_snapshot: Snapshot, real_data_dir: Path) -> None:
    genes = _r(real_data_dir, "01_PanelApp_genes")
    panels = _r(real_data_dir, "01_PanelApp_panels")
    expected: dict[tuple[str, int], dict[str, str]] = defaultdict(dict)
    confidence = {"Green": "3", "Amber": "2", "Red": "1"}
    source_of = {int(r["id"]): r["panel_source"] for r in panels.to_dict("records")}
    for row in genes.to_dict("records"):
        for part in row["source"].split(" | "):
            m = re.search(r"\(id=(\d+), version=[^,]+, confidence=(\w+)\)$", part)
            assert m
            pid = int(m.group(1))
            key = "panelapp_uk" if source_of[pid] == "panelapp_uk" else "panelapp_au"
            expected[(key, pid)][row["gene_name_reported"]] = confidence[m.group(2)]
    real_details = {
        int(p.stem.split("_")[1]) for p in (real_data_dir / "raw/panelapp_uk/panels").glob("*.json")
    }
    checked = 0
    for (key, pid), want in expected.items():
        if key == "panelapp_uk" and pid in real_details:
            continue  # the real (newer) detail file is used as is
        detail = json.loads(real_snapshot.path(f"{key}/api/v1/panels/{pid}").read_bytes())
        got = {g["gene_data"]["gene_symbol"]: g["confidence_level"] for g in detail["genes"]}
        assert got == want, (key, pid)
        checked += 1
    assert checked >= 19  # 7 UK panels without real details, 2 superpanels, 12 AU panels - 2
    listing = json.loads(real_snapshot.path("panelapp_au/api/v1/panels/page-1").read_bytes())
    assert listing["count"] > 100 and listing["next"].endswith("?page=2")


def test_pubtator_pages_hold_the_r_pmids(real_snapshot: Snapshot, real_data_dir: Path) -> None:
    expected: dict[int, set[str]] = defaultdict(set)
    for row in _r(real_data_dir, "05_PubTator_genes").to_dict("records"):
        for item in row["source"].split(" | "):
            expected[int(item.removeprefix("PMID_"))].add(row["approved_symbol"])
    got: dict[int, set[str]] = {}
    page = 1
    while real_snapshot.path(f"pubtator/search/page-{page}").is_file():
        body = json.loads(real_snapshot.path(f"pubtator/search/page-{page}").read_bytes())
        assert body["current"] == page and body["page_size"] == 10
        for result in body["results"]:
            # Highlight marks may wrap a tag; a tag may carry a second id.
            text = re.sub("</?m>", "", result["text_hl"])
            got[result["pmid"]] = set(re.findall(r"@GENE_(\S+) @GENE_[\d;]+ @@@", text))
        page += 1
    assert got == expected


def test_the_real_gencc_rows_are_in_the_new_export(
    real_snapshot: Snapshot, real_data_dir: Path
) -> None:
    """The real export (the legacy layout here) is moved to the new columns by name."""
    with (real_data_dir / "raw/gencc/gencc-submissions.sample.tsv").open(encoding="utf-8") as fh:
        real = list(csv.DictReader(fh, delimiter="\t"))
    rows = gencc_rows(real_snapshot.root)
    assert len(rows) > 2_000  # plus the rows derived from the R summaries
    for submission in real:
        uuid = submission.pop("uuid")
        matches = [r for r in rows if all(r[c] == v for c, v in submission.items())]
        assert len(matches) == 1, uuid
        assert re.fullmatch(r"SGC-\d+", matches[0]["sgc_id"])
        assert matches[0]["version_number"] == "1"


def test_mgi_genotypes_carry_the_r_zygosity(real_snapshot: Snapshot, real_data_dir: Path) -> None:
    """For the R genes, the derived genotype report has kidney terms on homozygous and
    heterozygous genotypes exactly as R's "hm (x); ht (y)" says (read here independently:
    `A/A` homozygous, `A/B` heterozygous, anything else neither)."""
    symbol_of = _symbols_by_hgnc_id(real_snapshot)
    kidney = set(json.loads((real_data_dir / "upstream_seed/mpo_kidney_terms.json").read_text()))
    markers: dict[str, set[str]] = defaultdict(set)  # human symbol -> MGI marker ids
    for line in real_snapshot.path("mgi/HMD_HumanPhenotype.rpt").read_text().splitlines():
        cols = line.split("\t")
        markers[cols[0]].add(cols[3])
    kinds: dict[str, set[str]] = defaultdict(set)  # marker -> zygosities with a kidney term
    for line in real_snapshot.path("mgi/MGI_GenePheno.rpt").read_text().splitlines():
        cols = line.split("\t")
        assert len(cols) == 8, line
        if cols[4] in kidney:
            first, _, second = cols[0].partition("/")
            kind = "hm" if first == second else "ht" if "<" in second else "other"
            kinds[cols[6]].add(kind)
    checked = 0
    for row in _r(real_data_dir, "C_high_evidence_annotated_csv_table").to_dict("records"):
        symbol = symbol_of[row["hgnc_id"]]
        if row["mgi_phenotype"] == "hm (NA); ht (NA)" or not markers.get(symbol):
            continue
        found = set().union(*(kinds[m] for m in markers[symbol]))
        summary = f"hm ({str('hm' in found).lower()}); ht ({str('ht' in found).lower()})"
        assert summary == row["mgi_phenotype"], symbol
        assert "other" not in found, symbol
        checked += 1
    assert checked > 500
