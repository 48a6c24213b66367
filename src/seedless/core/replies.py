"""Typed model replies, one per call site, each with the bounded JSON schema sent as response_format."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field


class Reply(BaseModel):
    """Base of every call site's reply; each subclass also offers `schema_for(...)`, its bounded JSON schema."""

    model_config = ConfigDict(extra="forbid")
    list_field: ClassVar[str | None] = None  # a bare JSON list from the model is wrapped into this field


def _str(max_len: int, min_len: int = 1) -> dict[str, Any]:
    return {"type": "string", "minLength": min_len, "maxLength": max_len}


class ProposedFactor(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(..., max_length=200)
    description: str = Field("", max_length=2000)


class FactorsReply(Reply):
    list_field: ClassVar[str | None] = "factors"
    factors: list[ProposedFactor] = Field(..., min_length=1, max_length=64)

    @classmethod
    def schema_for(cls, *, max_items: int, max_chars: int) -> dict[str, Any]:
        item = {
            "type": "object",
            "properties": {"name": _str(max_chars), "description": _str(200, 0)},
            "required": ["name", "description"],
            "additionalProperties": False,
        }
        return {
            "type": "object",
            "properties": {"factors": {"type": "array", "items": item, "minItems": min(2, max_items),
                                       "maxItems": max_items}},
            "required": ["factors"],
            "additionalProperties": False,
        }


class ChildrenReply(Reply):
    list_field: ClassVar[str | None] = "children"
    children: list[str] = Field(..., max_length=128)

    @classmethod
    def schema_for(cls, *, max_items: int, max_chars: int) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": {"children": {"type": "array", "items": _str(max_chars), "maxItems": max_items}},
            "required": ["children"],
            "additionalProperties": False,
        }


class CriticEdit(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Literal["add", "remove", "merge", "rename", "keep"]
    target: str = Field("", max_length=400)
    result: str = Field("", max_length=400)
    reason: str = Field("", max_length=1000)


class CriticReply(Reply):
    list_field: ClassVar[str | None] = None
    edits: list[CriticEdit] = Field(default_factory=list, max_length=64)
    children: list[str] = Field(..., max_length=128)

    @classmethod
    def schema_for(cls, *, max_items: int, max_chars: int) -> dict[str, Any]:
        edit = {
            "type": "object",
            "properties": {
                "action": {"type": "string", "enum": ["add", "remove", "merge", "rename"]},
                "target": _str(max_chars * 2, 0),
                "result": _str(max_chars, 0),
                "reason": _str(160, 0),
            },
            "required": ["action", "target", "result", "reason"],
            "additionalProperties": False,
        }
        return {
            "type": "object",
            "properties": {
                "edits": {"type": "array", "items": edit, "maxItems": max_items},
                "children": {"type": "array", "items": _str(max_chars), "maxItems": max_items},
            },
            "required": ["edits", "children"],
            "additionalProperties": False,
        }


class PlanReply(Reply):
    list_field: ClassVar[str | None] = None
    plan: str = Field(..., min_length=1, max_length=4000)

    @classmethod
    def schema_for(cls, *, max_chars: int) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": {"plan": _str(max_chars)},
            "required": ["plan"],
            "additionalProperties": False,
        }


class ProposedExclusion(BaseModel):
    model_config = ConfigDict(extra="forbid")
    nodes: list[str] = Field(..., min_length=2, max_length=4)
    reason: str = Field("", max_length=1000)


class ProposedStrategy(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(..., min_length=1, max_length=200)
    description: str = Field("", max_length=2000)
    weight: float = Field(1.0, gt=0, le=100)
    taxonomies: list[str] = Field(..., min_length=1, max_length=32)
    exclusions: list[ProposedExclusion] = Field(default_factory=list, max_length=16)


class StrategiesReply(Reply):
    list_field: ClassVar[str | None] = "strategies"
    strategies: list[ProposedStrategy] = Field(..., min_length=1, max_length=32)

    @classmethod
    def schema_for(cls, *, max_items: int, taxonomies: list[str], nodes: list[str]) -> dict[str, Any]:
        """Taxonomy and node names are enums, so a constrained decoder can only name what exists."""
        exclusion = {
            "type": "object",
            "properties": {"nodes": {"type": "array", "items": {"type": "string", "enum": nodes},
                                     "minItems": 2, "maxItems": 2},
                           "reason": _str(160, 0)},
            "required": ["nodes", "reason"],
            "additionalProperties": False,
        }
        item = {
            "type": "object",
            "properties": {
                "name": _str(60),
                "description": _str(200, 0),
                "weight": {"type": "integer", "minimum": 1, "maximum": 10},
                "taxonomies": {"type": "array", "items": {"type": "string", "enum": taxonomies}, "minItems": 1,
                               "maxItems": max(1, len(taxonomies))},
                "exclusions": {"type": "array", "items": exclusion, "maxItems": 3},
            },
            "required": ["name", "description", "weight", "taxonomies", "exclusions"],
            "additionalProperties": False,
        }
        return {
            "type": "object",
            "properties": {"strategies": {"type": "array", "items": item, "minItems": 1, "maxItems": max_items}},
            "required": ["strategies"],
            "additionalProperties": False,
        }


class MetaPromptsReply(Reply):
    list_field: ClassVar[str | None] = "candidates"
    candidates: list[str] = Field(..., min_length=1, max_length=16)

    @classmethod
    def schema_for(cls, *, count: int, max_chars: int) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": {"candidates": {"type": "array", "items": _str(max_chars, 20), "minItems": count,
                                          "maxItems": count}},
            "required": ["candidates"],
            "additionalProperties": False,
        }


class ComplexifyReply(Reply):
    list_field: ClassVar[str | None] = None
    meta_prompt: str = Field(..., min_length=1, max_length=4000)

    @classmethod
    def schema_for(cls, *, max_chars: int) -> dict[str, Any]:
        return {"type": "object", "properties": {"meta_prompt": _str(max_chars, 20)}, "required": ["meta_prompt"],
                "additionalProperties": False}


class VerdictReply(Reply):
    """A critic's judgement: the explanation comes first, so the verdict follows from it."""

    list_field: ClassVar[str | None] = None
    explanation: str = Field("", max_length=4000)
    verdict: Literal["pass", "fail"]

    @classmethod
    def schema_for(cls, *, max_chars: int) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": {"explanation": _str(max_chars, 0), "verdict": {"type": "string", "enum": ["pass", "fail"]}},
            "required": ["explanation", "verdict"],
            "additionalProperties": False,
        }


class YesNoReply(Reply):
    list_field: ClassVar[str | None] = None
    explanation: str = Field("", max_length=4000)
    answer: Literal["yes", "no"]

    @classmethod
    def schema_for(cls, *, max_chars: int) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": {"explanation": _str(max_chars, 0), "answer": {"type": "string", "enum": ["yes", "no"]}},
            "required": ["explanation", "answer"],
            "additionalProperties": False,
        }
