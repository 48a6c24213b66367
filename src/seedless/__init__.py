"""seedless: reasoning-driven, seedless synthetic dataset generation and evaluation."""

__version__ = "0.1.0"
