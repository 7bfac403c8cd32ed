"""ClinVar: variant counts per gene from the gene summary or the variant summary."""
