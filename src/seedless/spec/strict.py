"""The base of every settings model: unknown keys are errors, values are frozen, YAML true/false is never a number."""

from __future__ import annotations

from types import UnionType
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, model_validator


def _numeric(annotation: Any) -> bool:
    """Whether a field's type is a number (int or float, optional or in a union): YAML true/false is not one."""
    if annotation in (int, float):
        return True
    return get_origin(annotation) in (Union, UnionType) and any(_numeric(a) for a in get_args(annotation))


class NotANumber:
    """What a YAML true/false given to a number setting becomes before validation, so that it fails there (pydantic's
    lax mode would read it as 1 or 0) with the setting's own path."""

    def __init__(self, value: bool):
        self.value = value

    def __repr__(self) -> str:
        return str(self.value).lower()


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _no_bool_as_number(cls, data: Any) -> Any:
        if not isinstance(data, dict) or not any(isinstance(v, bool) for v in data.values()):
            return data
        fields = cls.model_fields
        return {k: NotANumber(v) if isinstance(v, bool) and k in fields and _numeric(fields[k].annotation) else v
                for k, v in data.items()}
