"""The run's dataset card: its facts gathered from what `run` made (kept in the store for exports), the columns of
the files it describes, the eval summary, and README.md written unless someone edited it (core/dataset/card.py)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from seedless.core.dataset.card import is_generated, render_card
from seedless.core.dataset.card_facts import (
    CardFacts,
    CardLayout,
    Column,
    EvalFacts,
    EvalLine,
    FactorShape,
    NodeLine,
    RoleModel,
    RunFacts,
    StageLine,
    StrategyLine,
    UsageLine,
)
from seedless.core.dataset.output_format import record_schema
from seedless.core.dataset.rejection_stats import RejectionStats
from seedless.core.measures.report import EvalReport
from seedless.core.plan.mix import CoverageBudget
from seedless.core.plan.strategy import Strategy
from seedless.core.taxonomy.tree import TaxonomySet
from seedless.engine.evaluation.items import DataError
from seedless.engine.evaluation.split import read_report
from seedless.engine.llm.budget import cost_of, price_for
from seedless.engine.llm.clients import endpoint_identity
from seedless.engine.store.calls import UsageRow, read_artifact
from seedless.engine.store.rundir import RunDir
from seedless.spec.loader import SpecError, load_spec
from seedless.spec.models import OutputFormat, Spec
from seedless.spec.secrets import mask_urls

if TYPE_CHECKING:
    from seedless.engine.outputs.eval_columns import EvalColumns
    from seedless.engine.stages.judge_check import JudgeCheckOutcome

CARD_FACTS = "card/facts"  # the store artifact holding the last run's CardFacts (JSON)
DATA_FILE = RunDir(Path()).parquet.name  # the data file a card's `configs` name: the run's, and what a push uploads
LINEAGE = ("how the datapoint was made: strategy, mix (factor and node path), meta-prompt, complexified and the "
           "original meta-prompt, model, verdicts of each critic, repairs, slot, attempt, judge check")


def seedless_version() -> str:
    try:
        return metadata.version("seedless")
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


_FLOATS = {"double": "float64", "float": "float32", "halffloat": "float16"}


def _type_name(arrow_type: Any) -> str:
    """Arrow's name of a column type, floats as the Hub's viewer names them; a long nested type by its kind."""
    text = re.sub(r"\b(double|float|halffloat)\b", lambda m: _FLOATS[m.group(1)], str(arrow_type))
    return text if len(text) <= 48 else text.split("<", 1)[0]


def dataset_columns(output: OutputFormat, scores: EvalColumns | None = None) -> list[Column]:
    """The columns of dataset.parquet (and of the hf export): id, each output field with its type and description,
    lineage, then the eval columns of `scores`."""
    from seedless.engine.outputs.parquet import LINEAGE_TYPE, arrow_type, field_columns  # pyarrow, when a card is made

    described = {f.name: f.description for f in output.fields}
    schema = record_schema(output)
    fields = field_columns(schema)
    columns = [Column(name="id", type="string", description="the datapoint's id")]
    if fields is None:
        columns.append(Column(name="data", type="string", description="the datapoint, as JSON text"))
    else:
        for name, (field, sub) in fields.items():
            text = described.get(field) or (sub.get("description", "") if isinstance(sub, dict) else "")
            columns.append(Column(name=name, type=_type_name(arrow_type(sub)), description=str(text)))
    columns.append(Column(name="lineage", type=_type_name(LINEAGE_TYPE), description=LINEAGE))
    return columns + (scores.columns() if scores is not None else [])


def _factor(taxonomy: Any) -> FactorShape:
    nodes = [node for _, node in taxonomy.root.walk()][1:]
    return FactorShape(name=taxonomy.factor, description=taxonomy.root.description,
                       levels=taxonomy.level_sizes()[1:], leaves=sum(1 for n in nodes if not n.children))


def _usage(spec: Spec, stages: list[UsageRow]) -> list[UsageLine]:
    """Per stage and model; the cost where the spec prices the endpoint whose identity recorded the calls."""
    prices = {}
    for name, settings in spec.models.endpoints.items():
        price = price_for(spec.models, name)
        if price is not None:
            prices[endpoint_identity(settings)[0]] = price
    return [UsageLine(stage=r.role, model=mask_urls(r.model), calls=r.calls, prompt_tokens=r.prompt_tokens,
                      completion_tokens=r.completion_tokens,
                      cost=cost_of(prices[r.model], r.prompt_tokens, r.completion_tokens, r.cached_tokens)
                      if r.model in prices else None) for r in stages]


def run_card_facts(spec: Spec, taxonomies: TaxonomySet, strategies: list[Strategy], budget: CoverageBudget,
                   stats: RejectionStats, critics_on: dict[str, bool], judge: JudgeCheckOutcome | None,
                   roles: list[UsageRow], stages: list[UsageRow], *, rows: int, rejected: int, complete: bool,
                   warnings: Iterable[str] = ()) -> CardFacts:
    """The card's facts from what `run` made: its taxonomies, strategies, coverage budget, rejection statistics,
    judge check, usage per role (`roles`) and per stage (`stages`), and the dataset files' counts."""
    run = RunFacts(
        factors=[_factor(t) for t in taxonomies.taxonomies],
        strategies=[StrategyLine(name=s.name, weight=s.weight, taxonomies=[" > ".join(c.under) for c in s.components],
                                 exclusions=len(s.exclusions), description=s.description) for s in strategies],
        target=budget.target, reachable=budget.reachable, exact=budget.exact, budget=budget.meaning(),
        complexify=spec.generation.complexify, complete=complete, tries=stats.tries, accepted=stats.accepted,
        stages=[StageLine(stage=s.stage, reached=s.reached, rejected=s.rejected)
                for s in stats.stages(critics_on=critics_on)],
        hard_nodes=[NodeLine(path=list(n.path), tries=n.tries, rejected=n.rejected)
                    for n in stats.nodes() if n.rejected][:5],
        warnings=[*warnings, *stats.warnings(critics_on=critics_on)],
        judge=judge.figures if judge is not None else None,
        judge_skipped=judge.skipped if judge is not None else None,
        models=[RoleModel(role=r.role, model=mask_urls(r.model), calls=r.calls,
                          tokens=r.prompt_tokens + r.completion_tokens) for r in roles],
        usage=_usage(spec, stages))
    return CardFacts(name=spec.name, description=spec.description, seedless_version=seedless_version(),
                     answer_field=spec.output.answer_field, rows=rows, rejected=rejected, run=run)


