"""The pipeline's stages: factors, taxonomies, strategies, datapoints (meta-prompt, complexify, generate, critics), generation; the catalogue of them."""
