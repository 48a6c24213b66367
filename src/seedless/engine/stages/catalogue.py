"""The catalogue of stages as data: each stage's settings, model roles, and the artifacts it reads and writes."""

from __future__ import annotations

from dataclasses import dataclass

from seedless.engine.llm.prompts import PromptName
from seedless.engine.store.calls import UsageRow
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
    StageInfo(
        name="meta_prompts",
        summary="Local diversification: K candidate scenarios per mix, one kept by the documented rule; earlier "
                "meta-prompts of the same mix (same stream) in context so repeats diverge.",
        settings="generation.meta_prompt, generation.candidates, generation.history",
        roles=(Role.meta_prompter,),
        prompts=(PromptName.meta_prompt,),
        reads=("mix of the slot", "earlier meta-prompts of the same mix"),
        writes=("lineage.meta_prompt",),
    ),
    StageInfo(
        name="complexification",
        summary="An exact, seeded fraction c of meta-prompts rewritten to be harder, every requirement kept.",
        settings="generation.complexify",
        roles=(Role.complexifier,),
        prompts=(PromptName.complexify,),
        reads=("lineage.meta_prompt",),
        writes=("lineage.meta_prompt", "lineage.original_meta_prompt", "lineage.complexified"),
    ),
    StageInfo(
        name="generation",
        summary="The datapoint from its meta-prompt, in the spec's output format, validated into a typed record.",
        settings="output, models.roles.generator",
        roles=(Role.generator,),
        prompts=(PromptName.generate,),
        reads=("lineage.meta_prompt", "spec.output"),
        writes=("record.data",),
    ),
    StageInfo(
        name="requirement_critic",
        summary="Checks the datapoint against its meta-prompt and mix; repairs it with the explanation "
                "(bounded), else rejects.",
        settings="generation.requirement_critic, generation.max_repairs",
        roles=(Role.critic, Role.generator),
        prompts=(PromptName.critic_requirements, PromptName.repair_datapoint),
        reads=("record.data", "lineage.meta_prompt"),
        writes=("lineage.verdicts", "lineage.repairs", "rejected.jsonl"),
    ),
    StageInfo(
        name="double_critic",
        summary="With an answer field: 'is it correct?' and 'is it incorrect?' asked independently; "
                "accepted only on yes / no.",
        settings="generation.double_critic, output.answer_field",
        roles=(Role.judge,),
        prompts=(PromptName.judge_correct, PromptName.judge_incorrect),
        reads=("record.data",),
        writes=("lineage.verdicts", "dataset.jsonl", "dataset.parquet", "rejected.jsonl",
                "store: records"),
    ),
    StageInfo(
        name="eval_coverage",
        summary="seedless eval: each item placed in each taxonomy level by level, in batches (or by embedding, "
                "an approximation); level-ratio coverage, hits per node, uncovered nodes.",
        settings="eval.coverage_mode, eval.coverage_batch, eval.max_chars",
        roles=(Role.assigner,),
        prompts=(PromptName.coverage_assign,),
        reads=("items (JSONL, Parquet or a run)", "taxonomy.yaml"),
        writes=("REPORT.json: coverage",),
    ),
    StageInfo(
        name="eval_complexity",
        summary="seedless eval: batch-relative difficulty scores on a schedule, fitted into Elo ratings.",
        settings="eval.complexity_batch, eval.complexity_per_item",
        roles=(Role.rater,),
        prompts=(PromptName.complexity_batch,),
        reads=("items",),
        writes=("REPORT.json: complexity",),
    ),
    StageInfo(
        name="eval_taxonomy_quality",
        summary="seedless eval: each generated node labelled against the expert taxonomy of its factor (matched by "
                "name), in batches: good_shared (with its expert node), good_new, redundant or bad; completeness, "
                "soundness, novelty per factor and overall.",
        settings="eval.taxonomy_judge_batch",
        roles=(Role.taxonomy_judge,),
        prompts=(PromptName.taxonomy_judge,),
        reads=("taxonomy.yaml (generated)", "expert taxonomy.yaml"),
        writes=("REPORT.json: taxonomy_quality",),
    ),
    StageInfo(
        name="eval_critic",
        summary="seedless eval: a subtly wrong copy of each item's answer, then the double critic's prompts "
                "(judge_correct, judge_incorrect) on both; p, q, rejection rate, accuracy lift.",
        settings="eval.answer_field, eval.generator_accuracy",
        roles=(Role.corrupter, Role.judge),
        prompts=(PromptName.corrupt_answer,),
        reads=("items with answers",),
        writes=("REPORT.json: critic",),
    ),
)


def stage_usage(rows: list[UsageRow]) -> list[UsageRow]:
    """Usage rows keyed by call site, summed per stage of the catalogue (the row's `role` holds the stage)."""
    stage_of = {p.value: s.name for s in STAGES for p in s.prompts}
    totals: dict[tuple[str, str], list[int]] = {}
    for r in rows:
        key = (stage_of.get(r.role, r.role), r.model)
        acc = totals.setdefault(key, [0, 0, 0])
        acc[0] += r.calls
        acc[1] += r.prompt_tokens
        acc[2] += r.completion_tokens
    order = {s.name: i for i, s in enumerate(STAGES)}
    return [UsageRow(stage, model, *acc) for (stage, model), acc in
            sorted(totals.items(), key=lambda kv: (order.get(kv[0][0], len(order)), kv[0]))]
