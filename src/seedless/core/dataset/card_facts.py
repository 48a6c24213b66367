"""What a dataset card says, typed: the run's facts (taxonomies, strategies, N/V, rejections, judge check, models,
usage), the layout of the files it describes (columns, data file) and an eval summary; kept in the store as JSON."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from seedless.core.dataset.record import JudgeFigures


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FactorShape(_Part):
    """A factor's taxonomy: nodes per level below its root (level 1 first) and its leaves."""

    name: str
    description: str = ""
    levels: list[int]
    leaves: int


class StrategyLine(_Part):
    name: str
    weight: float
    taxonomies: list[str]  # each component's sub-tree as "Factor > ... > Node" ("Factor": the whole taxonomy)
    exclusions: int = 0
    description: str = ""


class StageLine(_Part):
    stage: str
    reached: int
    rejected: int

    @property
    def rate(self) -> float:
        return self.rejected / self.reached if self.reached else 0.0


class NodeLine(_Part):
    path: list[str]
    tries: int
    rejected: int

    @property
    def rate(self) -> float:
        return self.rejected / self.tries if self.tries else 0.0


class RoleModel(_Part):
    """A role's model as the store recorded it, with its calls and tokens."""

    role: str
    model: str
    calls: int
    tokens: int


class UsageLine(_Part):
    """Every stored call of one stage on one model; cost None when the spec gives no price for that model."""

    stage: str
    model: str
    calls: int
    prompt_tokens: int
    completion_tokens: int
    cost: float | None = None


class RunFacts(_Part):
    """How the run made its dataset (what `seedless run` knows when it writes the files)."""

    factors: list[FactorShape]
    strategies: list[StrategyLine]
    target: int  # N
    reachable: int  # V
    exact: bool  # V counted exactly (else estimated)
    budget: str  # CoverageBudget.meaning()
    complexify: float  # c
    complete: bool  # `size` datapoints were accepted
    tries: int
    accepted: int
    stages: list[StageLine]
    hard_nodes: list[NodeLine]  # the nodes rejected most (tried at least 3 times), worst first
    warnings: list[str] = Field(default_factory=list)
    judge: JudgeFigures | None = None
    judge_skipped: str | None = None
    models: list[RoleModel] = Field(default_factory=list)
    usage: list[UsageLine] = Field(default_factory=list)


class CardFacts(_Part):
    """Everything a card of the run says but the layout of its files: the spec's words and the run's facts (None for
    a run directory seedless did not make, or one made before cards)."""

    name: str | None
    description: str
    seedless_version: str
    answer_field: str | None = None
    rows: int
    rejected: int | None = None  # tries in rejected.jsonl
    run: RunFacts | None = None


class Column(_Part):
    name: str
    type: str
    description: str = ""


class EvalLine(_Part):
    measure: str
    summary: str


class EvalFacts(_Part):
    """The eval report's one-line summaries, and where it is."""

    report: str
    items: int
    lines: list[EvalLine]


class CardLayout(_Part):
    """The files the card sits beside: the data file the Hub viewer reads (`configs`), its columns, its rows, and
    the eval summary to show (None: none)."""

    data_file: str
    columns: list[Column]
    rows: int
    eval: EvalFacts | None = None
    repo: str | None = None  # the Hub repository, when the card is pushed there


SIZE_CATEGORIES = ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M"),
                   (10_000_000, "1M<n<10M"), (100_000_000, "10M<n<100M"), (1_000_000_000, "100M<n<1B"))


def size_category(rows: int) -> str:
    """The Hub's size_categories value for a dataset of `rows` rows."""
    return next((name for bound, name in SIZE_CATEGORIES if rows < bound), "n>1B")
