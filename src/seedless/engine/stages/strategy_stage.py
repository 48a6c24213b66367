"""The strategies and mixes stages over a session: strategies from the spec, the user's file or the model; the sampler."""

from __future__ import annotations

from seedless.core.basis import basis
from seedless.core.plan.coverage_check import unreachable_factors
from seedless.core.plan.mix import CoverageBudget, MixSampler, check_mixes
from seedless.core.plan.strategy import Strategy
from seedless.core.plan.strategy_file import (
    StrategyFileError,
    dump_strategies,
    file_problems,
    parse_strategies,
)
from seedless.core.taxonomy.tree import TaxonomySet
from seedless.core.text import clip
from seedless.core.yaml_reader import read_text
from seedless.engine.events import Notice
from seedless.engine.session import Session
from seedless.engine.stages.factors import StageError
from seedless.engine.stages.strategies import COMPLETED, from_spec, write_strategies
from seedless.engine.stages.taxonomy_stage import TaxonomyOutcome
from seedless.engine.store.rundir import RunDir
from seedless.spec.loader import SpecError, spec_problem
from seedless.spec.models import Role, Spec


def degraded(taxonomy: TaxonomyOutcome, source: str) -> list[str]:
    """What failed calls left undone in the plan: nodes left unexpanded, strategies that fell back."""
    fallback = ["strategies: the strategist's call failed, so one strategy samples every taxonomy for now; run the "
                "same command again to retry it"] if source == "fallback" else []
    return taxonomy.degraded + fallback


def strategy_basis(spec: Spec, strategist: str) -> str:
    """What written strategies depend on besides the taxonomies. A taxonomy edit keeps the strategies while
    they still fit (so datapoints away from the edit are kept); strategies that no longer fit are rewritten."""
    return basis({"description": spec.description, "seed": spec.seed, "settings": spec.strategy.model_dump(),
                  "model": strategist})


async def strategy_step(session: Session, taxonomies: TaxonomySet, *,
                        from_scratch: bool = False) -> tuple[list[Strategy], str, list[str]]:
    """(strategies, where they came from, notes). strategies.yaml stays the user's once edited. Strategies that
    do not fit the taxonomies, or allow no mix, are a SpecError at their line (of the spec or strategies.yaml).
    The model's strategies are completed when they lose coverage; any strategies that leave a factor unsampled
    are a warning."""
    spec, run, store = session.spec, session.run, session.store
    current = strategy_basis(spec, session.endpoints.identities([Role.strategist])["strategist"])
    written = store.get_artifact("strategies/written")
    notes: list[str] = []
    strategies: list[Strategy] | None = None
    text = ""
    if spec.strategies:
        strategies, source = from_spec(spec), "spec"
    elif run.strategies.exists() and not from_scratch:
        text = read_text(run.strategies, StrategyFileError)
        edited = text != written
        if edited or store.get_artifact("strategies/basis") == current:
            strategies, source = parse_strategies(text, str(run.strategies)), "file"
            if not edited and check_mixes(strategies, taxonomies, spec.mix.nodes):
                strategies = None  # ours, and the taxonomies moved under it: write them again
    if strategies is None:
        strategies, source, notes = await write_strategies(spec, taxonomies, session.caller)
    problems = check_mixes(strategies, taxonomies, spec.mix.nodes)
    if problems and source == "spec":
        raise SpecError([spec_problem(spec, p.loc, p.message) for p in problems])
    if problems and source == "file":
        raise file_problems(problems, text, str(run.strategies))
    if problems:  # the fallback itself does not fit (no taxonomy at all)
        raise StageError("no usable strategy: " + "; ".join(str(p) for p in problems))
    if source != "file":
        text = dump_strategies(strategies, notes)
        RunDir.write_atomic(run.strategies, text)
        store.set_artifact("strategies/written", text)
        # a fallback after a failed call is not kept: the next command writes the strategies again
        store.set_artifact("strategies/basis", current if source != "fallback" else "")
    for note in notes:
        if note.startswith(COMPLETED):
            session.events(Notice(f"strategies: the model's strategies were {note}", warning=True))
    others = [n for n in notes if not n.startswith(COMPLETED)]
    if others:
        session.events(Notice(f"strategies: {len(others)} note(s) on the model's reply, e.g. {clip(others[0], 160)}; "
                              f"all are at the end of {run.strategies.name}", warning=True))
    missing = unreachable_factors(strategies, taxonomies)
    if missing:  # the user's own strategies (spec or file) are warned about, never changed
        where = "the spec's strategies" if source == "spec" else run.strategies.name
        session.events(Notice(f"strategies: no strategy samples {', '.join(repr(f) for f in missing)}, so no "
                              f"datapoint will have that factor; add it to a strategy in {where}", warning=True))
    return strategies, source, notes


def sampler_and_budget(spec: Spec, taxonomies: TaxonomySet, strategies: list[Strategy]) -> tuple[MixSampler,
                                                                                                  CoverageBudget]:
    """The spec's mix sampler over these taxonomies and strategies, and its coverage budget N/V."""
    sampler = MixSampler(taxonomies, strategies, seed=spec.seed, level=spec.mix.nodes, weighting=spec.mix.weighting)
    reachable, exact = sampler.reachable_total()
    return sampler, CoverageBudget(spec.size, reachable, exact)
