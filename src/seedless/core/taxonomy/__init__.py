"""Taxonomies: the tree of nodes, guards on model-proposed names, provenance, taxonomy.yaml read and written (with the user's comments), reconciling user edits."""
