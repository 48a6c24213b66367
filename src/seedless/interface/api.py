"""The Python API, with the CLI's power: validate, estimate, plan, run, evaluate, split; typed records back, exports."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from seedless.core.dataset.chat_mapping import ChatMapping
from seedless.core.dataset.record import Record, Rejection
from seedless.core.estimate import Assumptions, Estimate
from seedless.engine.commands.estimate import estimate_spec
from seedless.engine.commands.plan import PlanOutcome, build_plan
from seedless.engine.commands.run import RunOutcome, run_dataset
from seedless.engine.commands.taxonomy import TaxonomyOutcome, build_taxonomies
from seedless.engine.events import EventSink, ignore
from seedless.engine.llm.clients import ModelClient
from seedless.engine.outputs.export import ExportResult
from seedless.engine.outputs.export import export as export_run
from seedless.engine.stages.datapoint.checks import register_validator
from seedless.engine.store.jsonl import read_objects
from seedless.engine.store.rundir import RunDir, RunDirError
from seedless.spec.eval_settings import EvalSettings
from seedless.spec.loader import load_spec, parse_spec
from seedless.spec.models import Spec
from seedless.spec.overrides import on_one_endpoint

if TYPE_CHECKING:  # loaded by the functions that use them: the measures need numpy, a run does not
    from seedless.engine.commands.evaluate import EvalReport
    from seedless.engine.evaluation.split import SplitResult

SpecLike = Spec | str | Path
def spec_of(spec: SpecLike, *, base_url: str | None = None, model: str | None = None,
            api_key_env: str | None = None, max_concurrency: int | None = None,
            clients: Collection[str] = ()) -> Spec:
    """A Spec from a Spec, a path to a YAML file, or YAML text (a string with a newline); `base_url` and
    `model` point every role at one OpenAI-compatible server, like the CLI's --base-url/--model. `clients`:
    the endpoint names given as clients, which roles and models.default may name without declaring them."""
    if isinstance(spec, Spec):
        loaded = spec
    elif isinstance(spec, str) and "\n" in spec:
        loaded = parse_spec(spec, clients=clients)
    else:
        loaded = load_spec(spec, clients=clients)
    return on_one_endpoint(loaded, base_url, model, api_key_env, max_concurrency)


def validate(spec: str | Path) -> Spec:
    """`seedless validate SPEC`: the Spec of a YAML file (a path) or of YAML text (a string with a newline).
    SpecError (`.problems`) lists every problem at once, each with its file, line and field."""
    return spec_of(spec)


def estimate(spec: SpecLike, *, acceptance: float = Assumptions.acceptance,
             completion_fraction: float = Assumptions.completion_fraction, base_url: str | None = None,
             model: str | None = None, clients: dict[str, ModelClient] | None = None) -> Estimate:
    """`seedless estimate SPEC`: expected model calls, prompt and completion tokens and cost per stage
    (`.stages`) and in total (`.total("calls")`...), each as low / expected / high; sends no model call.
    `clients`: the same clients by name a `run` would get (no endpoint need be declared for them)."""
    loaded = spec_of(spec, base_url=base_url, model=model, clients=list(clients or {}))
    return estimate_spec(loaded, Assumptions(acceptance, completion_fraction), clients=clients)


def _claim(spec: SpecLike, out: str | Path, force: bool) -> Path:
    """`out` checked and marked as a run directory (RunDirError if it holds someone else's files, unless `force`)."""
    spec_file = Path(spec) if isinstance(spec, Path) or (isinstance(spec, str) and "\n" not in spec) else None
    RunDir(Path(out)).claim(force=force, spec_file=spec_file)
    return Path(out)


def with_validators(spec: Spec, validators: Collection[Callable[[dict[str, Any]], Any]]) -> Spec:
    """`spec` with the callables added to generation.validators (by the names the checks step knows them by)."""
    if not validators:
        return spec
    names = [*spec.generation.validators, *(register_validator(fn) for fn in validators)]
    return spec.model_copy(update={"generation": spec.generation.model_copy(update={"validators": names})})


async def arun(spec: SpecLike, out: str | Path, *, events: EventSink = ignore, from_scratch: bool = False,
               force: bool = False, clients: dict[str, ModelClient] | None = None, base_url: str | None = None,
               model: str | None = None, api_key_env: str | None = None,
               max_concurrency: int | None = None,
               validators: Collection[Callable[[dict[str, Any]], Any]] = ()) -> RunOutcome:
    """`seedless run` as a coroutine; `events` receives typed progress events (engine.events). `force` uses an
    `out` that holds files seedless did not write (refused otherwise, like the CLI without --force).
    `validators`: callables run on each datapoint by the checks step, like generation.validators (each takes the
    datapoint dict; None or True passes, a reason string or (False, reason) rejects)."""
    loaded = spec_of(spec, base_url=base_url, model=model, api_key_env=api_key_env, max_concurrency=max_concurrency,
                     clients=clients or {})
    loaded = with_validators(loaded, validators)
    return await run_dataset(loaded, _claim(spec, out, force), events=events, from_scratch=from_scratch,
                             clients=clients)


def run(spec: SpecLike, out: str | Path, *, events: EventSink = ignore, from_scratch: bool = False,
        force: bool = False, clients: dict[str, ModelClient] | None = None, base_url: str | None = None,
        model: str | None = None, api_key_env: str | None = None, max_concurrency: int | None = None,
        validators: Collection[Callable[[dict[str, Any]], Any]] = ()) -> RunOutcome:
    """`seedless run SPEC --out OUT`: taxonomies, strategies, then the dataset. Resumable like the CLI.
    `validators`: callables the checks step runs on each datapoint (see `arun`)."""
    return asyncio.run(arun(spec, out, events=events, from_scratch=from_scratch, force=force, clients=clients,
                            base_url=base_url, model=model, api_key_env=api_key_env, max_concurrency=max_concurrency,
                            validators=validators))


def taxonomy(spec: SpecLike, out: str | Path, *, events: EventSink = ignore, from_scratch: bool = False,
             force: bool = False, clients: dict[str, ModelClient] | None = None, base_url: str | None = None,
             model: str | None = None, api_key_env: str | None = None,
             max_concurrency: int | None = None) -> TaxonomyOutcome:
    """`seedless taxonomy SPEC --out OUT`."""
    loaded = spec_of(spec, base_url=base_url, model=model, api_key_env=api_key_env, max_concurrency=max_concurrency,
                     clients=clients or {})
    return asyncio.run(build_taxonomies(loaded, _claim(spec, out, force), events=events, from_scratch=from_scratch,
                                        clients=clients))


def plan(spec: SpecLike, out: str | Path, *, events: EventSink = ignore, from_scratch: bool = False,
         force: bool = False, clients: dict[str, ModelClient] | None = None, base_url: str | None = None,
         model: str | None = None, api_key_env: str | None = None, max_concurrency: int | None = None) -> PlanOutcome:
    """`seedless plan SPEC --out OUT`: taxonomies, strategies, coverage budget and sample mixes."""
    loaded = spec_of(spec, base_url=base_url, model=model, api_key_env=api_key_env, max_concurrency=max_concurrency,
                     clients=clients or {})
    return asyncio.run(build_plan(loaded, _claim(spec, out, force), events=events, from_scratch=from_scratch,
                                  clients=clients))


def _eval_settings(settings: EvalSettings | None, options: dict[str, object]) -> EvalSettings:
    """`settings` (default: EvalSettings()) with `options` set over it, validated as one."""
    if not options:
        return settings if settings is not None else EvalSettings()
    given = {name: getattr(settings, name) for name in settings.model_fields_set} if settings is not None else {}
    return EvalSettings.model_validate({**given, **options})


async def aevaluate(data: str | Path | None, out: str | Path, *, settings: EvalSettings | None = None,
                    taxonomy: str | Path | None = None, expert: str | Path | None = None,
                    events: EventSink = ignore, clients: dict[str, ModelClient] | None = None,
                    base_url: str | None = None, model: str | None = None, api_key_env: str | None = None,
                    max_concurrency: int | None = None, **options: object) -> EvalReport:
    """`seedless eval` as a coroutine: see `evaluate`."""
    from seedless.engine.commands.evaluate import evaluate as evaluate_data
    from seedless.engine.commands.evaluate import write_report

    chosen = on_one_endpoint(_eval_settings(settings, options), base_url, model, api_key_env, max_concurrency)
    report_path = Path(out)
    report = await evaluate_data(Path(data) if data is not None else None, chosen, report_path,
                                 taxonomy=Path(taxonomy) if taxonomy is not None else None,
                                 expert=Path(expert) if expert is not None else None, events=events, clients=clients)
    write_report(report, report_path)
    return report


def evaluate(data: str | Path | None, out: str | Path, *, settings: EvalSettings | None = None,
             taxonomy: str | Path | None = None, expert: str | Path | None = None, events: EventSink = ignore,
             clients: dict[str, ModelClient] | None = None, base_url: str | None = None, model: str | None = None,
             api_key_env: str | None = None, max_concurrency: int | None = None, **options: object) -> EvalReport:
    """`seedless eval DATA --out OUT`: the measures of DATA (JSONL, Parquet or a run directory; None for
    taxonomy_quality alone) written to the report OUT (JSON) and returned. Settings are `settings` (an
    EvalSettings) with any EvalSettings field given as a keyword over it (`metrics=["coverage"]`,
    `fields=["question"]`, `answer_field=...`, `models=...`). Model calls are stored beside OUT, so the same
    call again resumes and sends no finished call."""
    return asyncio.run(aevaluate(data, out, settings=settings, taxonomy=taxonomy, expert=expert, events=events,
                                 clients=clients, base_url=base_url, model=model, api_key_env=api_key_env,
                                 max_concurrency=max_concurrency, **options))


def split(data: str | Path, report: str | Path, out: str | Path, *, tiers: int = 3,
          factor: str | None = None) -> SplitResult:
    """`seedless split DATA --report REPORT --out OUT`: OUT/tier_1.jsonl (easiest) .. tier_N.jsonl, complexity
    tiers computed within each node of `factor` (default: the report's first taxonomy)."""
    from seedless.engine.evaluation.split import split_by_complexity

    return split_by_complexity(Path(data), Path(report), Path(out), n_tiers=tiers, factor=factor)


def _checked(out: str | Path) -> RunDir:
    run = RunDir(Path(out))
    problem = run.dataset_mismatch()
    if problem:
        raise RunDirError(problem)
    return run


def records(out: str | Path) -> Iterator[Record]:
    """The accepted datapoints of a run directory, typed, in dataset order (streamed). RunDirError when the
    dataset files come from two different writes (see docs/run.md), or naming FILE:LINE of a line that is
    not a JSON object."""
    path = _checked(out).dataset
    return (Record.model_validate(obj) for _, obj in read_objects(path, RunDirError))


def rejections(out: str | Path) -> Iterator[Rejection]:
    """Every rejected try of a run directory, with the stage that rejected it and why (checked like `records`)."""
    path = _checked(out).rejected
    return (Rejection.model_validate(obj) for _, obj in read_objects(path, RunDirError))


def export(out: str | Path, fmt: str = "jsonl", path: str | Path | None = None,
           mapping: ChatMapping | None = None, *, with_eval: str | Path | None = None, tiers: int = 3,
           push_to_hub: str | None = None, private: bool = False) -> ExportResult:
    """`seedless export OUT --format FMT`: jsonl (data only), chat (messages for fine-tuning) or hf (with its card);
    `with_eval=REPORT` joins the eval report's per-item scores as columns, `push_to_hub=REPO` uploads the hf export."""
    return export_run(out, fmt, path, mapping, with_eval=with_eval, tiers=tiers, push_to_hub=push_to_hub,
                      private=private)
