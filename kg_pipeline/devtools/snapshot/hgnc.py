"""HGNC complete set: `hgnc/hgnc_complete_set.txt`, the real one or a synthetic one.

Real mode decompresses the real download unchanged. Synthetic mode renders the gene universe
in the same 54-column layout, with HGNC's conventions: `|`-joined multi-values wrapped in
double quotes, `mane_select` always quoted (it is an ENST|NM pair), empty `location_sortable`
(the column is kept but no longer filled), and a few "Entry Withdrawn" rows.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from kg_pipeline.devtools.snapshot.context import SnapshotContext
from kg_pipeline.devtools.snapshot.names import pick, rint
from kg_pipeline.devtools.snapshot.universe import PROTEIN_CODING, Gene, GeneUniverse
from kg_pipeline.sources.hgnc.parse import COMPLETE_SET_COLUMNS
from kg_pipeline.sources.hgnc.upstream import HGNC

(RELPATH,) = HGNC.files
FORMAT = "hgnc-complete-set-tsv"


# Gene groups by symbol prefix, for the families the synthetic symbols follow.
_PREFIX_GROUPS: tuple[tuple[str, str, int], ...] = (
    ("ZNF", "Zinc fingers C2H2-type", 28),
    ("SLC", "Solute carriers", 752),
    ("TMEM", "Transmembrane proteins", 1290),
    ("CCDC", "Coiled-coil domain containing", 1291),
    ("FAM", "Families with sequence similarity", 1305),
    ("ANKRD", "Ankyrin repeat domain containing", 403),
    ("LRRC", "Leucine rich repeat containing", 390),
    ("WDR", "WD repeat domain containing", 362),
    ("TRIM", "Tripartite motif family", 59),
    ("RNF", "Ring finger proteins", 58),
    ("USP", "Ubiquitin specific peptidases", 366),
    ("KLHL", "Kelch like family", 617),
    ("MRPL", "Mitochondrial ribosomal proteins", 646),
    ("MRPS", "Mitochondrial ribosomal proteins", 646),
    ("OR", "Olfactory receptors", 141),
    ("KRTAP", "Keratin associated proteins", 619),
    ("CFAP", "Cilia and flagella associated", 1491),
    ("GPR", "G protein-coupled receptors, Class A orphans", 262),
    ("LINC", "Long intergenic non-protein coding RNAs", 1984),
    ("MIR", "MicroRNAs", 476),
    ("SNORD", "Small nucleolar RNAs, C/D box", 1217),
    ("SNORA", "Small nucleolar RNAs, H/ACA box", 1218),
    ("RPL", "L ribosomal proteins", 729),
    ("RPS", "S ribosomal proteins", 728),
)
_GENERIC_GROUPS: tuple[tuple[str, int], ...] = (
    ("Intraflagellar transport proteins", 615),
    ("Collagens", 490),
    ("Potassium voltage-gated channels", 274),
    ("Claudins", 1216),
    ("Nephronophthisis proteins", 1599),
    ("Complement system", 492),
    ("ATP binding cassette subfamily C", 807),
    ("Fibronectin type III domain containing", 555),
    ("Immunoglobulin like domain containing", 594),
    ("PDZ domain containing", 1220),
    ("Pleckstrin homology domain containing", 682),
    ("EF-hand domain containing", 863),
    ("Protein phosphatase 1 regulatory subunits", 694),
    ("BTB domain containing", 861),
    ("SH2 domain containing", 741),
    ("Basic helix-loop-helix proteins", 420),
    ("Homeoboxes", 516),
    ("Ion channels", 177),
    ("Kinases", 1020),
    ("Antisense RNAs", 1987),
)


def _join(values: list[str]) -> str:
    """HGNC's multi-value cell: one value bare, several `|`-joined inside double quotes."""
    if not values:
        return ""
    if len(values) == 1:
        return values[0]
    return '"' + "|".join(values) + '"'


def _date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rint(rng, 0, max(0, (end - start).days)))


