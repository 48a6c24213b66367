"""What a run keeps on disk: the call store, the records table, the run directory (file names, the lock, atomic writes), JSONL reading."""
