"""The catalogue of stages as data: each stage's settings, model roles, and the artifacts it reads and writes."""

from __future__ import annotations

from dataclasses import dataclass

from seedless.engine.prompts import PromptName
from seedless.spec.models import Role


@dataclass(frozen=True)
class StageInfo:
    name: str
    summary: str
    settings: str  # the spec section holding its typed settings
    roles: tuple[Role, ...]
    prompts: tuple[PromptName, ...]
    reads: tuple[str, ...]
    writes: tuple[str, ...]


STAGES: tuple[StageInfo, ...] = (
    StageInfo(
        name="factors",
        summary="Factor identification from the description y and samples S (or the spec's factors, as given).",
        settings="taxonomy",
        roles=(Role.factor_proposer,),
        prompts=(PromptName.factors,),
        reads=("spec.description", "spec.samples", "spec.factors"),
        writes=("factors",),
    ),
    StageInfo(
        name="taxonomy",
        summary="Breadth-first expansion of each factor: N proposals per node, a critic over the pool, level plans.",
        settings="taxonomy",
        roles=(Role.taxonomy_proposer, Role.taxonomy_critic, Role.level_planner),
        prompts=(PromptName.taxonomy_propose, PromptName.taxonomy_critic, PromptName.level_plan),
        reads=("factors", "taxonomy.yaml (user edits)"),
        writes=("taxonomy.yaml", "store: decision/*, plan/*, taxonomy/base"),
    ),
    StageInfo(
        name="strategies",
        summary="Sampling strategies: which taxonomies or sub-trees combine, with weights and exclusions "
                "(the spec's as given, the user's edited file, or written by the model).",
        settings="strategy, strategies",
        roles=(Role.strategist,),
        prompts=(PromptName.strategies,),
        reads=("taxonomy.yaml", "strategies.yaml (user edits)", "spec.strategies"),
        writes=("strategies.yaml", "store: strategies/written, strategies/basis"),
    ),
    StageInfo(
        name="mixes",
        summary="Seeded mix sampling, one node per taxonomy of the chosen strategy, exclusions respected; "
                "reports the coverage budget N/V. No model call.",
        settings="mix, size",
        roles=(),
        prompts=(),
        reads=("taxonomy.yaml", "strategies.yaml"),
        writes=("coverage budget and sample mixes (plan output)",),
    ),
)

