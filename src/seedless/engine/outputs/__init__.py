"""The files a run gives (dataset.jsonl, its Parquet copy, rejected.jsonl), read back, and exported by format."""
