"""The worked examples of docs/extending.md: each python block after `<!-- example: NAME -->`, as source text."""

from __future__ import annotations

import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "extending.md"
_BLOCK = re.compile(r"<!-- example: ([\w-]+) -->\s*```python\n(.*?)```", re.S)


def examples() -> dict[str, str]:
    """Every named example of the page; a name may be given to several blocks, which then run in order."""
    out: dict[str, str] = {}
    for name, code in _BLOCK.findall(DOC.read_text(encoding="utf-8")):
        out[name] = out.get(name, "") + code
    return out


def run_example(name: str) -> dict[str, object]:
    """Execute the named example in a fresh namespace (as a user's module would) and return that namespace."""
    code = examples().get(name)
    if code is None:
        raise KeyError(f"docs/extending.md has no example named {name!r}")
    namespace: dict[str, object] = {"__name__": f"extending_example_{name.replace('-', '_')}"}
    exec(compile(code, f"docs/extending.md:{name}", "exec", dont_inherit=True), namespace)  # noqa: S102 - the docs' own example
    return namespace
