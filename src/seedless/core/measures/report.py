"""The eval report as typed models: one section type per measure, and the report that holds them (the JSON file)."""

# All six built-in section types live here, beside EvalReport, rather than one beside each pure measure module:
# together they are the report file's format, read back by `split` and rendered by the CLI, so the whole format is
# seen (and kept byte-stable) in one place. A plugin measure defines its section type in its own module.
# Field order is key order in the file, and values are rounded by whoever builds a section, as the file shows them.

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    SerializeAsAny,
    model_serializer,
    model_validator,
)

from seedless.core.measures.elo import RatingSummary

Json = JsonValue


_STRICT = ConfigDict(extra="forbid", validate_by_name=True, validate_by_alias=True, serialize_by_alias=True)


class Section(BaseModel):
    """A measure's section of the report. Every section type says what it found in one line (`summary`), which
    is how the CLI shows a section it has no dedicated rendering for."""

    model_config = _STRICT

    def summary(self) -> str:
        raise NotImplementedError(f"{type(self).__name__} gives no summary")


class _Part(BaseModel):
    model_config = _STRICT


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


# coverage


class CoverageLevel(_Part):
    level: int
    nodes: int
    hit: int
    ratio: float  # rounded to 4 places
    uncovered: list[list[str]]


class CoverageHit(_Part):
    path: list[str]
    items: int


class FactorCoverage(_Part):
    factor: str
    levels: list[CoverageLevel]
    hits: list[CoverageHit]
    unassigned: int
    failures: list[str]


class CoverageSection(Section):
    mode: str
    taxonomies: list[FactorCoverage]
    assignments: dict[str, dict[str, list[str]]]  # item id -> factor -> path

    def summary(self) -> str:
        shown = ", ".join(f"{t.factor} {100 * t.levels[-1].ratio:.0f}% at level {t.levels[-1].level}"
                          for t in self.taxonomies if t.levels)
        return f"{len(self.taxonomies)} taxonomy(ies), {self.mode}" + (f": {shown}" if shown else "")


# complexity


RatingSummaryPart = RatingSummary  # the measure's own summary type (core/measures/elo.py), as the report holds it


class ComplexitySection(Section):
    method: str
    batch: int
    per_item: int
    batches: int
    comparisons: int
    summary_: RatingSummaryPart | None = Field(alias="summary")
    ratings: dict[str, float]  # item id -> Elo rating, rounded to 2 places
    failures: list[str]

    def summary(self) -> str:
        s = self.summary_
        if s is None:
            return f"no rating ({len(self.failures)} failed batch(es))"
        return f"median {s.median:.0f}, quartiles {s.q1:.0f}-{s.q3:.0f} over {self.comparisons} comparisons"


# diversity and duplicates


class DiversitySection(Section):
    embedder: str
    k: int
    global_: float = Field(alias="global")  # rounded to 6 places
    local: float

    def summary(self) -> str:
        return f"global {self.global_:.4f}, local {self.local:.4f} (k={self.k}, {self.embedder})"


class ReferenceMatch(_Part):
    item: str
    reference_item: str
    similarity: float


class ReferenceOverlap(_Part):
    """overlapping / matches: by embedding similarity (>= the duplicate threshold); ngram_*: by text, the share of
    a reference item's word n-grams found in the item (>= overlap_threshold), which catches a copied question
    inside a longer item that the embedding dilutes."""

    reference: str
    overlapping: int
    fraction: float
    matches: list[ReferenceMatch]
    ngram_overlapping: int = 0
    ngram_matches: list[ReferenceMatch] = Field(default_factory=list)


class DuplicatesSection(Section):
    embedder: str = ""  # the identity of the embedder behind the similarities
    threshold: float
    pairs: int
    groups: list[list[str]]
    items_in_groups: int
    redundant: int
    contamination: list[ReferenceOverlap]

    def summary(self) -> str:
        return f"{len(self.groups)} group(s), {self.items_in_groups} item(s) (cosine >= {self.threshold})"


# taxonomy quality


class JudgedNode(_Part):
    path: list[str]
    label: str
    expert: list[str] | None


class Scores(_Part):
    """Completeness, soundness, novelty (4 places) and the count of each label; all None when nothing was judged."""

    completeness: float | None
    soundness: float | None
    novelty: float | None
    counts: dict[str, int] | None  # label -> nodes, in label order


class FactorQualityPart(_Part):
    factor: str
    expert_factor: str
    expert_nodes: int
    generated_nodes: int
    completeness: float | None
    soundness: float | None
    novelty: float | None
    counts: dict[str, int] | None
    nodes: list[JudgedNode]
    expert_unmatched: list[list[str]]
    unlabelled: list[list[str]]
    batches: int
    failures: list[str]


