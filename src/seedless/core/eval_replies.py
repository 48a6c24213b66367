"""Typed replies of the evaluation call sites (coverage assignment, batch complexity), with bounded schemas."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from seedless.core.replies import Reply

NONE_OF_THESE = "none of these"


class Placement(BaseModel):
    model_config = ConfigDict(extra="forbid")
    item: int = Field(..., ge=1)
    node: str = Field(..., max_length=400)


class AssignmentsReply(Reply):
    """Which of the offered categories fits each numbered item best ("none of these" allowed)."""

    assignments: list[Placement] = Field(..., max_length=200)

    @classmethod
    def schema_for(cls, *, items: int, choices: list[str]) -> dict[str, Any]:
        placement = {
            "type": "object",
            "properties": {"item": {"type": "integer", "minimum": 1, "maximum": items},
                           "node": {"type": "string", "enum": [*choices, NONE_OF_THESE]}},
            "required": ["item", "node"],
            "additionalProperties": False,
        }
        return {
            "type": "object",
            "properties": {"assignments": {"type": "array", "items": placement, "minItems": items,
                                           "maxItems": items}},
            "required": ["assignments"],
            "additionalProperties": False,
        }


class Score(BaseModel):
    model_config = ConfigDict(extra="forbid")
    item: int = Field(..., ge=1)
    score: int = Field(..., ge=1, le=10)


class ComplexityReply(Reply):
    """A difficulty score from 1 to 10 for each numbered item of a batch, relative to the others."""

    scores: list[Score] = Field(..., max_length=50)

    @classmethod
    def schema_for(cls, *, items: int) -> dict[str, Any]:
        score = {
            "type": "object",
            "properties": {"item": {"type": "integer", "minimum": 1, "maximum": items},
                           "score": {"type": "integer", "minimum": 1, "maximum": 10}},
            "required": ["item", "score"],
            "additionalProperties": False,
        }
        return {
            "type": "object",
            "properties": {"scores": {"type": "array", "items": score, "minItems": items, "maxItems": items}},
            "required": ["scores"],
            "additionalProperties": False,
        }
