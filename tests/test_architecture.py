"""The layering in ARCHITECTURE.md holds: spec -> core -> engine -> interface, imports flow one way only."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "seedless"
LAYERS = ["spec", "core", "engine", "interface"]
HEAVY = {"torch", "ray", "datasets", "litellm", "openai", "sentence_transformers", "transformers"}


def imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def modules():
    return sorted(p for p in SRC.rglob("*.py"))


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_imports_flow_from_spec_to_interface_only(path):
    layer = path.relative_to(SRC).parts[0]
    if layer not in LAYERS:
        return
    allowed = set(LAYERS[: LAYERS.index(layer) + 1])
    for name in imports(path):
        parts = name.split(".")
        if parts[0] == "seedless" and len(parts) > 1 and parts[1] in LAYERS:
            assert parts[1] in allowed, f"{path.name} ({layer}) imports {name}"


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_modules_open_with_a_contract_stay_small_and_never_print(path):
    text = path.read_text()
    tree = ast.parse(text)
    if path.name != "__main__.py":
        assert ast.get_docstring(tree), f"{path} has no one-line contract"
    assert len(text.splitlines()) <= 400, f"{path} is over 400 lines"
    layer = path.relative_to(SRC).parts[0]
    if layer != "interface":
        calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "print"]
        assert not calls, f"{path} prints; library code never prints"


def test_core_install_pulls_no_heavy_dependency():
    for path in modules():
        for name in imports(path):
            assert name.split(".")[0] not in HEAVY, f"{path} imports {name}"
