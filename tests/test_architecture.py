"""The layering in ARCHITECTURE.md holds: spec -> core -> engine -> interface, imports flow one way only."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "seedless"
LAYERS = ["spec", "core", "engine", "interface"]
HEAVY = {"torch", "ray", "datasets", "litellm", "openai", "sentence_transformers", "transformers", "huggingface_hub"}


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


# The modules that load an extra's heavy package, lazily and with an install hint when it is missing.
EXTRA_ADAPTERS = {
    "engine/outputs/hf.py": {"datasets"},
    "engine/outputs/hub.py": {"huggingface_hub"},
    "engine/llm/embedders/sentence_transformer.py": {"sentence_transformers", "torch"},
}


def module_of(path: Path) -> str:
    parts = ("seedless",) + path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def seedless_imports(path: Path, known: set[str]) -> set[str]:
    """The seedless modules `path` imports anywhere in it (lazy imports in functions too): `from a.b import c`
    counts as a.b.c when that is a module, else as a.b."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("seedless.")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0 and node.module.startswith("seedless"):
            subs = {f"{node.module}.{a.name}" for a in node.names} & known
            out |= subs or {node.module}
    return {name for name in out if name in known}


def test_no_module_imports_itself_through_a_cycle():
    paths = {module_of(p): p for p in modules()}
    known = set(paths)
    graph = {name: seedless_imports(path, known) - {name} for name, path in paths.items()}
    # package __init__ modules re-export lazily; an edge into a package is an edge into its __init__ only
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(name: str) -> None:
        state[name] = 1
        stack.append(name)
        for nxt in sorted(graph[name]):
            if state.get(nxt) == 1:
                cycle = stack[stack.index(nxt):] + [nxt]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt)
        stack.pop()
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name)


def _imported_by_string(tree: ast.AST) -> set[str]:
    """Module names passed as strings to importlib.import_module, __import__ or a helper whose name says import."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if "import" in func and node.args and isinstance(node.args[0], ast.Constant) \
                    and isinstance(node.args[0].value, str):
                names.add(node.args[0].value.split(".")[0])
    return names


def test_heavy_packages_load_by_name_only_in_the_modules_of_their_extra():
    for path in modules():
        where = str(path.relative_to(SRC))
        hidden = _imported_by_string(ast.parse(path.read_text())) & HEAVY
        assert hidden <= EXTRA_ADAPTERS.get(where, set()), f"{where} loads {sorted(hidden)} by name"


# Inside engine: llm and store (with the shared events and session), then stages, evaluation and outputs, then
# commands; a module imports only from its own tier and the tiers below (ARCHITECTURE.md).
ENGINE_TIERS = {"events": 0, "tasks": 0, "session": 1, "llm": 1, "store": 1, "stages": 2, "evaluation": 2,
                "outputs": 2, "commands": 3}


def engine_part(module: str) -> str | None:
    parts = module.split(".")
    return parts[2] if len(parts) > 2 and parts[:2] == ["seedless", "engine"] else None


@pytest.mark.parametrize("path", [p for p in modules() if p.relative_to(SRC).parts[0] == "engine"],
                         ids=lambda p: str(p.relative_to(SRC)))
def test_engine_sub_layers_import_downwards_only(path):
    known = {module_of(p) for p in modules()}
    own = engine_part(module_of(path))
    if own is None:
        return  # engine/__init__.py
    assert own in ENGINE_TIERS, f"{path}: engine/{own} is in no tier of ENGINE_TIERS (and ARCHITECTURE.md)"
    for name in seedless_imports(path, known):
        other = engine_part(name)
        if other is not None:
            assert ENGINE_TIERS[other] <= ENGINE_TIERS[own], f"{module_of(path)} ({own}) imports {name} ({other})"
