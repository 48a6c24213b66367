"""`python -m seedless` runs the command line."""

from seedless.interface.cli import main

main()
