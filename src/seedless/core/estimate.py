"""Expected model calls, tokens and cost of a run from its spec alone: pure arithmetic over stated assumptions."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from seedless.core import calls
from seedless.core.calls import CallSite
from seedless.core.dataset.output_format import answer_is_numeric
from seedless.spec.models import Price, Role, Spec

CHARS_PER_TOKEN = 4  # the one guess of tokens before a reply says how many: characters / 4
MESSAGE_OVERHEAD = 4  # tokens of chat framing per message


def guess_tokens(messages: tuple[tuple[str, str], ...]) -> int:
    """A prompt's tokens before it is sent (the budget's reservation, the estimate's sizing): characters / 4
    plus a little framing per message."""
    return sum(len(content) // CHARS_PER_TOKEN + MESSAGE_OVERHEAD for _, content in messages)


@dataclass(frozen=True)
class Assumptions:
    """acceptance: the chance that one critic check passes (each requirement-critic round, the double critic).
    completion_fraction: the share of a role's max_tokens a typical reply uses."""

    acceptance: float = 0.8
    completion_fraction: float = 0.5


@dataclass(frozen=True)
class Range:
    low: float
    expected: float
    high: float

    def __add__(self, other: Range) -> Range:
        return Range(self.low + other.low, self.expected + other.expected, self.high + other.high)

    def scale(self, factor: float) -> Range:
        return Range(self.low * factor, self.expected * factor, self.high * factor)


ZERO = Range(0.0, 0.0, 0.0)


@dataclass(frozen=True)
class StageCalls:
    """One call site's calls (core/calls.py names the site, its stage and role)."""

    site: CallSite
    calls: Range

    @property
    def stage(self) -> str:
        return self.site.stage

    @property
    def role(self) -> Role:
        return self.site.role

    @property
    def prompt(self) -> str:
        return self.site.name


@dataclass(frozen=True)
class StepLoad:
    """What one datapoint step costs a try that reaches it: calls per call site name, and the chance that the try
    goes on past it (its checks pass)."""

    step: str
    calls: dict[str, float]
    passes: float


LoadsAt = Callable[[float], "list[StepLoad]"]  # the enabled steps' loads, in order, at a given acceptance


def per_try(loads: list[StepLoad], *, reach_every_step: bool = False) -> tuple[dict[str, float], float]:
    """(calls per call site of one try, the chance the try is accepted). A try reaches a step with the chance that
    every step before it passed, or always (`reach_every_step`: the worst case, every check failing late)."""
    reach, calls = 1.0, {}
    for load in loads:
        for name, n in load.calls.items():
            calls[name] = calls.get(name, 0.0) + n * (1.0 if reach_every_step else reach)
        reach *= load.passes
    return calls, reach


def child_counts(spec: Spec) -> Range:
    """Children per expanded node: min_children (at least 1), their midpoint with max_children, max_children."""
    s = spec.taxonomy
    low = max(1, min(s.min_children, s.max_children))
    return Range(low, (low + s.max_children) / 2, s.max_children)


def factor_depths(spec: Spec) -> tuple[list[int], list[int], list[int]]:
    """Depth of each taxonomy (low, expected, high): the given factors; else max_factors proposed (expected and
    high) or half of them, rounded up (low)."""
    if spec.factors:
        depths = [spec.factor_depth(f) for f in spec.factors]
        return depths, depths, depths
    most = spec.taxonomy.max_factors
    depth = spec.taxonomy.depth
    return [depth] * math.ceil(most / 2), [depth] * most, [depth] * most


def expanded_nodes(depth: int, children: float) -> float:
    """Nodes expanded in a tree `depth` levels deep: the root and every node above the leaves."""
    return sum(children ** level for level in range(depth))


def leaves(spec: Spec) -> float:
    """Expected leaves over every taxonomy together."""
    _, depths, _ = factor_depths(spec)
    return sum(child_counts(spec).expected ** d for d in depths)


def mixes(spec: Spec) -> float:
    """Expected distinct mixes V when every taxonomy is sampled together (leaf per taxonomy)."""
    _, depths, _ = factor_depths(spec)
    return math.prod(child_counts(spec).expected ** d for d in depths)


def _tree_calls(spec: Spec) -> tuple[Range, Range]:
    """(expanded nodes, level plans) summed over the taxonomies."""
    kids = child_counts(spec)
    lows, exps, highs = factor_depths(spec)
    nodes = Range(sum(expanded_nodes(d, kids.low) for d in lows), sum(expanded_nodes(d, kids.expected) for d in exps),
                  sum(expanded_nodes(d, kids.high) for d in highs))
    plans = Range(sum(d - 1 for d in lows), sum(d - 1 for d in exps), sum(d - 1 for d in highs))
    return nodes, plans