class TaxonomyQualitySection(Section):
    generated: str
    expert: str
    expert_nodes: int
    completeness: float | None
    soundness: float | None
    novelty: float | None
    counts: dict[str, int] | None
    factors: list[FactorQualityPart]
    unmatched_generated_factors: list[str]
    unmatched_expert_factors: list[str]

    def summary(self) -> str:
        return (f"completeness {_share(self.completeness)}, soundness {_share(self.soundness)}, "
                f"novelty {_share(self.novelty)} ({self.expert_nodes} expert nodes)")


# critic


class CriticCounts(_Part):
    correct: int
    correct_accepted: int
    corrupted: int
    corrupted_accepted: int
    identical_dropped: int
    retried: int
    corruption_failed: int
    critic_failed: int


class FilteringAt(_Part):
    mu: float
    accepted: float | None
    accuracy: float | None
    lift: float | None


class VerdictPart(_Part):
    accepted: bool
    blind_result: str | None = None  # the judge's result solving blind (None: no blind solve was made)
    correct: str = Field(alias="correct?")
    incorrect: str = Field(alias="incorrect?")
    explanations: list[str]


class CriticResult(_Part):
    id: str
    answer: Json
    original: VerdictPart | None
    corrupted_answer: Json
    change: str
    corrupted: VerdictPart | None
    retried: bool
    dropped: str | None
    failures: list[str]


class CriticSection(Section):
    answer_field: str
    items: int
    generator_accuracy: float
    p: float | None
    q: float | None
    separates: bool | None
    rejection_rate: float | None
    counts: CriticCounts
    filtering: list[FilteringAt]
    results: list[CriticResult]

    def summary(self) -> str:
        return f"p {_share(self.p)}, q {_share(self.q)}, rejection rate {_share(self.rejection_rate)}"


# the report

BUILT_IN = ("coverage", "complexity", "diversity", "duplicates", "taxonomy_quality", "critic")
_HEAD = ("data", "items", "settings", "taxonomy", "expert")  # the keys written before the sections


class EvalReport(BaseModel):
    """What `seedless eval` measured. `settings` and `usage` are the JSON form of other typed objects (the
    EvalSettings without models, the store's usage rows). A plugin measure's section is kept in `plugins` and
    written under its own name after `critic`; reading one back needs its type (`read(..., plugins=...)`)."""

    model_config = ConfigDict(extra="forbid")

    data: str | None
    items: int
    settings: dict[str, Json]
    taxonomy: str | None = None
    expert: str | None = None
    coverage: CoverageSection | None = None
    complexity: ComplexitySection | None = None
    diversity: DiversitySection | None = None
    duplicates: DuplicatesSection | None = None
    taxonomy_quality: TaxonomyQualitySection | None = None  # absent from reports before taxonomy quality
    critic: CriticSection | None = None  # absent from reports before the critic measure
    notes: list[str] = Field(default_factory=list)
    usage: list[dict[str, Json]] = Field(default_factory=list)
    calls_sent: int = 0
    calls_reused: int = 0
    plugins: dict[str, SerializeAsAny[Section]] = Field(default_factory=dict)

    def section(self, name: str) -> Section | None:
        return getattr(self, name) if name in BUILT_IN else self.plugins.get(name)

    def put(self, name: str, section: Section) -> None:
        if name in BUILT_IN:
            setattr(self, name, section)
        else:
            self.plugins[name] = section

    def sections(self) -> Iterator[tuple[str, Section]]:
        """The sections present, built-in ones first in file order, then the plugins' in the order they ran."""
        for name in (*BUILT_IN, *self.plugins):
            section = self.section(name)
            if section is not None:
                yield name, section

    @model_serializer(mode="wrap")
    def _layout(self, handler: Any) -> dict[str, Any]:
        dumped = handler(self)
        plugins = dumped.pop("plugins", {})
        out: dict[str, Any] = {}
        for key, value in dumped.items():
            out[key] = value
            if key == "critic":
                out.update(plugins)
        return out

    @model_validator(mode="before")
    @classmethod
    def _gather_plugins(cls, raw: Any, info: Any) -> Any:
        known: Mapping[str, type[Section]] = (info.context or {}).get("plugins", {})
        if not isinstance(raw, dict) or not known or "plugins" in raw:
            return raw
        kept = {k: v for k, v in raw.items() if k not in known}
        kept["plugins"] = {k: known[k].model_validate(v) for k, v in raw.items() if k in known}
        return kept

    def as_dict(self) -> dict[str, Any]:
        """The report as written to its file: keys in file order, sections as plain dicts."""
        return self.model_dump()

    @classmethod
    def read(cls, parsed: object, plugins: Mapping[str, type[Section]] | None = None) -> EvalReport:
        """A report file's parsed JSON read back (also one written before a section type existed); `plugins`
        gives the section types of plugin measures by name (any other unknown key is an error)."""
        return cls.model_validate(parsed, context={"plugins": dict(plugins or {})})


__all__ = ["BUILT_IN", "ComplexitySection", "CoverageSection", "CriticSection", "DiversitySection",
           "DuplicatesSection", "EvalReport", "Section", "TaxonomyQualitySection"]
