"""seedless: reasoning-driven, seedless synthetic dataset generation and evaluation.

The Python API (`seedless.run`, `seedless.plan`, `seedless.taxonomy`, `seedless.records`,
`seedless.rejections`, `seedless.export`, `seedless.spec_of`, `seedless.arun`) is imported on first use."""

from typing import Any

__version__ = "0.1.0"
_API = {"run", "arun", "plan", "taxonomy", "records", "rejections", "spec_of", "export"}


def __getattr__(name: str) -> Any:
    if name in _API:
        from seedless.interface import api

        return getattr(api, name)
    raise AttributeError(f"module 'seedless' has no attribute {name!r}")
