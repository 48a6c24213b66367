"""The only modules that compose stages into what a command does: taxonomy, plan, run, estimate, evaluate."""
