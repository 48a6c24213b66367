"""Every model-call site, declared once: its stable name (template, cache key, logs, usage), role, stage, reply type."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from seedless.core.eval_replies import (
    AssignmentsReply,
    ComplexityReply,
    CorruptionReply,
    PathAssignmentsReply,
    TaxonomyJudgeReply,
)
from seedless.core.replies import (
    ChildrenReply,
    ComplexifyReply,
    CriticReply,
    FactorsReply,
    MetaPromptsReply,
    PlanReply,
    Reply,
    SolveReply,
    StrategiesReply,
    VerdictReply,
    YesNoReply,
)
from seedless.spec.models import Role


@dataclass(frozen=True)
class CallSite:
    """One place the pipeline asks a model something. `name` is the template's file stem and the key of cache
    entries, call logs and usage rows; `stage` names the registry stage it belongs to; `reply` is the typed reply
    (None: the datapoint itself, in the spec's output format); `template` is a plugin's own template file
    (None: the packaged engine/llm/prompts/<name>.j2)."""

    name: str
    role: Role
    stage: str
    reply: type[Reply] | None
    template: Path | None = None

    def __str__(self) -> str:
        return self.name


FACTORS = CallSite("factors", Role.factor_proposer, "factors", FactorsReply)
TAXONOMY_PROPOSE = CallSite("taxonomy_propose", Role.taxonomy_proposer, "taxonomy", ChildrenReply)
TAXONOMY_CRITIC = CallSite("taxonomy_critic", Role.taxonomy_critic, "taxonomy", CriticReply)
LEVEL_PLAN = CallSite("level_plan", Role.level_planner, "taxonomy", PlanReply)
STRATEGIES = CallSite("strategies", Role.strategist, "strategies", StrategiesReply)
META_PROMPT = CallSite("meta_prompt", Role.meta_prompter, "meta_prompt", MetaPromptsReply)
COMPLEXIFY = CallSite("complexify", Role.complexifier, "complexify", ComplexifyReply)
GENERATE = CallSite("generate", Role.generator, "generate", None)
CRITIC_REQUIREMENTS = CallSite("critic_requirements", Role.critic, "requirements", VerdictReply)
REPAIR_DATAPOINT = CallSite("repair_datapoint", Role.generator, "requirements", None)
JUDGE_CORRECT = CallSite("judge_correct", Role.judge, "double_critic", YesNoReply)
JUDGE_INCORRECT = CallSite("judge_incorrect", Role.judge, "double_critic", YesNoReply)
JUDGE_SOLVE = CallSite("judge_solve", Role.judge, "double_critic", SolveReply)
COVERAGE_ASSIGN = CallSite("coverage_assign", Role.assigner, "eval_coverage", AssignmentsReply)
COVERAGE_ASSIGN_TREE = CallSite("coverage_assign_tree", Role.assigner, "eval_coverage", PathAssignmentsReply)
COMPLEXITY_BATCH = CallSite("complexity_batch", Role.rater, "eval_complexity", ComplexityReply)
TAXONOMY_JUDGE = CallSite("taxonomy_judge", Role.taxonomy_judge, "eval_taxonomy_quality", TaxonomyJudgeReply)
CORRUPT_ANSWER = CallSite("corrupt_answer", Role.corrupter, "judge_check", CorruptionReply)

CALL_SITES: dict[str, CallSite] = {site.name: site for site in (
    FACTORS, TAXONOMY_PROPOSE, TAXONOMY_CRITIC, LEVEL_PLAN, STRATEGIES, META_PROMPT, COMPLEXIFY, GENERATE,
    CRITIC_REQUIREMENTS, REPAIR_DATAPOINT, JUDGE_SOLVE, JUDGE_CORRECT, JUDGE_INCORRECT, COVERAGE_ASSIGN, COVERAGE_ASSIGN_TREE,
    COMPLEXITY_BATCH, TAXONOMY_JUDGE, CORRUPT_ANSWER)}


def register_call_site(site: CallSite) -> CallSite:
    """Add a plugin's call site (a new generation step's, a new measure's); its name must be new."""
    if site.name in CALL_SITES and CALL_SITES[site.name] != site:
        raise ValueError(f"a call site named {site.name!r} already exists")
    CALL_SITES[site.name] = site
    return site


def unregister_call_site(name: str) -> None:
    CALL_SITES.pop(name, None)