def _synthetic_row(rng: random.Random, g: Gene, gencc: bool) -> list[str]:
    values = dict.fromkeys(COMPLETE_SET_COLUMNS, "")
    values.update(
        hgnc_id=g.hgnc_id,
        symbol=g.symbol,
        name=g.name,
        locus_group=g.locus_group,
        locus_type=g.locus_type,
        status=g.status,
    )
    if not g.is_approved:
        approved = _date(rng, dt.date(1988, 1, 1), dt.date(2012, 12, 31))
        values["date_approved_reserved"] = approved.isoformat()
        values["date_modified"] = _date(rng, approved, dt.date(2016, 12, 31)).isoformat()
        return [values[c] for c in COMPLETE_SET_COLUMNS]

    coding = g.locus_group == PROTEIN_CODING
    approved = _date(rng, dt.date(1986, 1, 1), dt.date(2024, 6, 30))
    modified = _date(rng, approved, dt.date(2025, 1, 10))
    groups: list[tuple[str, int]] = [
        (name, gid) for prefix, name, gid in _PREFIX_GROUPS if g.symbol.startswith(prefix)
    ][:1]
    if rng.random() < (0.45 if coding else 0.2):
        groups.append(pick(rng, _GENERIC_GROUPS))
    if groups and rng.random() < 0.12:
        extra = pick(rng, _GENERIC_GROUPS)
        if extra not in groups:
            groups.append(extra)
    values.update(
        location=g.location,
        alias_symbol=_join(g.alias_symbols),
        alias_name=_join(g.alias_names),
        prev_symbol=_join(g.prev_symbols),
        prev_name=_join(g.prev_names),
        gene_group=_join([n for n, _ in groups]),
        gene_group_id=_join([str(i) for _, i in groups]),
        date_approved_reserved=approved.isoformat(),
        date_symbol_changed=(_date(rng, approved, modified).isoformat() if g.prev_symbols else ""),
        date_name_changed=(
            _date(rng, approved, modified).isoformat() if rng.random() < 0.55 else ""
        ),
        date_modified=modified.isoformat(),
        entrez_id=g.entrez_id,
        ensembl_gene_id=g.ensembl_gene_id,
        refseq_accession=_join(g.refseq_accessions),
        uniprot_ids=_join(g.uniprot_ids),
        omim_id=_join(g.omim_ids),
        mgd_id=_join(g.mgd_ids),
        agr=g.hgnc_id if rng.random() < 0.92 else "",
        gencc=g.hgnc_id if gencc else "",
    )
    if g.mane_select:
        values["mane_select"] = '"' + "|".join(g.mane_select) + '"'
    if rng.random() < 0.74:
        values["vega_id"] = f"OTTHUMG{rint(rng, 10_000, 190_000):011d}"
    if rng.random() < 0.55:
        values["ucsc_id"] = f"uc{rint(rng, 1, 32):03d}{pick(rng, 'abcdefghijklmnopqrstuvwxyz')}"
        values["ucsc_id"] += f"{pick(rng, 'abcdefghijklmnopqrstuvwxyz')}{pick(rng, 'abcdefghij')}"
        values["ucsc_id"] += f".{rint(rng, 1, 5)}"
    if rng.random() < 0.46:
        count = 2 if rng.random() < 0.03 else 1
        values["ena"] = _join(
            [
                f"{pick(rng, ('AB', 'AF', 'AK', 'BC', 'AL'))}{rint(rng, 10_000, 999_999)}"
                for _ in range(count)
            ]
        )
    if rng.random() < 0.53:
        pmids = [str(rint(rng, 1_000_000, 39_000_000)) for _ in range(pick(rng, (1, 1, 2, 3)))]
        values["pubmed_id"] = _join(pmids)
    if coding:
        if rng.random() < 0.9:
            ccds = [f"CCDS{rint(rng, 1, 95_000)}" for _ in range(pick(rng, (1, 1, 1, 2)))]
            values["ccds_id"] = _join(ccds)
        if rng.random() < 0.95:
            values["rgd_id"] = f"RGD:{rint(rng, 1_000, 1_600_000)}"
        if rng.random() < 0.22:
            values["orphanet"] = str(rint(rng, 100_000, 600_000))
        if rng.random() < 0.18:
            values["iuphar"] = f"objectId:{rint(rng, 1, 3_000)}"
        if g.symbol.startswith("SLC"):
            values["bioparadigms_slc"] = g.symbol
        if g.symbol.startswith("OR"):
            values["horde_id"] = g.symbol
        if rng.random() < 0.1:
            values["enzyme_id"] = (
                f"{rint(rng, 1, 7)}.{rint(rng, 1, 20)}.{rint(rng, 1, 30)}.{rint(rng, 1, 200)}"
            )
        if rng.random() < 0.03:
            values["cosmic"] = g.symbol
        if rng.random() < 0.05:
            values["lsdb"] = f"LRG_{rint(rng, 1, 1300)}|http://ftp.ebi.ac.uk/pub/databases/lrgex/"
    elif g.locus_type == "RNA, micro":
        values["mirbase"] = f"MI{rint(rng, 1, 30_000):07d}"
        values["rna_central_id"] = f"URS{rint(rng, 0, 0xFFFFFFFFF):010X}"
    elif g.locus_type == "RNA, long non-coding":
        values["lncipedia"] = g.symbol
        if rng.random() < 0.4:
            values["rna_central_id"] = f"URS{rint(rng, 0, 0xFFFFFFFFF):010X}"
    elif g.locus_type == "RNA, small nucleolar":
        values["snornabase"] = f"SR{rint(rng, 1, 9_999):07d}"
    elif g.locus_type == "RNA, transfer":
        values["gtrnadb"] = g.name.replace(" (", "-").replace(") ", "-")
    elif g.locus_group == "pseudogene" and rng.random() < 0.6:
        values["pseudogene.org"] = f"PGOHUM{rint(rng, 1, 300_000):011d}"
    return [values[c] for c in COMPLETE_SET_COLUMNS]


def write_hgnc(
    ctx: SnapshotContext,
    universe: GeneUniverse,
    *,
    real_file: Path | None,
    gencc_genes: set[str] | frozenset[str] = frozenset(),
) -> None:
    """Write `hgnc/hgnc_complete_set.txt` (uncompressed)."""
    if real_file is not None:
        ctx.writer.copy_file(
            "hgnc",
            RELPATH,
            real_file,
            format=FORMAT,
            origin="real",
            release=universe.release,
            decompress=True,
        )
        ctx.say(f"hgnc: real complete set, {len(universe.genes):,} rows")
        return
    rng = ctx.rng("hgnc-columns")
    with ctx.writer.open_text(
        "hgnc", RELPATH, format=FORMAT, origin="synthetic", release=universe.release
    ) as out:
        out.write("\t".join(COMPLETE_SET_COLUMNS) + "\n")
        for g in universe.genes:
            out.write("\t".join(_synthetic_row(rng, g, g.symbol in gencc_genes)) + "\n")
    withdrawn = sum(1 for g in universe.genes if not g.is_approved)
    ctx.say(f"hgnc: synthetic complete set, {len(universe.genes):,} rows ({withdrawn} withdrawn)")
