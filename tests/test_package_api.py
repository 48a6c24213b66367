"""Contracts of the package root: `import seedless` costs nothing, and its API is discoverable and typed."""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import subprocess
import sys
from pathlib import Path

import pytest

import seedless

INIT = Path(seedless.__file__)
HEAVY = ("pyarrow", "numpy", "aiohttp", "pydantic", "yaml", "rich", "click", "jinja2")


def type_checking_imports() -> dict[str, str]:
    """name -> module, as imported under `if TYPE_CHECKING:` in seedless/__init__.py (what type checkers see)."""
    tree = ast.parse(INIT.read_text())
    block = next(n for n in tree.body if isinstance(n, ast.If) and getattr(n.test, "id", "") == "TYPE_CHECKING")
    return {a.asname or a.name: n.module for n in block.body if isinstance(n, ast.ImportFrom) for a in n.names}


def test_import_seedless_loads_no_other_module_of_the_package_nor_any_dependency():
    code = "import json, sys, seedless; print(json.dumps(sorted(sys.modules)))"
    loaded = json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                       check=True).stdout)
    assert [m for m in loaded if m.split(".")[0] == "seedless"] == ["seedless"]
    assert [m for m in loaded if m.split(".")[0] in HEAVY] == []


def test_dir_lists_exactly_the_public_api_even_after_the_layers_are_loaded():
    importlib.import_module("seedless.engine.events")
    assert len(set(seedless.__all__)) == len(seedless.__all__)
    assert dir(seedless) == sorted(seedless.__all__)
    assert not {"core", "engine", "interface", "spec"} & set(dir(seedless))


def test_every_public_name_resolves_to_the_object_type_checkers_see():
    seen = type_checking_imports()
    assert set(seen) == set(seedless.__all__) - {"__version__"}
    for name, module in seen.items():
        assert getattr(seedless, name) is getattr(importlib.import_module(module), name), name


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        seedless.nope  # noqa: B018
    assert not hasattr(seedless, "engine_") and seedless.__version__


@pytest.mark.parametrize("name", ["run", "arun", "plan", "taxonomy", "evaluate", "aevaluate", "estimate", "validate",
                                  "export", "split", "records", "rejections", "spec_of"])
def test_every_api_function_is_documented_with_typed_parameters_and_result(name):
    function = getattr(seedless, name)
    assert name in seedless.__all__ and inspect.getdoc(function)
    signature = inspect.signature(function)
    assert signature.return_annotation is not inspect.Signature.empty
    untyped = [p.name for p in signature.parameters.values() if p.annotation is inspect.Parameter.empty]
    assert untyped == []
