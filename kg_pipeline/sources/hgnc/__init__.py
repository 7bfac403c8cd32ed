"""HGNC complete set: the gene reference and the one gene normaliser."""
