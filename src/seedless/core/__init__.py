"""Typed domain objects: taxonomies and nodes, name guards, model-reply types, provenance, the taxonomy file."""
