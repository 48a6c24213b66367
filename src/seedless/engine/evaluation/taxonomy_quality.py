"""Taxonomy quality: the taxonomy judge labels each generated node against the expert taxonomy, in batches."""

from __future__ import annotations

from dataclasses import dataclass, field

from seedless.core.calls import TAXONOMY_JUDGE
from seedless.core.eval_replies import TaxonomyJudgeReply
from seedless.core.measures.report import (
    FactorQualityPart,
    JudgedNode,
    Scores,
    TaxonomyQualitySection,
)
from seedless.core.measures.taxonomy_quality import (
    NodeJudgement,
    NodeLabel,
    TaxonomyQuality,
    taxonomy_quality,
)
from seedless.core.taxonomy.tree import Path, Taxonomy, TaxonomySet, name_key
from seedless.core.text import clip
from seedless.engine.evaluation.measure import MeasureContext
from seedless.engine.llm.caller import Caller
from seedless.engine.llm.parsing import parse_reply
from seedless.engine.tasks import together

SEP = " > "


@dataclass
class FactorQuality:
    """One generated factor judged against the expert factor of the same name."""

    factor: str
    expert_factor: str
    expert_paths: list[Path]  # the expert nodes below its root (E = their number)
    quality: TaxonomyQuality | None  # None when the expert factor has no node below its root
    batches: int = 0
    unlabelled: list[Path] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


@dataclass
class QualityReport:
    """Per matched factor, overall (every expert factor's nodes count in E), and the factors left unmatched."""

    factors: list[FactorQuality]
    overall: TaxonomyQuality | None
    unmatched_generated: list[str]
    unmatched_expert: list[str]


def _below_root(taxonomy: Taxonomy) -> list[Path]:
    return [p for p, _ in taxonomy.root.walk() if len(p) > 1]


def node_batches(taxonomy: Taxonomy, batch: int) -> list[list[Path]]:
    """Every node below the root, in batches of at most `batch`: sibling groups (in pre-order of their parent)
    packed whole into a batch while they fit, so a judge sees siblings together when it looks for repeats."""
    groups = [[p + (c.name,) for c in node.children] for p, node in taxonomy.root.walk() if node.children]
    batches: list[list[Path]] = []
    for group in groups:
        for start in range(0, len(group), batch):
            chunk = group[start:start + batch]
            if batches and len(batches[-1]) + len(chunk) <= batch:
                batches[-1].extend(chunk)
            else:
                batches.append(list(chunk))
    return batches


def _shown(path: Path) -> str:
    return SEP.join(path[1:])


def _match_key(shown: str) -> tuple[str, ...]:
    return tuple(name_key(n) for n in shown.split(">"))


def _key(path: Path) -> tuple[str, ...]:
    return _match_key(_shown(path))


async def judge_factor(caller: Caller, generated: Taxonomy, expert: Taxonomy, *, batch: int,
                       sample: int = 0) -> FactorQuality:
    """Labels of every node below the generated root; `match` is enum-constrained to the expert's paths."""
    expert_paths = _below_root(expert)
    by_key = {_key(p): p for p in expert_paths}
    shown = [_shown(p) for p in expert_paths]
    batches = node_batches(generated, batch)
    out = FactorQuality(generated.factor, expert.factor, expert_paths, None, len(batches))
    if not expert_paths:
        out.batches, out.failures = 0, [f"the expert factor {expert.factor} has no node below its root: not judged"]
        return out

    def parse(text: str) -> tuple[TaxonomyJudgeReply | None, str | None]:
        reply, reason = parse_reply(text, TaxonomyJudgeReply)
        if reply is None:
            return None, reason
        for entry in reply.labels:
            if entry.label == NodeLabel.GOOD_SHARED and _match_key(entry.match) not in by_key:
                return None, (f"node {entry.node} is good_shared, so its match must be one of the expert "
                              f"categories, not {entry.match!r}")
        return reply, None

    async def one(index: int, nodes: list[Path]) -> tuple[list[NodeJudgement], list[Path], str | None]:
        variables = {"factor": generated.factor, "expert": shown, "nodes": [_shown(p) for p in nodes]}
        reply_type = TaxonomyJudgeReply.bounded(count=len(nodes), matches=tuple(shown))
        result = await caller.call(TAXONOMY_JUDGE, variables, parse, reply_type.json_schema(),
                                   sample=sample * 10_000 + index)
        if result.value is None:
            return [], nodes, f"batch {index + 1}: " + clip("; ".join(result.failures), 300)
        labelled: dict[int, NodeJudgement] = {}
        for entry in result.value.labels:
            if 1 <= entry.node <= len(nodes) and entry.node not in labelled:
                shared = entry.label == NodeLabel.GOOD_SHARED
                match = by_key[_match_key(entry.match)] if shared else None
                labelled[entry.node] = NodeJudgement(nodes[entry.node - 1], NodeLabel(entry.label), match)
        missing = [p for n, p in enumerate(nodes, start=1) if n not in labelled]
        return [labelled[n] for n in sorted(labelled)], missing, None

    results = await together(one(i, nodes) for i, nodes in enumerate(batches))
    judgements = [j for made, _, _ in results for j in made]
    out.unlabelled = [p for _, missing, _ in results for p in missing]
    out.failures = [f for _, _, f in results if f]
    out.quality = taxonomy_quality(judgements, len(expert_paths))
    return out


