"""Expected model calls, tokens and cost of a run from its spec alone: pure arithmetic over stated assumptions."""

from __future__ import annotations

import math
from dataclasses import dataclass

from seedless.spec.models import Price, Role, Spec


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
    """One stage's calls: `prompt` is the call site's template name (engine/llm/prompts/<prompt>.j2)."""

    stage: str
    role: Role
    prompt: str
    calls: Range


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


@dataclass(frozen=True)
class TryShape:
    """Calls of one try (one datapoint attempt) beyond meta-prompt, complexification and generation."""

    critic_rounds: float
    repairs: float
    judge_calls: float
    accepted: float  # chance that the try is accepted


def try_shape(spec: Spec, acceptance: float) -> TryShape:
    """Each requirement round passes with `acceptance`; a failed round is repaired (up to max_repairs) and
    checked again; a datapoint that passes meets the double critic (two calls), which passes with `acceptance`."""
    g = spec.generation
    fail = 1.0 - acceptance
    rounds = repairs = 0.0
    passed = 1.0
    if g.requirement_critic:
        rounds = sum(fail ** k for k in range(g.max_repairs + 1))
        repairs = sum(fail ** k for k in range(1, g.max_repairs + 1))
        passed = 1.0 - fail ** (g.max_repairs + 1)
    judge = 0.0
    if g.double_critic and spec.output.answer_field:
        judge = 2.0 * passed
        passed *= acceptance
    return TryShape(rounds, repairs, judge, passed)


def tries(spec: Spec, acceptance: float) -> float:
    """Expected tries for `size` accepted datapoints: size / P(accept), capped by the attempt bound. A slot's
    retries (slot_attempts) do not change this ratio: per slot, tries and acceptances shrink together."""
    shape = try_shape(spec, acceptance)
    bound = spec.generation.attempt_bound(spec.size)
    return float(bound) if shape.accepted <= 0 else min(spec.size / shape.accepted, float(bound))


def complexified_share(spec: Spec) -> float:
    """The complexified stream's share of the accepted datapoints: round(c * size) / size."""
    return round(spec.generation.complexify * spec.size) / spec.size


def expected_calls(spec: Spec, assumptions: Assumptions) -> list[StageCalls]:
    """Every stage's calls (low: every check passes and the fewest children; expected: the assumptions and the
    midpoint of children; high: the most children and every try of the attempt bound with every repair)."""
    t, g = spec.taxonomy, spec.generation
    nodes, plans = _tree_calls(spec)
    out: list[StageCalls] = []
    one = Range(1, 1, 1)
    if not spec.factors:
        out.append(StageCalls("factors", Role.factor_proposer, "factors", one))
    out.append(StageCalls("taxonomy proposals", Role.taxonomy_proposer, "taxonomy_propose", nodes.scale(t.proposals)))
    if t.critic:
        out.append(StageCalls("taxonomy critic", Role.taxonomy_critic, "taxonomy_critic", nodes))
    if t.level_plan:
        out.append(StageCalls("level plans", Role.level_planner, "level_plan", plans))
    if not spec.strategies and spec.strategy.write:
        out.append(StageCalls("strategies", Role.strategist, "strategies", one))
    low, mid, high = try_shape(spec, 1.0), try_shape(spec, assumptions.acceptance), _worst_try(spec)
    n = Range(float(spec.size), tries(spec, assumptions.acceptance), float(g.attempt_bound(spec.size)))
    if g.meta_prompt:
        out.append(StageCalls("meta-prompts", Role.meta_prompter, "meta_prompt", n))
    if complexified_share(spec) > 0:
        out.append(StageCalls("complexification", Role.complexifier, "complexify", n.scale(complexified_share(spec))))
    out.append(StageCalls("generation", Role.generator, "generate", n))
    if g.requirement_critic:
        out.append(StageCalls("requirement critic", Role.critic, "critic_requirements",
                              Range(n.low * low.critic_rounds, n.expected * mid.critic_rounds,
                                    n.high * high.critic_rounds)))
        if g.max_repairs:
            out.append(StageCalls("repairs", Role.generator, "repair_datapoint",
                                  Range(n.low * low.repairs, n.expected * mid.repairs, n.high * high.repairs)))
    if g.double_critic and spec.output.answer_field:
        out.append(StageCalls("double critic", Role.judge, "judge_correct",
                              Range(n.low * low.judge_calls, n.expected * mid.judge_calls,
                                    n.high * high.judge_calls)))
    return out


def _worst_try(spec: Spec) -> TryShape:
    """Every repair used and the double critic reached on every try (the datapoint still rejected)."""
    g = spec.generation
    rounds = float(g.max_repairs + 1) if g.requirement_critic else 0.0
    repairs = float(g.max_repairs) if g.requirement_critic else 0.0
    judge = 2.0 if g.double_critic and spec.output.answer_field else 0.0
    return TryShape(rounds, repairs, judge, 0.0)


@dataclass(frozen=True)
class CallSite:
    """How one stage's calls are sized and priced: the endpoint and model its role uses, prompt tokens per call
    (from the rendered template), the role's max_tokens, and the price when the spec gives one."""

    endpoint: str
    model: str
    prompt_tokens: float
    max_tokens: int
    price: Price | None = None


@dataclass(frozen=True)
class StageEstimate:
    calls: StageCalls
    site: CallSite
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
    unpriced: list[str]  # stages whose model has no price (the cost total leaves them out)

    def total(self, what: str) -> Range:
        out = ZERO
        for stage in self.stages:
            value = stage.calls.calls if what == "calls" else getattr(stage, what)
            out = out + (value if value is not None else ZERO)
        return out


def estimate(stages: list[StageCalls], sites: dict[str, CallSite], assumptions: Assumptions) -> Estimate:
    """Pair each stage with its call site (keyed by prompt name)."""
    rows = [StageEstimate(s, sites[s.prompt], assumptions.completion_fraction) for s in stages]
    return Estimate(rows, assumptions, [r.calls.stage for r in rows if r.site.price is None])
