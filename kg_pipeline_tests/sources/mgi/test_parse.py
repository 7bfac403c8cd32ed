"""MGI mouse phenotypes: the real HMD_HumanPhenotype.rpt, genotype lines in the layout of
MGI_GenePheno.rpt, an MP ontology built from the real kidney term list, and the agreement with
the R predecessor's per-gene MGI kidney phenotype.

No MP ontology file is available offline. The one written here puts upstream's 661 kidney term
ids (the descendants of MP:0005367) in a tree under MP:0005367 and every other MP id of the
report directly under the root, so "kidney" per the ontology must equal "in the 661 list".
No real MGI_GenePheno.rpt is available offline either: the genotype lines here are written
by hand in its layout (as mgi-link verified it) for real markers of the real report.
"""

from __future__ import annotations

import csv
import gzip
import json
import random
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from kg_pipeline.raw_files import SourceFormatError
from kg_pipeline.sources.annotations import ParsedAnnotations
from kg_pipeline.sources.mgi.parse import (
    GENEPHENO_KEY,
    KIDNEY_ROOT,
    ONTOLOGY_KEY,
    REPORT_KEY,
    annotate,
    read_mp_ontology,
    zygosity,
)
from kg_pipeline_tests.sources.annotation_helpers import (
    annotation,
    assert_contract,
    assert_same_output,
    check_then_load,
    fresh_copies,
    genes_frame,
)


@pytest.fixture(scope="module")
def report(real_data_dir: Path) -> Path:
    return real_data_dir / "raw" / "mgi" / "HMD_HumanPhenotype.rpt"


@pytest.fixture(scope="module")
def kidney_terms(real_data_dir: Path) -> frozenset[str]:
    """Upstream's 661 kidney MP term ids."""
    path = real_data_dir / "upstream_seed" / "mpo_kidney_terms.json"
    return frozenset(json.loads(path.read_text()))


def _report_rows(report: Path) -> list[list[str]]:
    with open(report, encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh, delimiter="\t"))


def _mp_ids(cell: str) -> set[str]:
    return {p.strip() for p in cell.split(",") if p.strip()}


