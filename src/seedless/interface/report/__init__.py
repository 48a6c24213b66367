"""The HTML pages of seedless: the run report (page.py) and the comparison of datasets, self-contained and offline."""
