"""Taxonomy expansion: breadth-first per factor; per node N proposals, a critic over the pool, a plan per level."""

from __future__ import annotations

from collections import Counter

from seedless.core.calls import LEVEL_PLAN, TAXONOMY_CRITIC, TAXONOMY_PROPOSE
from seedless.core.replies import ChildrenReply, CriticReply, PlanReply
from seedless.core.taxonomy.names import Rejected, select_names
from seedless.core.taxonomy.provenance import LevelPlan, NodeDecision, RejectedName
from seedless.core.taxonomy.tree import Node, Path, Taxonomy, TaxonomySet, name_key
from seedless.core.text import clip
from seedless.engine.events import EventSink, LevelStarted, NodeExpanded, ignore
from seedless.engine.llm.caller import CALL_FAILED, Caller
from seedless.engine.stages.factors import StageError
from seedless.engine.tasks import together
from seedless.spec.models import Role, Spec

PLAN_CHARS = 600


def pool(proposals: list[list[str]]) -> list[tuple[str, int]]:
    """Distinct names across proposals with their vote counts: most votes first, then first seen."""
    votes: Counter[str] = Counter()
    first: dict[str, str] = {}
    for names in proposals:
        for name in dict.fromkeys(names):
            key = name_key(name)
            votes[key] += 1
            first.setdefault(key, name)
    order = list(first)
    return [(first[k], votes[k]) for k in sorted(order, key=lambda k: (-votes[k], order.index(k)))]


def _rejected(items: list[Rejected]) -> list[RejectedName]:
    return [RejectedName(name=r.name, reason=r.reason) for r in items]


def reasons(decision: NodeDecision, limit: int = 3) -> str:
    """The distinct reasons of a node's failures ("proposal N: " left out), the first `limit` of them."""
    distinct = dict.fromkeys(f.split(": ", 1)[1] if f.startswith("proposal ") else f for f in decision.failures)
    shown = [clip(r, 300) for r in list(distinct)[:limit]]
    return "; ".join(shown) + (f"; and {len(distinct) - limit} more" if len(distinct) > limit else "")


def lost_expansions(taxonomies: TaxonomySet, decisions: list[NodeDecision]) -> list[NodeDecision]:
    """The nodes of this build whose every proposal failed (they stay leaves until the command runs again); a
    StageError when a taxonomy got no child at all because of it: there is nothing to sample from."""
    lost = [d for d in decisions if d.lost]
    roots = {name_key(d.path[0]): d for d in lost if len(d.path) == 1}
    empty = [roots[name_key(t.factor)] for t in taxonomies.taxonomies
             if not t.root.children and name_key(t.factor) in roots]
    if empty:
        errored = any(CALL_FAILED in f for d in empty for f in d.failures)
        hint = ("Check the endpoint: calls that failed are sent again when the command runs again" if errored
                else "Use a stronger taxonomy_proposer model: replies are stored, so the same model answers the same")
        raise StageError("the taxonomy stage produced nothing: " + "; ".join(
            f"every proposal for factor '{d.factor}' failed ({reasons(d)})" for d in empty) + f". {hint}.")
    return lost


