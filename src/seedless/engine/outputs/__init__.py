"""The files a run gives: dataset.jsonl, its Parquet copy and rejected.jsonl as one set; reading them back; exports (jsonl, chat, hf)."""
