"""The evaluation measures as pure functions: level-ratio coverage, Elo complexity, embedding diversity, near-duplicates, taxonomy quality, critic effect."""
