"""HPO: genes annotated to kidney phenotypes (descendants of HP:0010935)."""