def judge_check_items(spec: Spec) -> int:
    """Known-correct datapoints the judge check will judge (a file's count is not read here: its `size` bound)."""
    j, answer = spec.generation.judge_check, spec.output.answer_field
    if not (j.enabled and spec.generation.double_critic and answer):
        return 0
    if j.items is not None:
        return j.size
    return min(j.size, sum(isinstance(s, dict) and answer in s for s in spec.samples))


def expected_calls(spec: Spec, assumptions: Assumptions, loads_at: LoadsAt) -> list[StageCalls]:
    """Every call site's calls (low: every check passes and the fewest children; expected: the assumptions and the
    midpoint of children; high: the most children and every try of the attempt bound reaching every step with
    every repair). The datapoint steps' calls come from their own loads (`loads_at`), in registry order."""
    t, g = spec.taxonomy, spec.generation
    nodes, plans = _tree_calls(spec)
    out: list[StageCalls] = []
    one = Range(1, 1, 1)
    if not spec.factors:
        out.append(StageCalls(calls.FACTORS, one))
    out.append(StageCalls(calls.TAXONOMY_PROPOSE, nodes.scale(t.proposals)))
    if t.critic:
        out.append(StageCalls(calls.TAXONOMY_CRITIC, nodes))
    if t.level_plan:
        out.append(StageCalls(calls.LEVEL_PLAN, plans))
    if not spec.strategies and spec.strategy.write:
        out.append(StageCalls(calls.STRATEGIES, one))
    low, _ = per_try(loads_at(1.0))
    mid, accepted = per_try(loads_at(assumptions.acceptance))
    high, _ = per_try(loads_at(0.0), reach_every_step=True)
    bound = float(g.attempt_bound(spec.size))
    tries = bound if accepted <= 0 else min(spec.size / accepted, bound)
    checked = judge_check_items(spec)  # each: the double critic on it and on a corrupted copy
    if checked:
        out.append(StageCalls(calls.CORRUPT_ANSWER, Range(checked, checked, 2 * checked)))
    judged = {calls.JUDGE_CORRECT.name: 2.0 * checked, calls.JUDGE_INCORRECT.name: 2.0 * checked}
    if g.blind_solve and answer_is_numeric(spec.output):  # the copy shares the original's task: one solve, or two
        judged[calls.JUDGE_SOLVE.name] = float(checked)
    for name in dict.fromkeys([*low, *mid, *high]):
        extra = judged.get(name, 0.0)
        most = 2 * extra if name == calls.JUDGE_SOLVE.name else extra
        counts = Range(spec.size * low.get(name, 0.0) + extra, tries * mid.get(name, 0.0) + extra,
                       bound * high.get(name, 0.0) + most)
        if counts.high > 0:
            out.append(StageCalls(calls.CALL_SITES[name], counts))
    return out


@dataclass(frozen=True)
class SiteCost:
    """How one call site's calls are sized and priced: the endpoint and model its role uses, prompt tokens per call
    (from the rendered template), the role's max_tokens, and the price when the spec gives one."""

    endpoint: str
    model: str
    prompt_tokens: float
    max_tokens: int
    price: Price | None = None


@dataclass(frozen=True)
class StageEstimate:
    calls: StageCalls
    site: SiteCost
    completion_fraction: float

    @property
    def prompt_tokens(self) -> Range:
        return self.calls.calls.scale(self.site.prompt_tokens)

    @property
    def completion_tokens(self) -> Range:
        """Expected and low at the typical fraction of max_tokens; high at max_tokens on every call."""
        c, per = self.calls.calls, self.site.max_tokens
        return Range(c.low * per * self.completion_fraction, c.expected * per * self.completion_fraction,
                     c.high * per)

    @property
    def cost(self) -> Range | None:
        price = self.site.price
        if price is None:
            return None
        p, c = self.prompt_tokens, self.completion_tokens
        return Range(*((pi * price.input_per_million + ci * price.output_per_million) / 1e6
                       for pi, ci in ((p.low, c.low), (p.expected, c.expected), (p.high, c.high))))


@dataclass(frozen=True)
class Estimate:
    stages: list[StageEstimate]
    assumptions: Assumptions
    unpriced: list[str]  # call sites whose model has no price (the cost total leaves them out)

    def total(self, what: str) -> Range:
        out = ZERO
        for stage in self.stages:
            value = stage.calls.calls if what == "calls" else getattr(stage, what)
            out = out + (value if value is not None else ZERO)
        return out


def estimate(stages: list[StageCalls], sites: dict[str, SiteCost], assumptions: Assumptions) -> Estimate:
    """Pair each call site's calls with its sizing (keyed by the call site's name)."""
    rows = [StageEstimate(s, sites[s.prompt], assumptions.completion_fraction) for s in stages]
    return Estimate(rows, assumptions, [r.calls.prompt for r in rows if r.site.price is None])