class TaxonomyBuilder:
    """Expands every childless node above its factor's depth, except leaves the user emptied (`frozen`)."""

    def __init__(self, spec: Spec, caller: Caller | None, *, frozen: set[Path] | None = None,
                 events: EventSink = ignore):
        self.spec = spec
        self.s = spec.taxonomy
        self.caller = caller
        self.frozen = frozen or set()
        self.events = events
        self.plans: list[LevelPlan] = []
        self.decisions: list[NodeDecision] = []

    def _base_vars(self, tax: Taxonomy) -> dict[str, object]:
        return {"description": self.spec.description.strip(), "factor": tax.factor,
                "factor_description": tax.root.description}

    async def build(self, tax: Taxonomy) -> None:
        for level in range(tax.depth):
            todo = [(p, n) for p, n in tax.level(level)
                    if not n.children and tuple(name_key(x) for x in p) not in self.frozen]
            if not todo:
                continue
            plan = await self._plan(tax, level) if self.s.level_plan and level >= 1 else None
            self.events(LevelStarted(tax.factor, level + 1, len(todo)))
            await together(self._expand(tax, path, node, plan) for path, node in todo)

    def plan_variables(self, tax: Taxonomy, level: int) -> dict[str, object]:
        """The level plan's template variables (the run and `seedless estimate` alike)."""
        return self._base_vars(tax) | {"level": level, "nodes": [list(p) for p, _ in tax.level(level)]}

    def node_variables(self, tax: Taxonomy, path: Path, node: Node, plan: str | None) -> dict[str, object]:
        """What the proposer and the critic of one node see (each adds its own few: the proposal's number,
        the pooled names)."""
        s = self.s
        return self._base_vars(tax) | {
            "node": node.name, "path": list(path), "siblings": self._siblings(tax, path), "plan": plan,
            "min_children": max(1, s.min_children), "max_children": s.max_children, "max_chars": s.max_name_chars,
            "proposals": s.proposals,
        }

    async def _plan(self, tax: Taxonomy, level: int) -> str | None:
        reply_type = PlanReply.bounded(max_chars=self.caller.text_cap(Role.level_planner, PLAN_CHARS))
        result = await self.caller.ask(LEVEL_PLAN, self.plan_variables(tax, level), reply_type)
        if result.value is None:
            return None
        plan = " ".join(result.value.plan.split())
        self.plans.append(LevelPlan(factor=tax.factor, level=level + 1, plan=plan))
        return plan

    @staticmethod
    def _above(tax: Taxonomy, path: Path) -> list[str]:
        """Siblings of every node on the path below the root: names a child must not repeat."""
        names: list[str] = []
        for i in range(1, len(path)):
            parent = tax.find(path[:i])
            names += [c.name for c in parent.children] if parent else []
        return names

    def _siblings(self, tax: Taxonomy, path: Path) -> list[str]:
        parent = tax.find(path[:-1]) if len(path) > 1 else None
        return [c.name for c in parent.children if c.name != path[-1]] if parent else []

    async def _expand(self, tax: Taxonomy, path: Path, node: Node, plan: str | None) -> None:
        s = self.s
        variables = self.node_variables(tax, path, node, plan)
        decision = NodeDecision(factor=tax.factor, path=list(path))
        reply_type = ChildrenReply.bounded(max_items=s.max_children, max_chars=s.max_name_chars)
        results = await together(
            self.caller.ask(TAXONOMY_PROPOSE, variables | {"sample": i}, reply_type, sample=i)
            for i in range(s.proposals))
        ancestors = list(path)
        above = self._above(tax, path)
        for i, result in enumerate(results):
            if result.value is None:
                decision.failures.append(f"proposal {i + 1}: " + "; ".join(result.failures))
                continue
            names, rejected = select_names(result.value.children, ancestors=ancestors, above=above,
                                           max_chars=s.max_name_chars, limit=s.max_children * 2)
            decision.proposals.append(names)
            decision.rejected.extend(_rejected(rejected))
        pooled = pool(decision.proposals)
        decision.pooled = [n for n, _ in pooled]
        final = decision.pooled[: s.max_children]
        if s.critic and pooled:
            final = await self._criticise(variables, pooled, decision, above) or final
        if len(final) < s.min_children:
            extra = [n for n in decision.pooled if name_key(n) not in {name_key(f) for f in final}]
            topped = final + extra[: s.min_children - len(final)]
            if len(topped) > len(final):
                decision.failures.append(f"only {len(final)} of at least {s.min_children} children kept; topped up from the proposals")
            final = topped
        decision.children = final
        node.children = [Node(n) for n in final]
        self.decisions.append(decision)
        self.caller.store.set_artifact(decision.key(), decision.model_dump())
        self.events(NodeExpanded(tax.factor, path, tuple(final), tuple(decision.failures)))

    async def _criticise(self, variables: dict[str, object], pooled: list[tuple[str, int]],
                         decision: NodeDecision, above: list[str]) -> list[str] | None:
        s = self.s
        result = await self.caller.ask(
            TAXONOMY_CRITIC, variables | {"pooled": pooled},
            CriticReply.bounded(max_items=s.max_children, max_chars=s.max_name_chars))
        if result.value is None:
            decision.failures.append("critic: " + "; ".join(result.failures) + " (kept the pooled proposals)")
            return None
        names, rejected = select_names(result.value.children, ancestors=decision.path, above=above,
                                       max_chars=s.max_name_chars, limit=s.max_children)
        decision.rejected.extend(_rejected(rejected))
        if not names:
            decision.failures.append("critic kept no usable child (kept the pooled proposals)")
            return None
        decision.critic_edits = result.value.edits
        pooled_keys = {name_key(n) for n, _ in pooled}
        final_keys = {name_key(n) for n in names}
        decision.added = [n for n in names if name_key(n) not in pooled_keys]
        decision.removed = [n for n, _ in pooled if name_key(n) not in final_keys]
        return names
