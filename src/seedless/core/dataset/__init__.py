"""A datapoint and its files' shape: Record with lineage, the output format as a bounded JSON schema, the chat mapping, rejection statistics."""
