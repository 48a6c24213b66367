"""The machinery that runs stages: model clients, the call store, structured calls, stages and the run directory."""
