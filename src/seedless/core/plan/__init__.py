"""The plan of a dataset: strategies and strategies.yaml, seeded mix sampling with the coverage budget, the slot plan."""
