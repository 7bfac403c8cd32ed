"""ClinGen gene-disease validity curations of kidney diseases."""
