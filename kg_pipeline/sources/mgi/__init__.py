"""MGI/MPO: mouse ortholog phenotypes, with the kidney (renal/urinary) MP terms flagged."""
