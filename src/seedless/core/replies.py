"""Typed model replies, one per call site; the JSON schema sent as response_format is derived from the same model."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Any, ClassVar, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, create_model

M = TypeVar("M", bound=BaseModel)
_DROPPED = ("title", "default", "description")


def text(max_chars: int, min_chars: int = 0) -> Any:
    """A string type bounded in length (validation and schema alike)."""
    return Annotated[str, StringConstraints(min_length=min_chars, max_length=max_chars)]


def items(of: Any, max_items: int, min_items: int = 0) -> Any:
    """A list type bounded in length."""
    return Annotated[list[of], Field(min_length=min_items, max_length=max_items)]


def one_of(choices: tuple[str, ...]) -> Any:
    """A string that must be one of `choices` (an enum in the schema), so a constrained decoder names only these."""
    return Literal[choices]  # type: ignore[valid-type]


def narrow(model: type[M], **fields: Any) -> type[M]:
    """A subclass of `model` whose named fields take the given (tighter) types; required unless a default is given
    as (type, default). Validation and schema of the subclass agree, since both come from its fields."""
    spec = {name: value if isinstance(value, tuple) else (value, ...) for name, value in fields.items()}
    return create_model(model.__name__, __base__=model, **spec)  # type: ignore[call-overload, no-any-return]


def strict_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema made strict for constrained decoders: references inlined, every property required,
    no additional properties, no titles, defaults or descriptions."""
    raw = model.model_json_schema()
    defs = raw.pop("$defs", {})

    def walk(node: Any) -> Any:
        if isinstance(node, list):
            return [walk(n) for n in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            return walk(defs[node["$ref"].rsplit("/", 1)[-1]])
        out = {k: ({name: walk(sub) for name, sub in v.items()} if k == "properties" else walk(v))
               for k, v in node.items() if k not in _DROPPED}
        if out.get("type") == "object" and "properties" in out:
            out["required"] = list(out["properties"])
            out["additionalProperties"] = False
        return out

    return walk(raw)  # type: ignore[no-any-return]


class Reply(BaseModel):
    """Base of every call site's reply; its JSON schema is derived from its fields. A reply whose bounds depend on
    the call (counts, name lengths, the names it may choose from, text lengths that fit the role's max_tokens)
    offers `bounded(...)`: a narrowed subclass whose schema is what the call sends, so a constrained decoder keeps
    to the call's bounds. The reply is validated against the call site's own type, whose bounds are the generous
    caps of what is usable; the stage cleans what goes past the call's narrowing (too many names, unknown names:
    dropped and noted), as a server without constrained decoding may send it. Both come from the same fields."""

    model_config = ConfigDict(extra="forbid")
    list_field: ClassVar[str | None] = None  # a bare JSON list from the model is wrapped into this field

    @classmethod
    def json_schema(cls) -> dict[str, Any]:
        return _schema(cls)


@lru_cache(maxsize=256)
def _schema(model: type[BaseModel]) -> dict[str, Any]:
    return strict_schema(model)


class ProposedFactor(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: text(200, 1)  # type: ignore[valid-type]
    description: text(400) = ""  # type: ignore[valid-type]


class FactorsReply(Reply):
    list_field: ClassVar[str | None] = "factors"
    factors: items(ProposedFactor, 64, 1)  # type: ignore[valid-type]

    @classmethod
    @lru_cache(maxsize=64)
    def bounded(cls, *, max_items: int, max_chars: int) -> type[FactorsReply]:
        factor = narrow(ProposedFactor, name=text(max_chars, 1), description=(text(200), ""))
        return narrow(cls, factors=items(factor, max_items, min(2, max_items)))


class ChildrenReply(Reply):
    list_field: ClassVar[str | None] = "children"
    children: items(text(400), 128)  # type: ignore[valid-type]  # empty or repeated names: dropped and noted

    @classmethod
    @lru_cache(maxsize=64)
    def bounded(cls, *, max_items: int, max_chars: int) -> type[ChildrenReply]:
        return narrow(cls, children=items(text(max_chars, 1), max_items))


class CriticEdit(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Literal["add", "remove", "merge", "rename", "keep"]
    target: text(400) = ""  # type: ignore[valid-type]
    result: text(400) = ""  # type: ignore[valid-type]
    reason: text(300) = ""  # type: ignore[valid-type]


class CriticReply(Reply):
    edits: items(CriticEdit, 64) = []  # type: ignore[valid-type]
    children: items(text(400), 128)  # type: ignore[valid-type]

    @classmethod
    @lru_cache(maxsize=64)
    def bounded(cls, *, max_items: int, max_chars: int) -> type[CriticReply]:
        edit = narrow(CriticEdit, action=Literal["add", "remove", "merge", "rename"],  # "keep" is no edit to ask for
                      target=(text(max_chars * 2), ""), result=(text(max_chars), ""), reason=(text(160), ""))
        return narrow(cls, edits=(items(edit, max_items), []), children=items(text(max_chars, 1), max_items))


class PlanReply(Reply):
    plan: text(4000, 1)  # type: ignore[valid-type]

    @classmethod
    @lru_cache(maxsize=64)
    def bounded(cls, *, max_chars: int) -> type[PlanReply]:
        return narrow(cls, plan=text(max_chars, 1))


class ProposedExclusion(BaseModel):
    model_config = ConfigDict(extra="forbid")
    nodes: items(str, 4, 2)  # type: ignore[valid-type]
    reason: text(300) = ""  # type: ignore[valid-type]


class ProposedStrategy(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: text(200, 1)  # type: ignore[valid-type]
    description: text(400) = ""  # type: ignore[valid-type]
    weight: Annotated[float, Field(gt=0, le=100)] = 1.0
    taxonomies: items(str, 32, 1)  # type: ignore[valid-type]
    exclusions: items(ProposedExclusion, 16) = []  # type: ignore[valid-type]


class StrategiesReply(Reply):
    list_field: ClassVar[str | None] = "strategies"
    strategies: items(ProposedStrategy, 32, 1)  # type: ignore[valid-type]

    @classmethod
    @lru_cache(maxsize=64)
    def bounded(cls, *, max_items: int, taxonomies: tuple[str, ...],
                nodes: tuple[str, ...]) -> type[StrategiesReply]:
        """Taxonomy and node names are enums, so a constrained decoder can only name what exists."""
        exclusion = narrow(ProposedExclusion, nodes=items(one_of(nodes) if nodes else str, 2, 2),
                           reason=(text(160), ""))
        strategy = narrow(ProposedStrategy, name=text(60, 1), description=(text(200), ""), weight=(Annotated[int, Field(ge=1, le=10)], 1),
                          taxonomies=items(one_of(taxonomies), max(1, len(taxonomies)), 1),
                          exclusions=(items(exclusion, 3 if nodes else 0), []))
        return narrow(cls, strategies=items(strategy, max_items, 1))


class MetaPromptsReply(Reply):
    list_field: ClassVar[str | None] = "candidates"
    candidates: items(text(4000), 16, 1)  # type: ignore[valid-type]  # blank ones are dropped

    @classmethod
    @lru_cache(maxsize=64)
    def bounded(cls, *, count: int, max_chars: int) -> type[MetaPromptsReply]:
        return narrow(cls, candidates=items(text(max_chars, 20), count, count))


class ComplexifyReply(Reply):
    meta_prompt: text(4000, 1)  # type: ignore[valid-type]

    @classmethod
    @lru_cache(maxsize=64)
    def bounded(cls, *, max_chars: int) -> type[ComplexifyReply]:
        return narrow(cls, meta_prompt=text(max_chars, 20))


class VerdictReply(Reply):
    """A critic's judgement: the explanation comes first, so the verdict follows from it."""

    explanation: text(4000) = ""  # type: ignore[valid-type]
    verdict: Literal["pass", "fail"]

    @classmethod
    @lru_cache(maxsize=64)
    def bounded(cls, *, max_chars: int) -> type[VerdictReply]:
        return narrow(cls, explanation=(text(max_chars), ""))


class YesNoReply(Reply):
    explanation: text(4000) = ""  # type: ignore[valid-type]
    answer: Literal["yes", "no"]

    @classmethod
    @lru_cache(maxsize=64)
    def bounded(cls, *, max_chars: int) -> type[YesNoReply]:
        return narrow(cls, explanation=(text(max_chars), ""))


class SolveReply(Reply):
    """The judge's own solution of a task it is shown without any proposed answer: the working, then the result
    (or "cannot be determined")."""

    work: text(4000) = ""  # type: ignore[valid-type]
    result: text(200)  # type: ignore[valid-type]

    @classmethod
    @lru_cache(maxsize=64)
    def bounded(cls, *, max_chars: int) -> type[SolveReply]:
        return narrow(cls, work=(text(max_chars), ""))
