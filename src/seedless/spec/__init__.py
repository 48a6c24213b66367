"""Typed settings of a seedless run: the user's dataset description and every knob, validated from YAML."""

from seedless.spec.loader import SpecError, SpecProblem, load_spec, parse_spec
from seedless.spec.models import (
    EmbeddedEndpoint,
    Endpoint,
    FactorSpec,
    FakeEndpoint,
    ModelsSettings,
    OpenAIEndpoint,
    OutputFormat,
    Role,
    RoleSettings,
    Spec,
    TaxonomySettings,
)

__all__ = [
    "EmbeddedEndpoint", "Endpoint", "FactorSpec", "FakeEndpoint", "ModelsSettings", "OpenAIEndpoint",
    "OutputFormat", "Role", "RoleSettings", "Spec", "SpecError", "SpecProblem", "TaxonomySettings",
    "load_spec", "parse_spec",
]