async def judge_taxonomies(caller: Caller, generated: TaxonomySet, expert: TaxonomySet, *,
                           batch: int) -> QualityReport:
    """Generated factors are matched to expert factors by name (case and spacing aside); a generated factor
    without an expert counterpart is reported and not judged."""
    pairs = [(g, expert.get(g.factor)) for g in generated.taxonomies]
    matched = [(g, e) for g, e in pairs if e is not None]
    factors = list(await together((judge_factor(caller, g, e, batch=batch, sample=i)
                                          for i, (g, e) in enumerate(matched))))
    total = sum(len(_below_root(e)) for e in expert.taxonomies)
    judgements = [j for f in factors if f.quality for j in f.quality.judgements]
    matched_keys = {name_key(e.factor) for _, e in matched}
    return QualityReport(
        factors=factors,
        overall=taxonomy_quality(judgements, total) if total else None,
        unmatched_generated=[g.factor for g, e in pairs if e is None],
        unmatched_expert=[e.factor for e in expert.taxonomies if name_key(e.factor) not in matched_keys])


def _scores(quality: TaxonomyQuality | None) -> Scores:
    if quality is None:
        return Scores(completeness=None, soundness=None, novelty=None, counts=None)
    return Scores(completeness=round(quality.completeness, 4), soundness=round(quality.soundness, 4),
                  novelty=round(quality.novelty, 4), counts={label.value: quality.count(label) for label in NodeLabel})


def quality_section(result: QualityReport, generated: str, expert: str) -> TaxonomyQualitySection:
    """The report's `taxonomy_quality` section: overall and per factor scores, each node's label."""
    factors = []
    for f in result.factors:
        judged = f.quality.judgements if f.quality else []
        matched = {_key(p) for p in f.quality.matched_expert} if f.quality else set()
        factors.append(FactorQualityPart(
            factor=f.factor, expert_factor=f.expert_factor, expert_nodes=len(f.expert_paths),
            generated_nodes=len(judged) + len(f.unlabelled), **_scores(f.quality).model_dump(),
            nodes=[JudgedNode(path=list(j.path), label=j.label.value, expert=list(j.expert) if j.expert else None)
                   for j in judged],
            expert_unmatched=[list(p) for p in f.expert_paths if _key(p) not in matched],
            unlabelled=[list(p) for p in f.unlabelled], batches=f.batches, failures=f.failures))
    return TaxonomyQualitySection(
        generated=generated, expert=expert, expert_nodes=result.overall.expert_nodes if result.overall else 0,
        **_scores(result.overall).model_dump(), factors=factors,
        unmatched_generated_factors=result.unmatched_generated, unmatched_expert_factors=result.unmatched_expert)


async def run_taxonomy_quality(context: MeasureContext) -> TaxonomyQualitySection:
    """The generated taxonomy judged node by node against the expert's."""
    assert context.taxonomies is not None and context.experts is not None  # declared needs: skipped without
    result = await judge_taxonomies(context.caller, context.taxonomies, context.experts,
                                    batch=context.settings.taxonomy_judge_batch)
    return quality_section(result, context.taxonomy_path or "", context.expert_path or "")
