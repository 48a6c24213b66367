"""A judge's own result, read from its explanation ("My result: ..."), compared exactly with the proposed answer."""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

RESULT = re.compile(r"my result\s*:\s*", re.IGNORECASE)  # the colon the prompts ask for; "my result differs" is prose
NUMBER = re.compile(r"(?<![\w.])-?\d[\d,]*(?:\.\d+)?(?:\s*/\s*\d+)?(?![\w])")
# What a judge says when the task does not give what is needed to solve it.
UNSOLVABLE = re.compile(r"cannot be (?:determined|answered|solved|known)|can't be (?:determined|answered|solved|known)"
                        r"|not enough information|insufficient information|not (?:answerable|solvable)"
                        r"|unanswerable|unknown|undetermined|no answer", re.IGNORECASE)


@dataclass(frozen=True)
class StatedResult:
    """What the judge's explanation says its own result is, and whether the proposed answer is that result."""

    text: str
    agrees: bool

    def note(self, proposed: Any) -> str:
        """One line for the verdict's explanation: why the stated result settled the verdict."""
        relation = "is" if self.agrees else "is not"
        return f"[read: the judge's own result '{self.text}' {relation} the proposed answer {proposed!r}]"


def stated_text(explanation: str) -> str | None:
    """The text after the last "My result:" up to the end of its sentence, or None when there is none."""
    found = list(RESULT.finditer(explanation))
    if not found:
        return None
    rest = explanation[found[-1].end():]
    end = re.search(r"\.(?:\s|$)|\n|;", rest)
    stated = (rest[:end.start()] if end else rest).strip().strip("\"'`").strip()
    return stated or None


def number_in(value: Any) -> Fraction | None:
    """The one number a value holds (a JSON number, or a string with exactly one number in it), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return Fraction(value).limit_denominator(10**9) if value == value and abs(value) != float("inf") else None
    if not isinstance(value, str):
        return None
    if "=" in value:
        value = value.rsplit("=", 1)[1]
    numbers = NUMBER.findall(value)
    if len(numbers) != 1:
        return None
    raw = numbers[0].replace(",", "").replace(" ", "")
    try:
        return Fraction(raw)
    except (ValueError, ZeroDivisionError):
        return None


def _decimals(stated: str) -> int | None:
    found = NUMBER.findall(stated.rsplit("=", 1)[-1])
    if len(found) != 1 or "/" in found[0]:
        return None
    return len(found[0].split(".", 1)[1]) if "." in found[0] else 0


def read_result(explanation: str, proposed: Any) -> StatedResult | None:
    """The judge's own stated result against the proposed answer: agrees when both are one number and equal (the
    proposed one rounded to the stated number's decimals when the stated one is a rounded decimal), disagrees when
    they differ or the judge says the task cannot be solved; None when the two cannot be compared exactly (no
    stated result, words, several numbers), so the judge's yes or no stands."""
    stated = stated_text(explanation)
    return None if stated is None else compare_result(stated, proposed)


def compare_result(stated: str, proposed: Any) -> StatedResult | None:
    """A stated result (the text of one, e.g. "31" or "cannot be determined") against the proposed answer, by
    the rules of `read_result`."""
    stated = stated.strip().strip("\"'`").strip()
    if not stated:
        return None
    if UNSOLVABLE.search(stated) and number_in(stated) is None:
        return StatedResult(stated, agrees=False)
    mine, theirs = number_in(stated), number_in(proposed)
    if mine is None or theirs is None:
        return None
    if mine == theirs:
        return StatedResult(stated, agrees=True)
    places = _decimals(stated)
    if places and theirs.denominator != 1:
        return StatedResult(stated, agrees=round(float(theirs), places) == float(mine))
    return StatedResult(stated, agrees=False)
