"""gnomAD: gene constraint metrics (pLI, LOEUF, missense and synonymous z-scores)."""