def eval_facts(report: EvalReport, path: Path) -> EvalFacts:
    """The report's one-line summaries, section by section."""
    return EvalFacts(report=path.name, items=report.items,
                     lines=[EvalLine(measure=name, summary=section.summary()) for name, section in report.sections()])


def run_eval(run: RunDir, rows: int, report_path: Path | None = None) -> EvalFacts | None:
    """The eval summary for the card: of `report_path`, else of RUN_DIR/eval.json when it is there and measured this
    many items (an older report of another dataset size is left out); None when there is none to show."""
    path = report_path or run.eval_report
    if not path.is_file():
        return None
    try:
        report = read_report(path)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, DataError):
        return None
    if report_path is None and report.items != rows:
        return None
    return eval_facts(report, path)


def stored_facts(run: RunDir) -> CardFacts | None:
    """The facts the last `seedless run` kept in the store (None: a run made before cards, or not by seedless)."""
    raw = read_artifact(run.db, CARD_FACTS)
    try:
        return CardFacts.model_validate(raw) if raw is not None else None
    except ValidationError:
        return None


def minimal_facts(run: RunDir, rows: int) -> CardFacts:
    """What a card can say of a run directory without stored facts: the spec's name and description, the rows."""
    name, description, answer = None, "A dataset.", None
    try:
        spec = load_spec(run.spec)
        name, description, answer = spec.name, spec.description, spec.output.answer_field
    except (SpecError, OSError):
        pass
    return CardFacts(name=name, description=description, seedless_version=seedless_version(), answer_field=answer,
                     rows=rows)


def write_card(path: Path, text: str) -> bool:
    """README.md written atomically, unless it is there and is not seedless's own untouched card (someone edited it,
    or wrote it): then it is kept and False returned."""
    if path.exists():
        try:
            current = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return False
        if not is_generated(current):
            return False
    RunDir.write_atomic(path, text)
    return True


def run_card(run: RunDir, facts: CardFacts, output: OutputFormat) -> str:
    """The card of the run directory: its dataset.parquet, its columns, RUN_DIR/eval.json's summary if current."""
    layout = CardLayout(data_file=DATA_FILE, columns=dataset_columns(output), rows=facts.rows,
                        eval=run_eval(run, facts.rows))
    return render_card(facts, layout)


def export_card(run_dir: Path, output: OutputFormat, rows: int, scores: EvalColumns | None = None,
                repo: str | None = None) -> str:
    """The card of an export (what a push uploads): RUN_DIR/README.md as it is when someone edited it, else the run's
    stored facts (or what the files say) over the export's columns and the eval summary (the joined report's, else
    RUN_DIR/eval.json's)."""
    run = RunDir(run_dir)
    if run.card.is_file():
        try:
            current = run.card.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            current = ""
        if current and not is_generated(current):
            return current
    facts = stored_facts(run) or minimal_facts(run, rows)
    facts = facts.model_copy(update={"rows": rows})
    layout = CardLayout(data_file=DATA_FILE, columns=dataset_columns(output, scores), rows=rows,
                        eval=run_eval(run, rows, scores.report if scores is not None else None), repo=repo)
    return render_card(facts, layout)
