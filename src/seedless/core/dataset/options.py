"""The options of a multiple-choice datapoint: which option a value names (text, the option's label, or a letter), and
the options lettered A, B, ... (the one rule the chat export and any option check share)."""

from __future__ import annotations

import json
import re
from typing import Any

LETTER = re.compile(r"^\(?([A-Za-z])[).:]?$")  # "B", "b)", "(B)", "B." name the second option
LABEL = re.compile(r"^\(?[A-Za-z][).:]\s+")  # "B) 12", "(B) 12", "B. 12", "B: 12": the option's own letter
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def normalised(value: Any) -> str:
    """The form values are compared in: text case- and space-insensitive, a number (also as text) without a
    trailing '.0', a list item by item."""
    if isinstance(value, list):
        return json.dumps([normalised(v) for v in value], ensure_ascii=False)
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, str):
        try:
            value = float(value.strip()) if value.strip() else value  # "4", "4.0" and 4 are one value
        except ValueError:
            pass
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split()).casefold()


def unlabelled(option: Any) -> str:
    """An option's text without a letter label of its own ("B) 12" -> "12"); a non-string option as JSON."""
    text = option if isinstance(option, str) else json.dumps(option, ensure_ascii=False)
    return LABEL.sub("", text, count=1)


def option_index(value: Any, options: list[Any]) -> int | None:
    """The position of the option `value` names: equal normalised, else equal to an option without its letter label,
    else a letter naming an option by position (A the first); None when it names none."""
    key = normalised(value)
    for same in (normalised, lambda o: normalised(unlabelled(o))):
        found = next((i for i, o in enumerate(options) if same(o) == key), None)
        if found is not None:
            return found
    letter = LETTER.match(value.strip()) if isinstance(value, str) else None
    if letter is not None and (index := ord(letter.group(1).upper()) - ord("A")) < len(options):
        return index
    return None


def can_letter(options: list[Any]) -> bool:
    """Whether the options have a letter each (at most 26)."""
    return 0 < len(options) <= len(LETTERS)


def lettered(index: int, option: Any) -> str:
    """The option at `index` as "B. text" (its own label, if any, replaced by its position's letter)."""
    return f"{LETTERS[index]}. {unlabelled(option)}"
