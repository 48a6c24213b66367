"""One request through its endpoint's window: the adaptive limit, the priority window, dispatch with the only retry loop."""
