"""Every stage in order, from the registries (datapoint steps, eval measures) and the plan stages; call sites by stage."""

from __future__ import annotations

from dataclasses import dataclass

from seedless.core.calls import CALL_SITES, CallSite
from seedless.engine.evaluation.measure import Measure
from seedless.engine.evaluation.registry import MEASURES
from seedless.engine.stages.datapoint.registry import STEPS
from seedless.engine.store.calls import UsageRow
from seedless.spec.models import Role


@dataclass(frozen=True)
class StageInfo:
    name: str
    summary: str
    settings: str  # the spec section holding its typed settings
    reads: tuple[str, ...]
    writes: tuple[str, ...]

    @property
    def calls(self) -> tuple[CallSite, ...]:
        """The call sites declared for this stage, in declaration order."""
        return tuple(site for site in CALL_SITES.values() if site.stage == self.name)

    @property
    def roles(self) -> tuple[Role, ...]:
        return tuple(dict.fromkeys(site.role for site in self.calls))


_BEFORE: tuple[StageInfo, ...] = (
    StageInfo(
        name="factors",
        summary="Factor identification from the description y and samples S (or the spec's factors, as given).",
        settings="taxonomy",
        reads=("spec.description", "spec.samples", "spec.factors"),
        writes=("factors",),
    ),
    StageInfo(
        name="taxonomy",
        summary="Breadth-first expansion of each factor: N proposals per node, a critic over the pool, level plans.",
        settings="taxonomy",
        reads=("factors", "taxonomy.yaml (user edits)"),
        writes=("taxonomy.yaml", "store: decision/*, plan/*, taxonomy/base"),
    ),
    StageInfo(
        name="strategies",
        summary="Sampling strategies: which taxonomies or sub-trees combine, with weights and exclusions "
                "(the spec's as given, the user's edited file, or written by the model).",
        settings="strategy, strategies",
        reads=("taxonomy.yaml", "strategies.yaml (user edits)", "spec.strategies"),
        writes=("strategies.yaml", "store: strategies/written, strategies/basis"),
    ),
    StageInfo(
        name="mixes",
        summary="Seeded mix sampling, one node per taxonomy of the chosen strategy, exclusions respected; "
                "reports the coverage budget N/V. No model call.",
        settings="mix, size",
        reads=("taxonomy.yaml", "strategies.yaml"),
        writes=("coverage budget and sample mixes (plan output)",),
    ),
    StageInfo(
        name="judge_check",
        summary="The double critic on known-correct datapoints and corrupted copies before generation: p and q; "
                "stops when p - q < min_gap (the judge calls are the double critic's, the corruptions its own).",
        settings="generation.judge_check",
        reads=("spec.samples with the answer field", "generation.judge_check.items"),
        writes=("judge_check.json", "lineage.judge_check", "store: records"),
    ),
)

def _measure_stage(measure: Measure) -> StageInfo:
    """An eval measure of the registry as a stage: `eval_<name>`, its settings, what it reads, its report key."""
    needs = measure.needs
    reads = (("items with answers" if needs.answer_field else "items (JSONL, Parquet or a run)",) if needs.items
             else ()) + (("taxonomy.yaml",) if needs.taxonomy else ()) + (("expert taxonomy.yaml",) if needs.expert
                                                                         else ())
    return StageInfo(f"eval_{measure.name}", f"seedless eval: {measure.summary}.",
                     ", ".join(f"eval.{name}" for name in measure.settings) or "eval.metrics", reads,
                     (f"REPORT.json: {measure.name}",))


def stages() -> tuple[StageInfo, ...]:
    """Every stage in pipeline order: taxonomy and plan stages, the registered datapoint steps, then the registered
    eval measures."""
    steps = tuple(StageInfo(s.name, s.summary, s.settings, s.reads, s.writes) for s in STEPS)
    return _BEFORE + steps + tuple(_measure_stage(m) for m in MEASURES.values())


def stage_usage(rows: list[UsageRow]) -> list[UsageRow]:
    """Usage rows keyed by call site, summed per stage (the row's `role` holds the call site's name)."""
    stage_of = {site.name: site.stage for site in CALL_SITES.values()}
    order = {s.name: i for i, s in enumerate(stages())}
    totals: dict[tuple[str, str], list[int]] = {}
    for r in rows:
        key = (stage_of.get(r.role, r.role), r.model)
        acc = totals.setdefault(key, [0, 0, 0, 0])
        acc[0] += r.calls
        acc[1] += r.prompt_tokens
        acc[2] += r.completion_tokens
        acc[3] += r.cached_tokens
    return [UsageRow(stage, model, *acc) for (stage, model), acc in
            sorted(totals.items(), key=lambda kv: (order.get(kv[0][0], len(order)), kv[0]))]
