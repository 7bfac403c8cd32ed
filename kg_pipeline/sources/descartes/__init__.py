"""Descartes: fetal kidney expression (TPM and percentage of expressing cells)."""
