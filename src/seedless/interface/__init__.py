"""What users touch: the command line and the rendering of progress and results."""
