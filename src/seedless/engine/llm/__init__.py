"""Typed request -> typed reply, no Simula concept: clients, transport (concurrency, window, dispatch, retries), embedders, prompts and rendering, the caller, parsing, the budget, role bindings."""
