"""The HPO ontology of one release (`hp.obo`), loaded with pyhpo's OBO parser.

Owns turning `hp.obo` into term names and the `is_a` hierarchy, and answering "which terms lie
under this one" (the kidney subtree for the HPO evidence, the phenotype groups for the HPO
annotation). pyhpo's full `Ontology()` also loads and propagates every gene and disease
annotation (about 25 s and 350 MB); the evidence needs the hierarchy only, so only pyhpo's
`hp.obo` reader is used and annotations are read as tables by the callers.
"""

from __future__ import annotations

import shutil
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Final

from pyhpo.parser.obo import FILENAME as PYHPO_OBO_NAME
from pyhpo.parser.obo import terms_from_file

from kg_pipeline.raw_files import SourceFormatError, is_gzip, open_text, read_once
from kg_pipeline.sources.ontology import Ontology

SOURCE: Final = "HPO"
_HEADER_LINES: Final = 50


class HpoOntology(Ontology):
    """Names and the `is_a` hierarchy of the current (non-obsolete) HPO terms."""

    def descendants(self, root: str, *, include_root: bool = True) -> frozenset[str]:
        """Every term under `root` through `is_a` links (and `root` itself by default)."""
        if root not in self.names:
            raise KeyError(f"{root} is not a current term of HPO release {self.release}")
        terms = super().descendants(root)
        return terms if include_root else terms - {root}

    def descendants_of_any(self, roots: Iterable[str]) -> frozenset[str]:
        """The union of `descendants(root)` over `roots`."""
        return frozenset().union(*(self.descendants(r) for r in roots))


def obo_release(path: Path) -> str | None:
    """The release in the `data-version:` header line (`hp/releases/2025-01-16` gives
    `2025-01-16`), or None when the header has none."""
    with open_text(path) as fh:
        for number, line in enumerate(fh):
            if line.startswith("data-version:"):
                return line.split(":", 1)[1].strip().rsplit("/", 1)[-1] or None
            if line.startswith("[Term]") or number > _HEADER_LINES:
                return None
    return None


@read_once
def load_ontology(path: Path, file_key: str = "hpo/hp.obo") -> HpoOntology:
    """Read `hp.obo` (gzip or plain; any local file name) with pyhpo's OBO parser.

    pyhpo reads `hp.obo` from a data folder, so the file is linked (or, when gzipped,
    decompressed) into a temporary folder under that name. Raises `SourceFormatError` when the
    file is unreadable or holds no terms.
    """
    with tempfile.TemporaryDirectory(prefix="kg-hpo-") as folder:
        target = Path(folder) / PYHPO_OBO_NAME
        try:
            if is_gzip(path):
                with open_text(path) as src, open(target, "w", encoding="utf-8") as dst:
                    shutil.copyfileobj(src, dst)
            else:
                target.symlink_to(Path(path).resolve())
            terms = list(terms_from_file(folder))
        except (OSError, EOFError, UnicodeDecodeError, ValueError, IndexError) as exc:
            raise SourceFormatError(SOURCE, file_key, f"not a readable OBO file ({exc})") from exc

    names: dict[str, str] = {}
    children: defaultdict[str, set[str]] = defaultdict(set)
    for term in terms:
        term_id = term.get("id") or ""
        if not term_id.startswith("HP:") or term.get("is_obsolete"):
            continue
        names[term_id] = term.get("name") or ""
        for parent in term.get("is_a") or []:
            # "HP:0000001 ! All" -> "HP:0000001"
            children[parent.split("!", 1)[0].strip()].add(term_id)
    if not names:
        raise SourceFormatError(SOURCE, file_key, "no HPO terms found")
    return HpoOntology(
        names=names,
        children={parent: frozenset(kids) for parent, kids in children.items()},
        release=obo_release(path),
    )
