"""Literature: genes listed by curated kidney-genetics publications."""
