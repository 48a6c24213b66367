"""Typed replies of the eval call sites (coverage, complexity, taxonomy judge, corrupter); schemas derived from them."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Any, Literal

import jsonschema
from pydantic import BaseModel, ConfigDict, Field

from seedless.core.replies import Reply, items, narrow, one_of, text

NONE_OF_THESE = "none of these"


class Placement(BaseModel):
    model_config = ConfigDict(extra="forbid")
    item: int = Field(..., ge=1)
    node: str = Field(..., max_length=400)


class AssignmentsReply(Reply):
    """Which of the offered categories fits each numbered item best ("none of these" allowed)."""

    assignments: list[Placement] = Field(..., max_length=200)

    @classmethod
    @lru_cache(maxsize=256)
    def bounded(cls, *, count: int, choices: tuple[str, ...]) -> type[AssignmentsReply]:
        """One placement per item, each naming an offered category or "none of these"."""
        placement = narrow(Placement, item=Annotated[int, Field(ge=1, le=count)],
                           node=one_of((*choices, NONE_OF_THESE)))
        return narrow(cls, assignments=items(placement, count, count))


class PathPlacement(BaseModel):
    model_config = ConfigDict(extra="forbid")
    item: int = Field(..., ge=1)
    path: str = Field(..., max_length=2000)


class PathAssignmentsReply(Reply):
    """The deepest node of the whole taxonomy that fits each numbered item, as its full path ("none of these"
    allowed)."""

    assignments: list[PathPlacement] = Field(..., max_length=200)

    @classmethod
    @lru_cache(maxsize=256)
    def bounded(cls, *, count: int, paths: tuple[str, ...], max_chars: int = 400) -> type[PathAssignmentsReply]:
        """One placement per item, its path one of `paths` or "none of these" (an enum); with no `paths` (a tree
        too large to enumerate) a string of at most `max_chars`."""
        path = one_of((*paths, NONE_OF_THESE)) if paths else text(max_chars, 1)
        placement = narrow(PathPlacement, item=Annotated[int, Field(ge=1, le=count)], path=path)
        return narrow(cls, assignments=items(placement, count, count))


class Score(BaseModel):
    model_config = ConfigDict(extra="forbid")
    item: int = Field(..., ge=1)
    score: int = Field(..., ge=1, le=10)


class ComplexityReply(Reply):
    """A difficulty score from 1 to 10 for each numbered item of a batch, relative to the others."""

    scores: list[Score] = Field(..., max_length=50)

    @classmethod
    @lru_cache(maxsize=256)
    def bounded(cls, *, count: int) -> type[ComplexityReply]:
        return narrow(cls, scores=items(narrow(Score, item=Annotated[int, Field(ge=1, le=count)]), count, count))


NO_MATCH = "none"
NODE_LABELS = ("good_shared", "good_new", "redundant", "bad")


class NodeLabelEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    node: int = Field(..., ge=1)
    match: str = Field(NO_MATCH, max_length=1000)
    label: Literal["good_shared", "good_new", "redundant", "bad"]


class TaxonomyJudgeReply(Reply):
    """A label for each numbered generated node; `match` names the expert node a good_shared node matches."""

    labels: list[NodeLabelEntry] = Field(..., max_length=200)

    @classmethod
    @lru_cache(maxsize=256)
    def bounded(cls, *, count: int, matches: tuple[str, ...]) -> type[TaxonomyJudgeReply]:
        entry = narrow(NodeLabelEntry, node=Annotated[int, Field(ge=1, le=count)],
                       match=(one_of((NO_MATCH, *matches)), NO_MATCH))
        return narrow(cls, labels=items(entry, count, count))


MAX_ANSWER_CHARS = 4000
MAX_ANSWER_ITEMS = 50


def answer_schema(value: Any) -> dict[str, Any]:
    """A bounded JSON schema of the same shape as `value`: same type; objects keep their keys; strings and
    lists get a length bound (twice the original's, at least 200 characters / 10 items)."""
    if isinstance(value, bool):
        return {"type": "boolean"}
    if isinstance(value, int):
        return {"type": "integer"}
    if isinstance(value, float):
        return {"type": "number"}
    if isinstance(value, str):
        return {"type": "string", "minLength": 1, "maxLength": min(MAX_ANSWER_CHARS, max(200, 2 * len(value)))}
    if isinstance(value, list):
        items = answer_schema(value[0]) if value else {"type": "string", "maxLength": 400}
        return {"type": "array", "items": items, "maxItems": min(MAX_ANSWER_ITEMS, max(10, 2 * len(value)))}
    if isinstance(value, dict):
        return {"type": "object", "properties": {k: answer_schema(v) for k, v in value.items()},
                "required": list(value), "additionalProperties": False}
    return {"type": "null"}


class CorruptionReply(Reply):
    """A subtly wrong version of an answer, in the original's format, and what was changed."""

    change: str = Field("", max_length=2000)
    answer: Any

    @classmethod
    @lru_cache(maxsize=64)
    def bounded(cls, *, max_chars: int) -> type[CorruptionReply]:
        return narrow(cls, change=text(max_chars, 1))

    @classmethod
    def schema_for(cls, original: Any) -> dict[str, Any]:
        """The derived schema, its `answer` shaped like the original answer (see answer_schema)."""
        schema = cls.json_schema()
        return schema | {"properties": schema["properties"] | {"answer": answer_schema(original)}}


def _normal(value: Any) -> Any:
    if isinstance(value, str):
        return " ".join(value.split()).casefold()
    if isinstance(value, list):
        return [_normal(v) for v in value]
    if isinstance(value, dict):
        return {k: _normal(v) for k, v in value.items()}
    return value


def same_answer(a: Any, b: Any) -> bool:
    """Whether a corruption left the answer as it was: equal values, strings compared case- and spacing-insensitively
    (at any depth), numbers by value (3 == 3.0)."""
    return bool(_normal(a) == _normal(b))


SLIPS = ((1, 0), (-1, 0), (10, 0), (0, 2))  # a careless solver's numeric slips: +1, -1, +10, a doubled value


def numeric_slip(original: Any, index: int) -> tuple[Any, str] | None:
    """A wrong copy of a numeric answer (a number, or a string holding one) in the same format, for when the
    corrupter repeats the original: one of SLIPS, chosen by `index`; None for any other answer."""
    if isinstance(original, bool):
        return None
    text = original.strip() if isinstance(original, str) else None
    try:
        value = float(text) if text is not None else float(original) if isinstance(original, (int, float)) else None
    except ValueError:
        return None
    if value is None or value != value or value in (float("inf"), float("-inf")):
        return None
    add, times = SLIPS[index % len(SLIPS)]
    wrong = round(value * times if times else value + add, 10)
    if wrong == value:
        wrong = value + 1
    integral = isinstance(original, int) or (text is not None and "." not in text and "e" not in text.lower())
    result: Any = int(wrong) if integral and wrong == int(wrong) else wrong
    what = "doubled it" if times else f"{'added' if add > 0 else 'subtracted'} {abs(add)}"
    if text is not None:
        result = str(result)
    return result, f"a numeric slip substituted, since the corrupter repeated the answer: {what}"


def answer_problem(original: Any, value: Any) -> str | None:
    """Why `value` does not have the original answer's format (per `answer_schema`), or None when it does."""
    validator = jsonschema.Draft202012Validator(answer_schema(original))
    errors = sorted(validator.iter_errors(value), key=lambda e: list(e.path))
    if not errors:
        return None
    parts = [f"answer{''.join(f'[{p!r}]' for p in e.path)}: {e.message[:200]}" for e in errors[:3]]
    return "; ".join(parts)
