"""Text overlap without a model: normalised text, word n-grams, resemblance and containment, and an index of texts.

Two texts are compared as sets of word n-grams (shingles) of their normalised text: NFKC, case-folded, every run
of characters that are not letters or digits one space. A text shorter than n words is one shingle, itself, so it
only ever matches the same normalised text. Two measures:

    resemblance(a, b)     |A & B| / |A | B| (Jaccard): symmetric; a near copy scores near 1, a short text inside a
                          long one scores low (two different questions may end with the same "What is the total?")
    containment(a, in_=b) |A & B| / |A|: how much of a is found in b; a reference item copied into a longer
                          datapoint scores 1

`OverlapIndex` holds texts by key and finds, for a new text, the earliest held one it repeats: the same normalised
text (exact), else the best n-gram score at or above the threshold. Lookups go through an inverted index from
shingle to texts, so a lookup costs the postings of its own shingles, not a pass over every text.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

_NOT_WORD = re.compile(r"[\W_]+")

Shingle = str  # the n words of one shingle joined by single spaces
Measure = Literal["resemblance", "containment"]


def normalise(text: str) -> str:
    """Case, spacing and punctuation taken out: 'How many  Apples?' and 'how many apples' are one text."""
    return " ".join(_NOT_WORD.sub(" ", unicodedata.normalize("NFKC", text).casefold()).split())


def shingles(text: str, n: int) -> frozenset[Shingle]:
    """The word n-grams of the normalised text; the whole text as one when it has fewer than n words."""
    if n < 1:
        raise ValueError(f"an n-gram has at least one word, got n={n}")
    words = normalise(text).split()
    if len(words) < n:
        return frozenset({" ".join(words)}) if words else frozenset()
    return frozenset(" ".join(words[i:i + n]) for i in range(len(words) - n + 1))


def resemblance(a: frozenset[Shingle], b: frozenset[Shingle]) -> float:
    """Jaccard similarity of two shingle sets (0 when both are empty)."""
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def containment(part: frozenset[Shingle], in_: frozenset[Shingle]) -> float:
    """The share of `part`'s shingles found in `in_` (0 when `part` is empty)."""
    return len(part & in_) / len(part) if part else 0.0


def value_text(value: object) -> str:
    """A field's value as text: a string as it is, a list of strings one a line, anything else as JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "\n".join(value)
    return json.dumps(value, ensure_ascii=False)


def fields_text(data: Mapping[str, object], fields: Sequence[str]) -> str:
    """The values of `fields` present in `data`, in that order, one a line (names are left out: they are the same
    in every datapoint and would make any two look alike)."""
    return "\n".join(value_text(data[f]) for f in fields if f in data)


@dataclass(frozen=True)
class Match:
    """The held text a new one repeats: its key, how it was found, and the score (1.0 for an exact match)."""

    key: str
    how: Literal["exact", "ngram"]
    score: float


class OverlapIndex:
    """Texts held by key. `measure` is how a new text is scored against a held one: "resemblance" (Jaccard, for
    duplicates among datapoints) or "containment" (the share of the held text found in the new one, for a
    reference set a datapoint must not copy). Deterministic: ties go to the text added first."""

    def __init__(self, n: int, threshold: float, measure: Measure = "resemblance"):
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"the overlap threshold is in (0, 1], got {threshold}")
        if n < 1:
            raise ValueError(f"an n-gram has at least one word, got n={n}")
        self.n, self.threshold, self.measure = n, threshold, measure
        self._keys: list[str] = []
        self._sizes: list[int] = []
        self._exact: dict[str, int] = {}
        self._postings: dict[Shingle, list[int]] = {}

    def __len__(self) -> int:
        return len(self._keys)

    def add(self, key: str, text: str) -> None:
        """Hold `text` under `key`; a text with no words is not held (it can repeat nothing)."""
        normal = normalise(text)
        if not normal:
            return
        index = len(self._keys)
        grams = shingles(normal, self.n)
        self._keys.append(key)
        self._sizes.append(len(grams))
        self._exact.setdefault(normal, index)
        for gram in grams:
            self._postings.setdefault(gram, []).append(index)

    def find(self, text: str, *, skip: str | None = None) -> Match | None:
        """The earliest held text `text` repeats (exact, else the best n-gram score >= threshold); held texts under
        key `skip` are passed over (a slot's own earlier claim)."""
        normal = normalise(text)
        if not normal:
            return None
        exact = self._exact.get(normal)
        if exact is not None and self._keys[exact] != skip:
            return Match(self._keys[exact], "exact", 1.0)
        grams = shingles(normal, self.n)
        shared: Counter[int] = Counter()
        for gram in grams:
            shared.update(self._postings.get(gram, ()))
        best: Match | None = None
        best_index = -1
        for index, count in shared.items():
            if self._keys[index] == skip:
                continue
            held = self._sizes[index]
            score = count / held if self.measure == "containment" else count / (len(grams) + held - count)
            if score < self.threshold:
                continue
            if best is None or score > best.score or (score == best.score and index < best_index):
                best, best_index = Match(self._keys[index], "ngram", score), index
        return best
