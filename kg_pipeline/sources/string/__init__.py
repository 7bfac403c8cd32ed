"""STRING: protein-protein interactions among kidney genes, weighted by partner evidence."""