def write_mp_obo(
    path: Path, kidney_terms: frozenset[str], report: Path, *, gzipped: bool = False
) -> Path:
    """An OBO file in the MP release's layout over the real kidney ids and the report's ids."""
    kidney = [KIDNEY_ROOT, *sorted(kidney_terms - {KIDNEY_ROOT})]
    others = sorted(set().union(*(_mp_ids(r[4]) for r in _report_rows(report))) - kidney_terms)
    stanzas = [
        "format-version: 1.2\ndata-version: releases/2024-12-03\nontology: mp\n",
        "[Term]\nid: MP:0000001\nname: mammalian phenotype\n",
        f"[Term]\nid: {KIDNEY_ROOT}\nname: renal/urinary system phenotype\n"
        'def: "the observable morphological and physiological characteristics" [MGI:csmith]\n'
        "is_a: MP:0000001 ! mammalian phenotype\n",
    ]
    for i, term in enumerate(kidney[1:], start=1):
        parent = kidney[(i - 1) // 2]  # a binary tree: depth ~10 below the root
        stanzas.append(f"[Term]\nid: {term}\nname: kidney term {term}\nis_a: {parent}\n")
    for term in others:
        stanzas.append(f"[Term]\nid: {term}\nname: other term {term}\nis_a: MP:0000001\n")
    stanzas.append("[Term]\nid: MP:9999999\nname: obsolete renal thing\nis_obsolete: true\n")
    stanzas.append("[Typedef]\nid: part_of\nname: part_of\nis_transitive: true\n")
    text = "\n".join(stanzas)
    path.write_bytes(gzip.compress(text.encode()) if gzipped else text.encode())
    return path


@pytest.fixture(scope="module")
def ontology_file(
    tmp_path_factory: pytest.TempPathFactory, kidney_terms: frozenset[str], report: Path
) -> Path:
    return write_mp_obo(tmp_path_factory.mktemp("mp") / "5d2c", kidney_terms, report, gzipped=True)


GENEPHENO = "".join(
    "\t".join(cells) + "\n"
    for cells in [
        # Pkd1 (MGI:97603): homozygous cysts, heterozygous hydronephrosis, a non-kidney term.
        ["Pkd1<tm1Jzh>/Pkd1<tm1Jzh>", "Pkd1<tm1Jzh>", "MGI:1857272",
         "involves: 129S4/SvJae * C57BL/6J", "MP:0003675", "9020845", "MGI:97603", "MGI:2175001"],
        ["Pkd1<tm1Jzh>/Pkd1<tm1Jzh>", "Pkd1<tm1Jzh>", "MGI:1857272",
         "involves: 129S4/SvJae * C57BL/6J", "MP:0003920", "9020845", "MGI:97603", "MGI:2175001"],
        ["Pkd1<tm1Jzh>/Pkd1<+>", "Pkd1<tm1Jzh>", "MGI:1857272", "C57BL/6J", "MP:0000519",
         "11387227|15198973", "MGI:97603", "MGI:2175002"],
        ["Pkd1<tm1Jzh>/Pkd1<+>", "Pkd1<tm1Jzh>", "MGI:1857272", "C57BL/6J", "MP:0000519",
         "11387227", "MGI:97603", "MGI:2175002"],
        # Umod (MGI:102674): a compound heterozygote counts as "ht"; an empty PubMed cell.
        ["Umod<tm1Xrw>/Umod<tm2Xrw>", "Umod<tm1Xrw>|Umod<tm2Xrw>", "MGI:3000001|MGI:3000002",
         "C57BL/6N", "MP:0002135", "", "MGI:102674", "MGI:2175003"],
        # Clcn5 (MGI:99486): X-linked, hemizygous: a kidney term, but neither hm nor ht.
        ["Clcn5<tm1Wbg>/Y", "Clcn5<tm1Wbg>", "MGI:2156088", "involves: 129P2/OlaHsd",
         "MP:0011470", "10612340", "MGI:99486", "MGI:2175004"],
        # Nphs2 (MGI:2157018): two loci, MGI's "complex"; and a trailing blank cell.
        ["Nphs2<tm1Ant>/Nphs2<tm1Ant> Tg(Pax8-rtTA2S*M2)1Koes/0",
         "Nphs2<tm1Ant>|Tg(Pax8-rtTA2S*M2)1Koes", "MGI:2388519|MGI:3773990", "C57BL/6J",
         "MP:0000534", "17823615", "MGI:2157018", "MGI:2175005", ""],
        # Both Abcb1 markers (MGI:97570, MGI:97568) in one line: both belong to ABCB1.
        ["Abcb1a<tm1Bor>/Abcb1a<tm1Bor>", "Abcb1a<tm1Bor>", "MGI:1857150", "FVB/N",
         "MP:0002135", "8612574", "MGI:97570|MGI:97568", "MGI:2175006"],
        # A marker that is no ortholog of our genes.
        ["Zz1<tm1>/Zz1<tm1>", "Zz1<tm1>", "MGI:9999998", "C57BL/6J", "MP:0003675", "1",
         "MGI:9999999", "MGI:2175007"],
    ]
)  # fmt: skip


def _genepheno(path: Path, text: str = GENEPHENO) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def genepheno(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _genepheno(tmp_path_factory.mktemp("genepheno") / "9c1e")


@pytest.fixture(scope="module")
def parsed(
    ontology_file: Path, report: Path, genepheno: Path, real_genes: pd.DataFrame
) -> ParsedAnnotations:
    files = {REPORT_KEY: report, GENEPHENO_KEY: genepheno, ONTOLOGY_KEY: ontology_file}
    return annotate(files, real_genes)


def test_the_ontology_reader_finds_the_661_kidney_terms(
    ontology_file: Path, kidney_terms: frozenset[str]
) -> None:
    ontology = read_mp_ontology(ontology_file)

    assert ontology.release == "2024-12-03"
    assert ontology.descendants(KIDNEY_ROOT) == kidney_terms
    assert ontology.names[KIDNEY_ROOT] == "renal/urinary system phenotype"
    assert "MP:9999999" not in ontology.names
    assert "part_of" not in ontology.names


@pytest.mark.parametrize(
    ("composition", "expected"),
    [
        ("Pkd1<tm1Jzh>/Pkd1<tm1Jzh>", "homozygous"),
        ("Pkd1<tm1Jzh>/Pkd1<+>", "heterozygous"),
        ("Pkd1<+>/Pkd1<tm1Jzh>", "heterozygous"),
        ("Pkd1<tm1Jzh>/Pkd1<tm2Jzh>", "compound_heterozygous"),
        ("Clcn5<tm1Wbg>/Y", "hemizygous"),
        ("Tg(Pkhd1-cre)1Pigu/0", "hemizygous"),
        # Slashes and brackets inside allele symbols are not pair separators.
        ("Gt(ROSA)26Sor<tm1(cre/ERT2)Tyj>/Gt(ROSA)26Sor<+>", "heterozygous"),
        ("Gt(ROSA)26Sor<tm1(cre/ERT2)Tyj>/Gt(ROSA)26Sor<tm1(cre/ERT2)Tyj>", "homozygous"),
        ("Nphs2<tm1Ant>/Nphs2<tm1Ant> Tg(Pax8-rtTA2S*M2)1Koes/0", "other"),
        ("Pkd1<tm1Jzh>/Pkd1<?>", "other"),
        ("Pkd1<tm1Jzh>", "other"),
        ("", "other"),
    ],
)
def test_zygosity_from_the_allelic_composition(composition: str, expected: str) -> None:
    assert zygosity(composition) == expected


def test_contract_and_counts(parsed: ParsedAnnotations) -> None:
    assert_contract(parsed)
    assert parsed.release == "2024-12-03"
    assert parsed.stats["rows_read"] == 29_597
    assert parsed.stats["genotype_rows_read"] == GENEPHENO.count("\n")
    assert parsed.stats["genotype_rows_matched"] == GENEPHENO.count("\n") - 1
    assert parsed.stats["genotype_rows_unmatched"] == 1
    assert parsed.stats["kidney_terms"] == 661
    assert parsed.rejects == []
    assert parsed.stats["genes_with_kidney_system"] > 1000
    assert parsed.stats["genes_with_kidney_genotypes"] == 5  # PKD1, UMOD, CLCN5, NPHS2, ABCB1


def test_values_equal_an_independent_reading_of_the_report(
    parsed: ParsedAnnotations, real_genes: pd.DataFrame, report: Path, kidney_terms: frozenset[str]
) -> None:
    genes = real_genes
    by_entrez: dict[str, list[list[str]]] = {}
    for row in _report_rows(report):
        by_entrez.setdefault(row[1], []).append(row)
    ours = genes[genes["entrez_id"].isin(by_entrez)]
    sample = ["PKD1", "PKD2", "UMOD", "AADACL4", "ABCB1", "A1BG"]
    sample += random.Random(29597).sample(sorted(ours["approved_symbol"]), 80)
    detailed = {"PKD1", "UMOD", "CLCN5", "NPHS2", "ABCB1"}
    for symbol in dict.fromkeys(sample):
        entrez = genes.loc[genes["approved_symbol"].eq(symbol), "entrez_id"].iloc[0]
        rows = by_entrez[entrez]
        systems = set().union(*(_mp_ids(r[4]) for r in rows))
        record = annotation(parsed, genes, symbol)

        assert record["kidney_system_phenotype"] is bool(systems & kidney_terms), symbol
        assert {(o["symbol"], o["mgi_id"]) for o in record["mouse_orthologs"]} == {
            (r[2], r[3]) for r in rows
        }
        if symbol not in detailed:  # no genotype line: only what the report says
            assert record["phenotype_count"] == record["kidney_phenotype_count"] == 0, symbol
            assert record["zygosity_analysis"]["summary"] == "hm (false); ht (false)"
            assert record["has_kidney_phenotype"] is record["kidney_system_phenotype"]


def test_detailed_kidney_terms_per_zygosity(
    parsed: ParsedAnnotations, real_genes: pd.DataFrame
) -> None:
    pkd1 = annotation(parsed, real_genes, "PKD1")
    assert pkd1["phenotype_count"] == 3  # MP:0003920 is no kidney term
    assert [t["id"] for t in pkd1["kidney_phenotypes"]] == ["MP:0000519", "MP:0003675"]
    assert pkd1["kidney_phenotypes"][1]["name"] == "kidney term MP:0003675"
    zygosity_analysis = pkd1["zygosity_analysis"]
    assert zygosity_analysis["summary"] == "hm (true); ht (true)"
    assert zygosity_analysis["homozygous"] == {
        "has_kidney_phenotype": True,
        "phenotype_count": 1,
        "phenotypes": [{"id": "MP:0003675", "name": "kidney term MP:0003675"}],
    }
    assert [t["id"] for t in zygosity_analysis["heterozygous"]["phenotypes"]] == ["MP:0000519"]
    assert pkd1["kidney_genotypes"] == [
        {
            "allelic_composition": "Pkd1<tm1Jzh>/Pkd1<+>",
            "genetic_background": "C57BL/6J",
            "zygosity": "heterozygous",
            "phenotypes": ["MP:0000519"],
            "pubmed_ids": ["11387227", "15198973"],
        },
        {
            "allelic_composition": "Pkd1<tm1Jzh>/Pkd1<tm1Jzh>",
            "genetic_background": "involves: 129S4/SvJae * C57BL/6J",
            "zygosity": "homozygous",
            "phenotypes": ["MP:0003675"],
            "pubmed_ids": ["9020845"],
        },
    ]
    umod = annotation(parsed, real_genes, "UMOD")
    assert umod["zygosity_analysis"]["summary"] == "hm (false); ht (true)"
    assert umod["kidney_genotypes"][0]["zygosity"] == "compound_heterozygous"
    assert umod["kidney_genotypes"][0]["pubmed_ids"] == []
    for symbol, kind in (("CLCN5", "hemizygous"), ("NPHS2", "other")):
        record = annotation(parsed, real_genes, symbol)
        assert record["zygosity_analysis"]["summary"] == "hm (false); ht (false)", symbol
        assert record["kidney_phenotype_count"] == 1 and record["has_kidney_phenotype"], symbol
        assert [g["zygosity"] for g in record["kidney_genotypes"]] == [kind], symbol
    abcb1 = annotation(parsed, real_genes, "ABCB1")
    assert abcb1["kidney_system_phenotype"] is False  # neither marker lists the renal system
    assert abcb1["has_kidney_phenotype"] is True  # but a genotype has a kidney term
    assert len(abcb1["kidney_genotypes"]) == 1  # one genotype, though listed for both markers


def test_pkd1_and_a_gene_with_several_orthologs(
    parsed: ParsedAnnotations, real_genes: pd.DataFrame
) -> None:
    genes = real_genes
    pkd1 = annotation(parsed, genes, "PKD1")
    assert pkd1["mouse_orthologs"] == [{"symbol": "Pkd1", "mgi_id": "MGI:97603"}]
    assert pkd1["kidney_system_phenotype"] is True
    abcb1 = annotation(parsed, genes, "ABCB1")
    assert [o["symbol"] for o in abcb1["mouse_orthologs"]] == ["Abcb1b", "Abcb1a"]  # MGI id order


def test_agreement_with_the_r_predecessor(
    parsed: ParsedAnnotations, real_genes: pd.DataFrame, real_data_dir: Path
) -> None:
    """The R run's per-gene MGI kidney phenotype ("hm (true); ht (false)", from MouseMine in
    2024-05) against what the real inputs here say: whether the report (2024-12) lists the
    renal/urinary system for a gene's orthologs. Without a real MGI_GenePheno.rpt the
    zygosity itself cannot be compared."""
    path = real_data_dir / "r_v1" / "merge_analyses_sources_high_evidence_mgi.2024-05-14.csv.gz"
    r = pd.read_csv(path, dtype=str, keep_default_na=False)
    gene_of = dict(zip(real_genes["hgnc_id"], real_genes["gene_id"], strict=True))
    pairs, r_without_answer, ortholog_without_answer = [], 0, 0
    for hgnc_id, summary in zip(r["hgnc_id"], r["mgi_phenotype"], strict=True):
        record = parsed.annotation(gene_of[f"HGNC:{hgnc_id}"])
        if summary == "hm (NA); ht (NA)":
            r_without_answer += 1
            ortholog_without_answer += record is not None
            continue
        if record is not None:
            pairs.append(("true" in summary, record["kidney_system_phenotype"]))
    agree = sum(a == b for a, b in pairs)
    table = Counter(pairs)
    print(f"R vs report: {agree} of {len(pairs)} agree ({agree / len(pairs):.1%}); {table}")

    assert len(r) == 603 and len(pairs) == 531
    assert agree / len(pairs) >= 0.85
    # Both kinds of disagreement occur (R and the report are seven months apart, and R's
    # MouseMine answer left out conditional genotypes the report's summary counts).
    assert table[(False, True)] > 0 and table[(True, False)] > 0
    # R had no answer for 71 genes; the report knows a mouse ortholog of nearly all of them.
    assert r_without_answer == 71 and ortholog_without_answer >= 65


def test_malformed_lines_are_rejected_and_symbols_are_the_fallback(
    tmp_path: Path, ontology_file: Path, genepheno: Path
) -> None:
    report = tmp_path / "rpt"
    report.write_text(
        "PKD1\t5310\tPkd1\tMGI:97603\tMP:0005367, MP:0003631\t\n"
        "pkd2\t\tPkd2\tMGI:97604\tMP:0002006\t\n"
        "UMOD\t7369\tUmod\tnot-an-id\tMP:0005367\t\n"
        "UMOD\t7369\tUmod\tMGI:98924\tMP:5367\t\n"
        "NPHS1\t4868\tNphs1\n"
        "NPHS2\t7827\tNphs2\tMGI:2157018\tMP:0005367\tMP:0003631\n"
        "OTHER\t1\tOther\tMGI:1\t\t\n",
        encoding="utf-8",
    )
    genes = genes_frame(
        (1, "PKD1", "5310", None), (2, "PKD2", "5311", None), (3, "UMOD", "7369", None)
    )
    files = {REPORT_KEY: report, GENEPHENO_KEY: genepheno, ONTOLOGY_KEY: ontology_file}
    parsed = annotate(files, genes)

    assert parsed.annotation(1)["kidney_system_phenotype"] is True
    assert parsed.annotation(1)["kidney_phenotype_count"] == 2  # from the genotype lines
    assert parsed.annotation(2)["has_kidney_phenotype"] is False
    assert parsed.annotation(3) is None
    assert parsed.stats["matched_by_symbol"] == 1
    assert parsed.rejects_by_reason() == {
        "malformed mouse ortholog (symbol, MGI id)": 1,
        "malformed MP id": 1,
        "too few tab-separated cells": 1,
        "more than 5 tab-separated cells": 1,
    }


def test_malformed_genotype_lines_are_rejected(
    tmp_path: Path, ontology_file: Path, report: Path
) -> None:
    good = ["Pkd1<tm1Jzh>/Pkd1<tm1Jzh>", "Pkd1<tm1Jzh>", "MGI:1857272", "C57BL/6J",
            "MP:0003675", "9020845", "MGI:97603", "MGI:2175001"]  # fmt: skip

    def line(**changes: str) -> str:
        cells = dict(enumerate(good))
        cells.update({int(k[1:]): v for k, v in changes.items()})
        return "\t".join(cells[i] for i in sorted(cells)) + "\n"

    text = (
        line()
        + "\t".join(good[:7]) + "\n"
        + line(c8="extra")
        + line(c0="")
        + line(c4="MP:3675")
        + line(c6="97603")
        + line(c6="")
        + line(c5="PMID:9020845")
        + "\n"
    )  # fmt: skip
    genes = genes_frame((1, "PKD1", "5310", None))
    files = {REPORT_KEY: report, GENEPHENO_KEY: _genepheno(tmp_path / "gp", text),
             ONTOLOGY_KEY: ontology_file}  # fmt: skip
    parsed = annotate(files, genes)

    assert parsed.rejects_by_reason() == {
        "too few tab-separated cells": 1,
        "more than 8 tab-separated cells": 1,
        "blank allelic composition": 1,
        "malformed MP id": 1,
        "malformed MGI marker id": 2,
        "malformed PubMed id": 1,
    }
    assert {r.where.split(":")[-1] for r in parsed.rejects} == {str(n) for n in range(2, 9)}
    assert parsed.stats["genotype_rows_read"] == 8
    assert parsed.annotation(1)["kidney_phenotype_count"] == 1  # the good line counts


def test_a_missing_or_empty_genotype_report_is_a_format_error(
    tmp_path: Path, ontology_file: Path, report: Path
) -> None:
    genes = genes_frame((1, "PKD1", "5310", None))
    with pytest.raises(SourceFormatError, match=r"MGI_GenePheno\.rpt: the file is missing"):
        annotate({REPORT_KEY: report, ONTOLOGY_KEY: ontology_file}, genes)
    empty = _genepheno(tmp_path / "gp", "\n")
    with pytest.raises(SourceFormatError, match="no genotype-phenotype lines"):
        annotate({REPORT_KEY: report, GENEPHENO_KEY: empty, ONTOLOGY_KEY: ontology_file}, genes)


def test_an_ontology_without_the_kidney_root_is_a_format_error(
    tmp_path: Path, report: Path, genepheno: Path
) -> None:
    obo = tmp_path / "obo"
    obo.write_text("format-version: 1.2\n\n[Term]\nid: MP:0000001\nname: mammalian phenotype\n")
    files = {REPORT_KEY: report, GENEPHENO_KEY: genepheno, ONTOLOGY_KEY: obo}
    with pytest.raises(SourceFormatError, match="kidney root MP:0005367"):
        annotate(files, genes_frame((1, "PKD1", "5310", None)))
    with pytest.raises(SourceFormatError, match="no Mammalian Phenotype"):
        obo.write_text("<html>captcha</html>\n")
        annotate(files, genes_frame((1, "PKD1", "5310", None)))


def test_the_load_reuses_the_checks_reads_and_gives_what_fresh_reads_give(
    tmp_path: Path, ontology_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # PKD1 has two mouse markers whose lines interleave: genotype MGI:3 first comes with
    # composition A (through MGI:97699), then with B (through MGI:97603); G2 and MGI:3 tie on
    # composition and background. A marker of no gene of ours comes first, junk in between.
    report = tmp_path / "rpt"
    report.write_text(
        "PKD1\t5310\tPkd1\tMGI:97603\tMP:0005367\t\n"
        "UMOD\t7369\tUmod\tnot-an-id\tMP:0005367\t\n"
        "PKD1\t5310\tPkd1b\tMGI:97699\tMP:0002006\t\n"
        "NPHS1\t4868\tNphs1\n",
        encoding="utf-8",
    )

    def line(composition: str, mp: str, marker: str, genotype: str, *rest: str) -> str:
        cells = [composition, "a", "MGI:1", "B6", mp, "1", marker, genotype, *rest]
        return "\t".join(cells) + "\n"

    text = (
        line("Zz<1>/Zz<1>", "MP:0003675", "MGI:9999999", "MGI:9")
        + line("A<1>/A<1>", "MP:0003675", "MGI:97603", "MGI:2")
        + line("", "MP:0003675", "MGI:97603", "MGI:4")
        + line("A<1>/A<1>", "MP:0000519", "MGI:97699", "MGI:3")
        + line("A<1>/A<+>", "MP:0003675", "MGI:97603", "MGI:3")
        + line("A<1>/A<1>", "MP:0003920", "MGI:97603", "MGI:5", "extra")
        + line("A<1>/A<1>", "MP:0003920", "97603", "MGI:5")
    )
    files = {
        REPORT_KEY: report,
        GENEPHENO_KEY: _genepheno(tmp_path / "gp", text),
        ONTOLOGY_KEY: ontology_file,
    }
    genes = genes_frame((1, "PKD1", "5310", None), (2, "UMOD", "7369", None))

    parsed, reads = check_then_load(annotate, files, genes, monkeypatch)

    assert reads[REPORT_KEY] == reads[GENEPHENO_KEY] == 1
    assert_same_output(parsed, annotate(fresh_copies(files, tmp_path / "fresh"), genes))
    genotypes = parsed.annotation(1)["kidney_genotypes"]
    assert [g["allelic_composition"] for g in genotypes] == ["A<1>/A<1>", "A<1>/A<1>"]
    assert [g["phenotypes"] for g in genotypes] == [["MP:0003675"], ["MP:0000519", "MP:0003675"]]
    assert list(parsed.stats)[4:8] == [
        "matched_by_entrez",
        "genotype_rows_read",
        "genotype_rows_unmatched",
        "genotype_rows_matched",
    ]
