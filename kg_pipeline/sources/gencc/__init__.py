"""GenCC gene-disease submissions about kidney diseases."""
