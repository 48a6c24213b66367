"""The taxonomy stage over a session: the user's edits reconciled or factors identified, trees built, file written."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from seedless.core.basis import basis
from seedless.core.taxonomy.edit import EditReport, reconcile
from seedless.core.taxonomy.file import dump_taxonomies, read_taxonomies
from seedless.core.taxonomy.provenance import LevelPlan, NodeDecision
from seedless.core.taxonomy.tree import (
    Node,
    Taxonomy,
    TaxonomySet,
    name_key,
    set_from_data,
    set_to_data,
)
from seedless.engine.events import EventSink, Notice
from seedless.engine.llm.caller import Caller
from seedless.engine.session import Session
from seedless.engine.stages.factors import identify_factors
from seedless.engine.stages.taxonomy import TaxonomyBuilder, lost_expansions, reasons
from seedless.engine.store.calls import Store, UsageRow
from seedless.engine.store.rundir import RunDir
from seedless.engine.tasks import together
from seedless.spec.loader import SpecError, read_yaml_text
from seedless.spec.models import Role, Spec

TAXONOMY_ROLES = [Role.factor_proposer, Role.taxonomy_proposer, Role.taxonomy_critic, Role.level_planner]


@dataclass
class TaxonomyOutcome:
    taxonomies: TaxonomySet
    path: Path
    edits: EditReport
    calls_sent: int
    calls_reused: int
    usage: list[UsageRow] = field(default_factory=list)  # this command's calls
    usage_total: list[UsageRow] = field(default_factory=list)  # every call stored in the run
    warnings: list[str] = field(default_factory=list)  # what this build could not do (nodes left unexpanded)
    degraded: list[str] = field(default_factory=list)  # the warnings that come from failed calls (retried next time)


def taxonomy_basis(spec: Spec, identities: dict[str, str]) -> str:
    """What a taxonomy is built from, depths excluded (a depth change extends or cuts, it does not rebuild)."""
    return basis({
        "description": spec.description, "samples": spec.samples, "seed": spec.seed,
        "factors": [f.model_dump(exclude={"depth"}) for f in spec.factors],
        "taxonomy": spec.taxonomy.model_dump(exclude={"depth"}), "models": identities,
    })


def _provenance(store: Store, taxonomies: TaxonomySet) -> tuple[list[LevelPlan], list[NodeDecision]]:
    walk_order = [tuple(name_key(x) for x in p) for t in taxonomies.taxonomies for p, _ in t.root.walk()]
    present = set(walk_order)
    factors = {name_key(t.factor) for t in taxonomies.taxonomies}
    plans = [LevelPlan.model_validate(v) for v in store.artifacts("plan/").values()]
    decisions = [NodeDecision.model_validate(v) for v in store.artifacts("decision/").values()]
    plans = [p for p in plans if name_key(p.factor) in factors]
    decisions = [d for d in decisions if tuple(name_key(x) for x in d.path) in present]
    order = {key: i for i, key in enumerate(walk_order)}
    decisions.sort(key=lambda d: order.get(tuple(name_key(x) for x in d.path), 0))
    return sorted(plans, key=lambda p: (p.factor, p.level)), decisions


async def taxonomy_step(session: Session, *, from_scratch: bool = False) -> TaxonomyOutcome:
    """The taxonomy stage inside an open session: starting point, build, export."""
    spec, run, store, caller, events = session.spec, session.run, session.store, session.caller, session.events
    current = taxonomy_basis(spec, session.endpoints.identities(TAXONOMY_ROLES))
    taxonomies, edits = await _starting_point(spec, run, store, caller, current, from_scratch, events)
    for tax in taxonomies.taxonomies:
        tax.prune()
    builder = TaxonomyBuilder(spec, caller, frozen=edits.frozen, events=events)
    await together(builder.build(t) for t in taxonomies.taxonomies)
    for plan in builder.plans:
        store.set_artifact(plan.key(), plan.model_dump())
    lost = lost_expansions(taxonomies, builder.decisions)
    warnings = _warnings(taxonomies, builder.decisions, lost)
    for warning in warnings:
        events(Notice(warning, warning=True))
    plans, decisions = _provenance(store, taxonomies)
    previous = None if from_scratch else _text_of(run.taxonomy)
    RunDir.write_atomic(run.taxonomy, dump_taxonomies(taxonomies, plans, decisions, previous=previous))
    store.set_artifact("taxonomy/base", set_to_data(taxonomies))
    store.set_artifact("taxonomy/basis", current)
    return TaxonomyOutcome(taxonomies, run.taxonomy, edits, caller.sent, caller.reused,
                           store.usage(this_invocation_only=True), store.usage(), warnings,
                           warnings[:1] if lost else [])


def _warnings(taxonomies: TaxonomySet, decisions: list[NodeDecision], lost: list[NodeDecision]) -> list[str]:
    """Nodes left unexpanded by failures (retried by the next run), and factors the model gave no child."""
    out = []
    if lost:
        first = lost[0]
        out.append(f"taxonomy: {len(lost)} node(s) lost their expansion, every proposal failed (e.g. "
                   f"'{' / '.join(first.path)}': {reasons(first, 1)}); they stay leaves for now: run the same "
                   "command again to retry them")
    expanded = {name_key(d.path[0]) for d in decisions if len(d.path) == 1}
    out += [f"taxonomy '{t.factor}' has no child: the model proposed none usable, so every datapoint gets the "
            "factor alone" for t in taxonomies.taxonomies if not t.root.children and name_key(t.factor) in expanded]
    return out


def _text_of(path: Path) -> str | None:
    """The current taxonomy.yaml, whose comments the rewrite keeps; None when there is none to read."""
    try:
        return read_yaml_text(path)
    except SpecError:
        return None


async def _starting_point(spec: Spec, run: RunDir, store: Store, caller: Caller, current: str,
                          from_scratch: bool, events: EventSink) -> tuple[TaxonomySet, EditReport]:
    """The user's edited file reconciled with the last export, or fresh roots from factor identification."""
    if run.taxonomy.exists() and not from_scratch:
        stored = store.get_artifact("taxonomy/basis")
        if stored is None or stored == current:
            user = read_taxonomies(run.taxonomy, spec.taxonomy.depth)
            base_data = store.get_artifact("taxonomy/base")
            edits = reconcile(user, set_from_data(base_data) if base_data else None)
            for line in edits.lines():
                events(Notice(f"edit: {line}"))
            return user, edits
        shutil.copyfile(run.taxonomy, run.previous_taxonomy)
        events(Notice(f"the spec or models changed since {run.taxonomy.name} was built: building anew "
                      f"(your previous file is kept as {run.previous_taxonomy.name})", warning=True))
    elif run.taxonomy.exists():
        shutil.copyfile(run.taxonomy, run.previous_taxonomy)
    store.delete_artifacts("decision/")
    store.delete_artifacts("plan/")
    factors = await identify_factors(spec, caller)
    roots = [Taxonomy(Node(f.name, f.description), spec.factor_depth(f)) for f in factors]
    return TaxonomySet(roots), EditReport()
