"""Pydantic models of the spec file: every setting typed, bounded and documented; unknown keys are errors."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Any, Literal, Union

from pydantic import Field, PrivateAttr, SerializerFunctionWrapHandler, model_serializer

# The endpoint kinds live in spec/endpoints.py (with their registry), Strict in spec/strict.py; re-exported here.
from seedless.spec.endpoints import (  # noqa: F401
    AnthropicEndpoint,
    BatchSettings,
    EmbeddedEndpoint,
    Endpoint,
    EndpointSettings,
    FakeEndpoint,
    OpenAIEndpoint,
)
from seedless.spec.strict import NotANumber, Strict  # noqa: F401


class Role(str, Enum):
    """Every model-call role. Each role may use its own endpoint, temperature and token budget."""

    factor_proposer = "factor_proposer"
    taxonomy_proposer = "taxonomy_proposer"
    taxonomy_critic = "taxonomy_critic"
    level_planner = "level_planner"
    strategist = "strategist"
    meta_prompter = "meta_prompter"
    complexifier = "complexifier"
    generator = "generator"
    critic = "critic"
    judge = "judge"
    assigner = "assigner"  # seedless eval: places datapoints in a taxonomy (coverage)
    rater = "rater"  # seedless eval: scores datapoints against each other (complexity)
    taxonomy_judge = "taxonomy_judge"  # seedless eval: labels generated nodes against an expert taxonomy
    corrupter = "corrupter"  # seedless eval: writes a subtly wrong answer (critic effectiveness)


# Defaults per role: (temperature, max_tokens). Proposals are sampled hot for diversity; critics run cool.
ROLE_DEFAULTS: dict[Role, tuple[float, int]] = {
    Role.factor_proposer: (0.7, 600),
    Role.taxonomy_proposer: (0.9, 400),
    Role.taxonomy_critic: (0.2, 900),
    Role.level_planner: (0.3, 300),
    Role.strategist: (0.4, 900),
    Role.meta_prompter: (0.9, 700),
    Role.complexifier: (0.7, 400),
    Role.generator: (0.8, 1500),
    Role.critic: (0.1, 400),
    Role.judge: (0.0, 300),
    Role.assigner: (0.0, 400),
    Role.rater: (0.0, 300),
    Role.taxonomy_judge: (0.0, 600),
    Role.corrupter: (0.7, 400),
}
# ROLE_DEFAULTS' max_tokens are sized for the packaged 0.5B model. A role on an OpenAI-compatible endpoint (often a
# strong or reasoning model, which writes longer explanations or thinks first) gets this many times more, unless
# its own max_tokens is set; embedded and fake endpoints keep ROLE_DEFAULTS as they are.
OPENAI_TOKEN_FACTOR = 4
PROVIDER_KINDS = ("openai", "anthropic")  # the kinds OPENAI_TOKEN_FACTOR applies to


class RoleSettings(Strict):
    endpoint: str | None = Field(None, description="Endpoint name; default: models.default.")
    temperature: float | None = Field(None, ge=0, le=2)
    max_tokens: int | None = Field(None, ge=16, le=32768)


class Price(Strict):
    """What one model charges, per million tokens (`seedless estimate` and a cost budget)."""

    input_per_million: float = Field(..., ge=0, description="Price of a million prompt tokens.")
    output_per_million: float = Field(..., ge=0, description="Price of a million completion tokens.")
    cached_input_per_million: float | None = Field(
        None, ge=0, description="Price of a million prompt tokens the server took from its prefix cache (providers "
        "discount them); unset: the input price.")


class Budget(Strict):
    """A hard limit on what a run may spend; the run stops cleanly before a call would pass it."""

    tokens: int | None = Field(None, ge=1, description="Prompt plus completion tokens over the whole run.")
    cost: float | None = Field(None, gt=0, description="Money over the whole run, from `models.prices`.")


class ModelsSettings(Strict):
    endpoints: dict[str, Endpoint] = Field(default_factory=lambda: {"embedded": EmbeddedEndpoint()})
    default: str = "embedded"
    roles: dict[Role, RoleSettings] = Field(default_factory=dict)
    max_repairs: int = Field(2, ge=0, le=10, description="Repair calls after an unparsable or invalid reply.")
    max_consecutive_failures: int = Field(
        20, ge=1, le=100_000, description="Calls to one endpoint failing in a row (after their own retries) "
        "before the run stops cleanly, resumable: a dead or refusing server ends the run instead of every try.")
    prices: dict[str, Price] = Field(default_factory=dict, description="Per endpoint name, model identity "
                                     "(e.g. openai:gpt-4o-mini) or model name: prices for `seedless estimate` "
                                     "and a cost budget.")
    budget: Budget | None = Field(None, description="A hard limit in tokens and/or money for each run directory.")

    def sampling(self, role: Role) -> tuple[float, int]:
        """(temperature, max_tokens) of a role: its own settings where given, else ROLE_DEFAULTS (max_tokens times
        OPENAI_TOKEN_FACTOR when the role's endpoint is of kind openai or anthropic)."""
        temperature, max_tokens = ROLE_DEFAULTS[role]
        name = (self.roles[role].endpoint if role in self.roles else None) or self.default
        if getattr(self.endpoints.get(name), "kind", "") in PROVIDER_KINDS:
            max_tokens = min(max_tokens * OPENAI_TOKEN_FACTOR, 32768)
        own = self.roles.get(role)
        if own is not None and own.temperature is not None:
            temperature = own.temperature
        if own is not None and own.max_tokens is not None:
            max_tokens = own.max_tokens
        return temperature, max_tokens


class FactorSpec(Strict):
    """A factor of variation; each becomes the root of one taxonomy."""

    name: str = Field(..., min_length=1, max_length=80)
    description: str = Field("", max_length=1000)
    depth: int | None = Field(None, ge=1, le=8, description="Levels below the root; default taxonomy.depth.")


class TaxonomySettings(Strict):
    depth: int = Field(2, ge=1, le=8, description="Levels below each factor's root.")
    max_factors: int = Field(4, ge=1, le=16, description="Most factors the model may propose.")
    proposals: int = Field(3, ge=1, le=16, description="N: independent child-list proposals per node (best-of-N).")
    min_children: int = Field(2, ge=0, le=64)
    max_children: int = Field(6, ge=1, le=64)
    critic: bool = Field(True, description="One critic call pools the N proposals and edits them.")
    level_plan: bool = Field(True, description="A plan per level so sibling branches get consistent granularity.")
    max_name_chars: int = Field(60, ge=8, le=200, description="Longer node names are rejected.")


class ExclusionSpec(Strict):
    nodes: list[str] = Field(..., min_length=2, description="Node paths such as 'Audience > Children'.")
    reason: str = Field("", max_length=500)


class StrategySpec(Strict):
    """A sampling strategy written by the user: taxonomies (or sub-trees) sampled together."""

    name: str = Field(..., min_length=1, max_length=80)
    weight: float = Field(1.0, gt=0, description="Relative share of datapoints drawn with this strategy.")
    description: str = Field("", max_length=1000)
    taxonomies: list[str] = Field(..., min_length=1, description="Factor names, or sub-trees 'Factor > Node'.")
    exclusions: list[ExclusionSpec] = Field(default_factory=list)


class StrategySettings(Strict):
    write: bool = Field(True, description="The model writes strategies; false: one strategy with every factor.")
    max_strategies: int = Field(3, ge=1, le=12)


class MixSettings(Strict):
    nodes: Literal["leaves", "any"] = Field("leaves", description="Draw leaves only, or nodes at any level.")
    weighting: Literal["balanced", "uniform"] = Field(
        "balanced", description="balanced: each branch of a level equally likely; uniform: each node equally likely.")


class DedupSettings(Strict):
    """Duplicates and benchmark overlap rejected by the dedup step, after every other step; no model call."""

    enabled: bool = Field(True, description="Reject a datapoint that repeats an accepted one or a reference item.")
    ngram: int = Field(5, ge=1, le=50, description="Words per n-gram; a text shorter than this matches only itself "
                       "(after case, spacing and punctuation are taken out).")
    overlap: float = Field(0.8, gt=0, le=1, description="n-gram score at or above which two texts are the same: "
                           "Jaccard against accepted datapoints, the share of a reference item's n-grams found in the "
                           "datapoint against references.")
    references: list[Path] = Field(default_factory=list, description="Reference files (JSONL, Parquet or a run "
                                   "directory, e.g. a benchmark's test set) no datapoint may overlap.")
    embedding_threshold: float | None = Field(None, gt=0, le=1, description="Also reject at this cosine similarity "
                                              "of the default embedder, all-MiniLM-L6-v2 (off when unset; 0.95 is eval's).")


class JudgeCheckSettings(Strict):
    """Before bulk generation (and in `seedless plan`): the double critic on datapoints whose answers are known to be
    correct and on corrupted copies of them; p (correct accepted) and q (corrupted accepted) decide whether to go on."""

    enabled: bool = Field(True, description="Run the check when the spec has known-correct datapoints (items, or "
                          "samples with the answer field) and the double critic is on.")
    items: Path | None = Field(None, description="JSONL of datapoints in the output format whose answers are correct "
                               "(relative to the spec file); default: the spec's samples that have the answer field.")
    size: int = Field(6, ge=1, le=200, description="Known-correct datapoints checked (the first ones).")
    min_gap: float = Field(0.3, ge=0, le=1, description="The judge must accept correct answers at least this much "
                           "more often than corrupted ones (p - q); below it the run stops.")
    on_fail: Literal["stop", "warn"] = Field("stop", description="stop: no generation when p - q < min_gap; warn: "
                                             "say so and go on.")


class GenerationSettings(Strict):
    """Local diversification, complexity and quality control of each datapoint."""

    meta_prompt: bool = Field(True, description="Turn each mix into a concrete scenario first (off: the mix itself).")
    candidates: int = Field(3, ge=1, le=8, description="K meta-prompt candidates drafted per datapoint; one kept.")
    history: int = Field(5, ge=0, le=20, description="Earlier meta-prompts of the same mix shown, so repeats differ.")
    history_lag: int = Field(1, ge=1, le=64, description="Repeats of one mix drafted at once: each sees the "
                             "meta-prompts of repeats at least this many before it (1: strictly one after another).")
    complexify: float = Field(0.5, ge=0, le=1, description="c: exact fraction of datapoints made harder.")
    requirement_critic: bool = Field(True, description="Check each datapoint against its meta-prompt and mix.")
    max_repairs: int = Field(2, ge=0, le=5, description="Repairs using the critic's explanation before rejecting.")
    double_critic: bool = Field(True, description="With an answer field: 'is it correct?' yes and 'is it wrong?' no.")
    blind_solve: bool = Field(True, description="Double critic, when the answer is one number: the judge first "
                              "solves the task without seeing the answer; a different result (or 'cannot be "
                              "determined') rejects before the two questions are asked.")
    slot_attempts: int = Field(2, ge=1, le=10, description="Tries of one slot (same mix) before it is given up.")
    max_attempts: int | None = Field(None, ge=1, description="Most tries in the whole run; default 4 x size.")
    validators: list[str] = Field(default_factory=list, description="Dotted paths (package.module.function) of "
                                  "Python callables run on each datapoint by the checks step: None or True passes, a "
                                  "string (or (False, reason)) rejects with that reason.")
    dedup: DedupSettings = Field(default_factory=DedupSettings)
    judge_check: JudgeCheckSettings = Field(default_factory=JudgeCheckSettings)

    def attempt_bound(self, size: int) -> int:
        return self.max_attempts if self.max_attempts is not None else 4 * size


class FieldSpec(Strict):
    name: str = Field(..., min_length=1, max_length=64, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    description: str = Field("", max_length=500)
    type: Literal["string", "integer", "number", "boolean", "list"] = "string"
    max_chars: int | None = Field(None, ge=1, le=20000, description="Longest value (each item of a list); "
                                  "sent in the JSON schema, so a constrained decoder stops there.")
    # Deterministic checks (the `checks` datapoint step); cross-field consistency in spec/checks.py.
    choices_from: str | None = Field(None, description="A list field of the same datapoint this value must be one "
                                     "of (compared case- and space-insensitively; a letter A, B, ... names an option "
                                     "by position).")
    choices: list[str | int | float] | None = Field(None, min_length=1, description="The values allowed.")
    items: int | None = Field(None, ge=1, le=64, description="A list field's exact number of items.")
    min_items: int | None = Field(None, ge=1, le=64, description="A list field's fewest items.")
    max_items: int | None = Field(None, ge=1, le=64, description="A list field's most items.")
    minimum: float | None = Field(None, description="A number field's smallest value.")
    maximum: float | None = Field(None, description="A number field's largest value.")
    pattern: str | None = Field(None, min_length=1, max_length=500, description="A regex the whole string matches.")
    unique: bool = Field(False, description="No two accepted datapoints share this value (normalised), across "
                         "the whole run directory.")

    @property
    def checked(self) -> bool:
        """Whether the field declares any deterministic check."""
        return self.unique or any(v is not None for v in (self.choices_from, self.choices, self.items,
                                                          self.min_items, self.max_items, self.minimum,
                                                          self.maximum, self.pattern))


META_PROMPT_FIELD = "@meta_prompt"  # a chat mapping's pseudo-field: the datapoint's lineage.meta_prompt


class ChatMapping(Strict):
    """`output.chat`, and the options of the chat export: which fields make each turn (docs/export.md). A side left
    unset is filled in by the default rule (core/dataset/chat_mapping.py); the export's flags override it."""

    user_fields: list[str] | None = Field(None, min_length=1, description="Fields of the user turn, in order "
                                          f"('{META_PROMPT_FIELD}': the datapoint's meta-prompt).")
    assistant_fields: list[str] | None = Field(None, min_length=1, description="Fields of the assistant turn.")
    system: str | None = Field(None, description="A system message put before every conversation.")
    letters: bool = Field(True, description="Option lists as lettered lines (A. ..., B. ...) and an answer that is "
                          "one of the options as its letter and text (B. Mercury); false: as they are.")


class OutputFormat(Strict):
    kind: Literal["text", "fields", "json_schema"] = "text"
    fields: list[FieldSpec] = Field(default_factory=list)
    json_schema: dict[str, Any] | None = Field(None, description="A JSON Schema object, when kind is json_schema.")
    answer_field: str | None = Field(None, description="The field holding the answer or label (double critic).")
    chat: ChatMapping | None = Field(None, description="The chat export's turns; unset: the default rule.")

    @model_serializer(mode="wrap")
    def _chat_only_when_set(self, handler: SerializerFunctionWrapHandler) -> Any:
        """A format without a chat mapping dumps as it did before there was one (the generation basis hashes it)."""
        data = handler(self)
        if self.chat is None and isinstance(data, dict):
            data.pop("chat", None)
        return data


class PromptSettings(Strict):
    """How the prompt templates are rendered: worked examples, and the user's own templates."""

    examples: Literal["auto", "always", "never"] = Field(
        "auto", description="Worked examples in the prompts. auto: on for small local models (endpoints of kind "
        "embedded or fake, and clients given by name), off for any other kind (openai); always; never.")
    dir: str | None = Field(None, description="A folder (relative to the spec file) of <call site>.j2 templates "
                            "that replace the packaged ones; checked by `seedless validate`.")

    def examples_for(self, kind: str) -> bool:
        """Whether a call to an endpoint of this kind ("": a client given by name) shows the worked examples."""
        if self.examples != "auto":
            return self.examples == "always"
        return kind in ("embedded", "fake", "")


class Spec(Strict):
    """The user's description of the dataset to build."""

    name: str | None = Field(None, max_length=120)
    description: str = Field(..., min_length=10, description="y: the dataset, in plain language.")
    samples: list[Union[str, dict[str, Any]]] = Field(default_factory=list, description="S: optional examples.")
    factors: list[FactorSpec] = Field(default_factory=list, description="Given factors, used as given.")
    taxonomy: TaxonomySettings = Field(default_factory=TaxonomySettings)
    strategies: list[StrategySpec] = Field(default_factory=list, description="Given strategies, used as given.")
    strategy: StrategySettings = Field(default_factory=StrategySettings)
    mix: MixSettings = Field(default_factory=MixSettings)
    size: int = Field(100, ge=1, le=10_000_000, description="N: accepted datapoints to generate.")
    generation: GenerationSettings = Field(default_factory=GenerationSettings)
    output: OutputFormat = Field(default_factory=OutputFormat)
    models: ModelsSettings = Field(default_factory=ModelsSettings)
    prompts: PromptSettings = Field(default_factory=PromptSettings)
    seed: int = Field(0, ge=0, le=2**31 - 1)
    # Set by the loader: the file and the line of every YAML path, so that problems found later (the spec's
    # strategies against the taxonomies) name them too.
    _source: tuple[str, dict[tuple[str | int, ...], int]] | None = PrivateAttr(None)

    def factor_depth(self, factor: FactorSpec) -> int:
        return factor.depth if factor.depth is not None else self.taxonomy.depth
