"""Guards on model-proposed node names: clean, reject what small and large models really get wrong, dedupe."""

from __future__ import annotations

import re
from dataclasses import dataclass

from seedless.core.taxonomy.tree import name_key

_BULLET = re.compile(r"^\s*(?:[-*•·]+|\(?\d{1,3}[.):]|\(?[a-zA-Z]\))(?:\s+|$)")
_QUOTES = "\"'`“”‘’«»"
_PATH_SEP = re.compile(r"\s+(?:>|->|»|→)\s+")
_COUNTER = re.compile(r"\s*\(\d{1,3}\)$")


@dataclass(frozen=True)
class Rejected:
    name: str
    reason: str


def clean_name(raw: str) -> str:
    """Strip bullets, numbering, path prefixes, "(1)" counters, quotes, emphasis, trailing punctuation, spaces."""
    text = " ".join(str(raw).split())
    text = _PATH_SEP.split(text)[-1]  # "Parent > Child" names the child
    text = _BULLET.sub("", text)
    text = _COUNTER.sub("", text)
    previous = None
    while text != previous:  # quotes, emphasis and trailing punctuation may nest in any order
        previous = text
        text = text.strip(_QUOTES + " ").strip("*_ ").rstrip(".,;:")
    return " ".join(text.split())


def select_names(
    candidates: list[str],
    *,
    ancestors: list[str],
    max_chars: int,
    limit: int,
    above: list[str] | None = None,
) -> tuple[list[str], list[Rejected]]:
    """Keep at most `limit` clean, distinct names that are neither empty, overlong, a repeat of an ancestor,
    nor a repeat of a node `above` (the siblings of the parent and of every ancestor)."""
    kept: list[str] = []
    rejected: list[Rejected] = []
    seen: set[str] = set()
    ancestor_keys = {name_key(a) for a in ancestors}
    above_keys = {name_key(a) for a in above or []} - ancestor_keys
    for raw in candidates:
        name = clean_name(raw)
        key = name_key(name)
        if not name:
            rejected.append(Rejected(str(raw), "empty name"))
        elif len(name) > max_chars:
            rejected.append(Rejected(name, f"longer than {max_chars} characters"))
        elif key in ancestor_keys:
            rejected.append(Rejected(name, "repeats its parent or an ancestor"))
        elif key in above_keys:
            rejected.append(Rejected(name, "repeats a node higher in the taxonomy"))
        elif key in seen:
            rejected.append(Rejected(name, "duplicate of a sibling"))
        elif len(kept) >= limit:
            rejected.append(Rejected(name, f"over the limit of {limit} children"))
        else:
            seen.add(key)
            kept.append(name)
    return kept, rejected
