"""GTEx: median gene expression (TPM) per tissue, v8."""
