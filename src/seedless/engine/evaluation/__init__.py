"""The measures of `seedless eval` on items of any dataset: coverage assignment, complexity rating, embedding measures, taxonomy quality, critic effectiveness, the split into tiers."""
