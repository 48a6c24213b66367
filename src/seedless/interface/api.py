"""The Python API, with the CLI's power: load a spec, build the plan, run, read typed records, export."""

from __future__ import annotations

from seedless.core.chat_mapping import ChatMapping

import asyncio
from collections.abc import Iterator
from pathlib import Path

from seedless.core.record import Record, Rejection
from seedless.engine.clients import ModelClient
from seedless.engine.events import EventSink, ignore
from seedless.engine.export import ExportResult
from seedless.engine.export import export as export_run
from seedless.engine.plan_run import PlanOutcome, build_plan
from seedless.engine.rundir import RunDir, RunDirError
from seedless.engine.run_pipeline import RunOutcome, run_dataset
from seedless.engine.taxonomy_run import TaxonomyOutcome, build_taxonomies
from seedless.spec.loader import load_spec, parse_spec
from seedless.spec.models import Spec
from seedless.spec.overrides import with_single_endpoint

SpecLike = Spec | str | Path


def spec_of(spec: SpecLike, *, base_url: str | None = None, model: str | None = None,
            api_key_env: str | None = None, max_concurrency: int | None = None) -> Spec:
    """A Spec from a Spec, a path to a YAML file, or YAML text (a string with a newline); `base_url` and
    `model` point every role at one OpenAI-compatible server, like the CLI's --base-url/--model."""
    if isinstance(spec, Spec):
        loaded = spec
    elif isinstance(spec, str) and "\n" in spec:
        loaded = parse_spec(spec)
    else:
        loaded = load_spec(spec)
    if bool(base_url) != bool(model):
        raise ValueError("base_url and model go together")
    if base_url and model:
        loaded = with_single_endpoint(loaded, base_url, model, api_key_env, max_concurrency)
    return loaded


def _claim(spec: SpecLike, out: str | Path, force: bool) -> Path:
    """`out` checked and marked as a run directory (RunDirError if it holds someone else's files, unless `force`)."""
    spec_file = Path(spec) if isinstance(spec, Path) or (isinstance(spec, str) and "\n" not in spec) else None
    RunDir(Path(out)).claim(force=force, spec_file=spec_file)
    return Path(out)


async def arun(spec: SpecLike, out: str | Path, *, events: EventSink = ignore, from_scratch: bool = False,
               force: bool = False, clients: dict[str, ModelClient] | None = None,
               **endpoint: str | int | None) -> RunOutcome:
    """`seedless run` as a coroutine; `events` receives typed progress events (engine.events). `force` uses an
    `out` that holds files seedless did not write (refused otherwise, like the CLI without --force)."""
    loaded = spec_of(spec, **endpoint)  # type: ignore[arg-type]
    return await run_dataset(loaded, _claim(spec, out, force), events=events, from_scratch=from_scratch,
                             clients=clients)


def run(spec: SpecLike, out: str | Path, *, events: EventSink = ignore, from_scratch: bool = False,
        force: bool = False, clients: dict[str, ModelClient] | None = None,
        **endpoint: str | int | None) -> RunOutcome:
    """`seedless run SPEC --out OUT`: taxonomies, strategies, then the dataset. Resumable like the CLI."""
    return asyncio.run(arun(spec, out, events=events, from_scratch=from_scratch, force=force, clients=clients,
                            **endpoint))


def taxonomy(spec: SpecLike, out: str | Path, *, events: EventSink = ignore, from_scratch: bool = False,
             force: bool = False, clients: dict[str, ModelClient] | None = None,
             **endpoint: str | int | None) -> TaxonomyOutcome:
    """`seedless taxonomy SPEC --out OUT`."""
    loaded = spec_of(spec, **endpoint)  # type: ignore[arg-type]
    return asyncio.run(build_taxonomies(loaded, _claim(spec, out, force), events=events, from_scratch=from_scratch,
                                        clients=clients))


def plan(spec: SpecLike, out: str | Path, *, events: EventSink = ignore, from_scratch: bool = False,
         force: bool = False, clients: dict[str, ModelClient] | None = None,
         **endpoint: str | int | None) -> PlanOutcome:
    """`seedless plan SPEC --out OUT`: taxonomies, strategies, coverage budget and sample mixes."""
    loaded = spec_of(spec, **endpoint)  # type: ignore[arg-type]
    return asyncio.run(build_plan(loaded, _claim(spec, out, force), events=events, from_scratch=from_scratch,
                                  clients=clients))


def _jsonl(path: Path) -> Iterator[str]:
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield line


def _checked(out: str | Path) -> RunDir:
    run = RunDir(Path(out))
    problem = run.dataset_mismatch()
    if problem:
        raise RunDirError(problem)
    return run


def records(out: str | Path) -> Iterator[Record]:
    """The accepted datapoints of a run directory, typed, in dataset order (streamed). RunDirError when the
    dataset files come from two different writes (see docs/run.md)."""
    return (Record.model_validate_json(line) for line in _jsonl(_checked(out).dataset))


def rejections(out: str | Path) -> Iterator[Rejection]:
    """Every rejected try of a run directory, with the stage that rejected it and why (checked like `records`)."""
    return (Rejection.model_validate_json(line) for line in _jsonl(_checked(out).rejected))


def export(out: str | Path, fmt: str = "jsonl", path: str | Path | None = None,
           mapping: ChatMapping | None = None) -> ExportResult:
    """`seedless export OUT --format FMT`: jsonl (data only), chat (messages for fine-tuning) or hf."""
    return export_run(out, fmt, path, mapping)
