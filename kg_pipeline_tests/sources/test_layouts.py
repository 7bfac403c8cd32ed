"""A file in a layout its parser does not read is refused by the parser, in one line naming the
file and the layout it expected, never read as zero rows (issue 13, item 5).

For every tabular file of every source: a small file in the layout the parser reads (it must
parse), the same file with another delimiter, and the same file with another release's columns
(its required columns renamed or missing).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from kg_pipeline.raw_files import SourceFormatError
from kg_pipeline.sources import annotations
from kg_pipeline.sources.clingen import parse as clingen
from kg_pipeline.sources.clinvar import parse as clinvar
from kg_pipeline.sources.descartes import parse as descartes
from kg_pipeline.sources.gencc import parse as gencc
from kg_pipeline.sources.gnomad import parse as gnomad
from kg_pipeline.sources.gtex import parse as gtex
from kg_pipeline.sources.hgnc import parse as hgnc
from kg_pipeline.sources.hpo import parse as hpo
from kg_pipeline.sources.mgi import parse as mgi
from kg_pipeline.sources.string import parse as string

GENES = pd.DataFrame(
    {
        "gene_id": [1, 2],
        "hgnc_id": ["HGNC:9008", "HGNC:9009"],
        "approved_symbol": ["PKD1", "PKD2"],
        "entrez_id": ["5310", "5311"],
        "ensembl_gene_id": ["ENSG00000008710", "ENSG00000118762"],
    }
)


def _collector(source: str) -> annotations.AnnotationCollector:
    return annotations.AnnotationCollector(source, annotations.GeneIndex(GENES))


@dataclass(frozen=True)
class Layout:
    key: str
    text: str
    """A valid file in the layout the parser reads."""
    delimiter: str
    other_delimiter: str
    renamed: dict[str, str]
    """Header texts another release names differently (or lacks)."""
    read: Callable[[Path], Any]


_CLINGEN_BANNER = (
    '"CLINGEN GENE DISEASE VALIDITY CURATIONS"\n"FILE CREATED: 2026-03-01"\n"+++","+++"\n'
)
_V4 = [*gnomad.ID_COLUMNS, *gnomad.V4_METRICS.values()]

LAYOUTS: dict[str, Layout] = {
    "clingen": Layout(
        clingen.FILE_KEY,
        _CLINGEN_BANNER + '"GENE SYMBOL","GENE ID (HGNC)","DISEASE LABEL","CLASSIFICATION",'
        '"GCEP"\n"+++","+++"\n"PKD1","HGNC:9008","polycystic kidney disease","Definitive",'
        '"Glomerulopathy Gene Curation Expert Panel"\n',
        ",",
        "\t",
        {'"CLASSIFICATION"': '"CLASSIFICATION TITLE"'},
        lambda p: clingen.parse({clingen.FILE_KEY: p}),
    ),
    "gencc": Layout(
        gencc.FILE_KEY,
        "sgc_id\tgene_symbol\tclassification_title\tdisease_title\n"
        "SGC-1\tPKD1\tDefinitive\tpolycystic kidney disease\n",
        "\t",
        ";",
        {"gene_symbol": "gene", "classification_title": "classification"},
        lambda p: gencc.parse({gencc.FILE_KEY: p}),
    ),
    "hpo": Layout(
        hpo.GENES_KEY,
        "ncbi_gene_id\tgene_symbol\thpo_id\thpo_name\tfrequency\tdisease_id\n"
        "5310\tPKD1\tHP:0000107\tRenal cyst\t-\tOMIM:173900\n",
        "\t",
        ",",
        {"gene_symbol": "symbol"},
        lambda p: hpo._read_tsv(hpo.GENES_KEY, p.read_bytes(), hpo._GENE_COLUMNS),
    ),
    "hgnc": Layout(
        hgnc.FILE_KEY,
        "\t".join(hgnc.COMPLETE_SET_COLUMNS)
        + "\n"
        + "\t".join(
            {"hgnc_id": "HGNC:9008", "symbol": "PKD1", "status": "Approved"}.get(c, "")
            for c in hgnc.COMPLETE_SET_COLUMNS
        )
        + "\n",
        "\t",
        ",",
        {"\tsymbol\t": "\tapproved_symbol\t"},
        lambda p: hgnc.parse_complete_set(p),
    ),
    "gnomad": Layout(
        gnomad.FILE_KEY,
        "\t".join(_V4) + "\nPKD1\tENST1\t" + "\t".join("0.5" for _ in gnomad.V4_METRICS) + "\n",
        "\t",
        ",",
        {"lof.pLI": "pLI_score", "lof.oe\t": "oe_lof_new\t"},
        lambda p: gnomad.annotate({gnomad.FILE_KEY: p}, GENES),
    ),
    "gtex": Layout(
        gtex.FILE_KEY,
        "#1.2\n1\t2\nName\tDescription\tKidney - Cortex\tLiver\nENSG00000008710.1\tPKD1\t1.5\t2\n",
        "\t",
        ",",
        {"Name\tDescription": "gene_id\tgene_name"},
        lambda p: gtex.annotate({gtex.FILE_KEY: p}, GENES),
    ),
    "descartes": Layout(
        descartes.TPM_KEY,
        "gene,value\nPKD1,1.5\nPKD2,2.5\n",
        ",",
        "\t",
        {",value": ",tpm,percentage", "1.5": "1.5,3", "2.5": "2.5,4"},
        lambda p: descartes.annotate({k: p for k in descartes.TABLES}, GENES),
    ),
    "clinvar": Layout(
        clinvar.GENE_SUMMARY_KEY,
        "#Overview of number of submissions by gene, dated November 7, 2021\n"
        "#" + "\t".join(clinvar.GENE_SUMMARY_REQUIRED) + "\nPKD1\t5310\t3\t2\t1\n",
        "\t",
        ",",
        {"Total_alleles": "Alleles_total"},
        lambda p: clinvar.annotate({clinvar.GENE_SUMMARY_KEY: p}, GENES),
    ),
    "mgi-report": Layout(
        mgi.REPORT_KEY,
        "PKD1\t5310\tPkd1\tMGI:97603\tMP:0005367, MP:0005369\t\n",
        "\t",
        ",",
        {"\tMGI:97603": ""},  # an older report without the marker id
        mgi.read_orthologs,
    ),
    "mgi-genotypes": Layout(
        mgi.GENEPHENO_KEY,
        "Pkd1<tm1>/Pkd1<tm1>\tPkd1<tm1>\tMGI:1\tB6\tMP:0005367\t123\tMGI:97603\tMGI:2\n",
        "\t",
        ",",
        {"\tB6": ""},
        lambda p: mgi.read_genotype_lines(p, frozenset({"MP:0005367"})),
    ),
    "string-info": Layout(
        string.INFO_KEY,
        "#string_protein_id\tpreferred_name\tprotein_size\tannotation\n"
        "9606.ENSP1\tPKD1\t100\tpolycystin\n",
        "\t",
        ",",
        {"preferred_name": "name"},
        lambda p: string.read_proteins(p, _collector(string.SOURCE)),
    ),
    "string-links": Layout(
        string.LINKS_KEYS["physical"],
        "protein1 protein2 combined_score\n9606.ENSP1 9606.ENSP2 900\n",
        " ",
        ",",
        {"combined_score": "score"},
        lambda p: string.read_links(
            p, {"9606.ENSP1": 1, "9606.ENSP2": 2}, collector=_collector(string.SOURCE)
        ),
    ),
}


def _variants(layout: Layout) -> dict[str, str]:
    renamed = layout.text
    for old, new in layout.renamed.items():
        assert old in renamed, old
        renamed = renamed.replace(old, new)
    return {
        "another delimiter": layout.text.replace(layout.delimiter, layout.other_delimiter),
        "another release's columns": renamed,
    }


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_a_file_in_another_layout_is_refused_naming_the_file_and_the_layout(
    name: str, tmp_path: Path
) -> None:
    layout = LAYOUTS[name]
    path = tmp_path / "file"
    path.write_text(layout.text)
    layout.read(path)  # the layout it reads: no error
    for variant, text in _variants(layout).items():
        path.write_text(text)
        with pytest.raises(SourceFormatError) as raised:
            layout.read(path)
        message = str(raised.value)
        assert message.splitlines() == [message], (variant, message)
        assert f"cannot parse {layout.key}: not the layout expected (" in message, (
            variant,
            message,
        )
