"""`seedless compare`: several datasets measured on one ground: one taxonomy, one embedder, one joint Elo pool."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from seedless.core.measures.comparison import ComparedSettings, Comparison, DatasetComparison, DatasetComplexity
from seedless.core.measures.report import CoverageSection, DiversitySection
from seedless.core.taxonomy.file import dump_taxonomies, read_taxonomies
from seedless.core.taxonomy.tree import TaxonomySet
from seedless.core.taxonomy.union import node_count, taxonomy_union
from seedless.engine.evaluation.complexity import NO_DESCRIPTION, description
from seedless.engine.evaluation.coverage import run_coverage
from seedless.engine.evaluation.diversity import diversity_section
from seedless.engine.evaluation.embedding import make_eval_embedder
from seedless.engine.evaluation.items import DataError, Item, load_items
from seedless.engine.evaluation.joint_complexity import JointComplexity, rate_jointly
from seedless.engine.evaluation.judges import judging_models
from seedless.engine.evaluation.measure import MeasureContext
from seedless.engine.events import EventSink, Notice, ignore
from seedless.engine.llm.bindings import role_endpoint
from seedless.engine.llm.caller import Caller
from seedless.engine.llm.clients import ModelClient
from seedless.engine.session import ModelSession
from seedless.engine.store.rundir import RunDir
from seedless.engine.tasks import together
from seedless.spec.compare_settings import CompareSettings
from seedless.spec.models import Role


@dataclass(frozen=True)
class Dataset:
    """A dataset to compare: its label and where it is read from."""

    name: str
    source: Path


def dataset_names(sources: Sequence[Path], names: Sequence[str] = ()) -> list[Dataset]:
    """Each source labelled: by `names` in order (as many as there are sources, distinct), else by the run
    directory's or file's name, lengthened by its parent folders while two labels are the same."""
    if names:
        if len(names) != len(sources):
            raise DataError(f"{len(names)} name(s) for {len(sources)} dataset(s): give one --name per dataset")
        if len(set(names)) != len(names):
            raise DataError(f"dataset names must differ: {', '.join(names)}")
        return [Dataset(n, s) for n, s in zip(names, sources)]
    parts = [s.resolve().parts for s in sources]
    depth = 1
    while True:
        labels = ["/".join(p[-depth:]) if sources[i].is_dir() or depth > 1 else Path(p[-1]).stem
                  for i, p in enumerate(parts)]
        if len(set(labels)) == len(labels) or depth >= max(len(p) for p in parts):
            break
        depth += 1
    if len(set(labels)) != len(labels):
        raise DataError("the same dataset is given twice: " + ", ".join(str(s) for s in sources))
    return [Dataset(n, s) for n, s in zip(labels, sources)]


@dataclass(frozen=True)
class SharedTaxonomy:
    taxonomies: TaxonomySet | None
    source: str | None  # the file the comparison's coverage is measured against
    description: str


def shared_taxonomy(datasets: Sequence[Dataset], given: Path | None, out: Path) -> SharedTaxonomy:
    """The taxonomy every dataset is measured against: `given` (a taxonomy.yaml, or a run directory's), else the
    union of the run directories' taxonomies (factors by name, nodes by path), written to OUT/taxonomy.yaml; never
    each run's own (a depth-1 baseline would look fully covered by its own one level)."""
    target = RunDir(out).taxonomy
    if given is not None:
        path = RunDir(given).taxonomy if given.is_dir() else given
        if not path.is_file():
            raise DataError(f"{given}: no taxonomy.yaml there" if given.is_dir() else f"{given}: no such file")
        taxonomies = read_taxonomies(path)
        if path.resolve() != target.resolve():
            RunDir.write_atomic(target, dump_taxonomies(taxonomies))
        return SharedTaxonomy(taxonomies, str(path), f"given: {path} ({node_count(taxonomies)} nodes)")
    found = [(d, RunDir(d.source).taxonomy) for d in datasets if d.source.is_dir()]
    found = [(d, path) for d, path in found if path.is_file()]
    if not found:
        return SharedTaxonomy(None, None, "none: no run directory with a taxonomy.yaml, and no --taxonomy")
    union = taxonomy_union([read_taxonomies(path) for _, path in found])
    RunDir.write_atomic(target, dump_taxonomies(union))
    named = ", ".join(d.name for d, _ in found)
    return SharedTaxonomy(union, str(target), f"the union of the taxonomies of {named} ({node_count(union)} nodes)")


def _description(datasets: Sequence[Dataset]) -> str:
    """What the rater is told the items are: the runs' description when every dataset is a run saying the same,
    else a neutral one (a run's own description must not favour its items)."""
    said = {description(d.source) for d in datasets}
    return said.pop() if len(said) == 1 else NO_DESCRIPTION


def _deepest(taxonomies: TaxonomySet | None) -> int:
    """The deepest level with nodes over every factor (0 without a taxonomy)."""
    return max((len(p) - 1 for t in (taxonomies.taxonomies if taxonomies else []) for p, _ in t.root.walk()),
               default=0)


def _judge(settings: CompareSettings, roles: list[Role]) -> str | None:
    shown = []
    for role in roles:
        name = role_endpoint(settings.models, role)
        endpoint = settings.models.endpoints.get(name)
        shown.append(f"{role.value}={getattr(endpoint, 'model', None) or name} ({name})")
    return ", ".join(shown) or None


def compared_settings(settings: CompareSettings) -> ComparedSettings:
    return ComparedSettings(metrics=list(settings.metrics), fields=list(settings.fields), max_chars=settings.max_chars,
                            coverage_mode=settings.coverage_mode, coverage_assignment=settings.coverage_assignment,
                            neighbours=settings.neighbours, complexity_items=settings.complexity_items,
                            complexity_batch=settings.complexity_batch,
                            complexity_per_item=settings.complexity_per_item,
                            histogram_bins=settings.histogram_bins, seed=settings.seed)


async def compare(sources: Sequence[Path], settings: CompareSettings, out: Path, *, names: Sequence[str] = (),
                  taxonomy: Path | None = None, events: EventSink = ignore,
                  clients: dict[str, ModelClient] | None = None) -> Comparison:
    """Every dataset of `sources` (JSONL, Parquet or run directories) measured on one ground: coverage against one
    shared taxonomy (`shared_taxonomy`), diversity with one embedder, complexity from one Elo pool whose batches
    mix the datasets. Model calls go through OUT/seedless.db (cached, under models.budget); unless models are
    named, eval's default judges (`judging_models`). Nothing is written but OUT/taxonomy.yaml: the caller writes
    the result (`write_comparison`)."""
    if len(sources) < 1:
        raise DataError("compare needs at least one dataset")
    run = RunDir(out)
    if run.dataset.is_file() or run.spec.is_file():
        raise DataError(f"{out} is a run directory; compare writes its own taxonomy.yaml there: choose another --out")
    settings = judging_models(settings)
    datasets = dataset_names(sources, names)
    loaded = [load_items(d.source, settings.fields) for d in datasets]
    out.mkdir(parents=True, exist_ok=True)
    wanted = list(settings.metrics)
    shared = shared_taxonomy(datasets, taxonomy, out) if "coverage" in wanted else None
    notes = []
    if shared is not None and shared.taxonomies is None:
        wanted.remove("coverage")
        notes.append("coverage skipped: no taxonomy (pass --taxonomy TAXONOMY.yaml or a run directory)")
        events(Notice(notes[-1], warning=True))
    contexts = [MeasureContext(d.source, settings, items, shared.taxonomies if shared else None,
                               taxonomy_path=shared.source if shared else None)
                for d, items in zip(datasets, loaded)]
    embedder = None
    if "diversity" in wanted or ("coverage" in wanted and settings.coverage_mode == "embedding"):
        embedder = make_eval_embedder(settings)
        for context in contexts:
            context.embedder = embedder
            context.vectors = await asyncio.to_thread(embedder.embed, [i.text for i in context.items])
    diversity = ([await asyncio.to_thread(diversity_section, c) for c in contexts] if "diversity" in wanted
                 else [None] * len(contexts))
    for d, items in zip(datasets, loaded):
        if "diversity" in wanted and len(items) <= settings.neighbours:
            notes.append(f"{d.name}: {len(items)} item(s), not more than k={settings.neighbours}: its local diversity "
                         "is its global diversity")
    roles = ([Role.assigner] if "coverage" in wanted and settings.coverage_mode == "model" else []) + (
        [Role.rater] if "complexity" in wanted else [])
    coverage: list[CoverageSection | None] = [None] * len(contexts)
    joint: JointComplexity | None = None
    sent = reused = 0
    if "coverage" in wanted and not roles:  # embedding coverage: no model
        coverage = [await run_coverage(c) for c in contexts]
    elif roles:
        async with ModelSession(settings.models, settings.seed, run.db, "compare", events=events,
                                clients=clients) as session:
            coverage, joint = await _with_models(session.caller, contexts, loaded, datasets, settings, wanted)
            sent, reused = session.caller.sent, session.caller.reused
    return Comparison(
        taxonomy=shared.source if shared else None,
        taxonomy_description=shared.description if shared else "not used (no coverage)",
        levels=_deepest(shared.taxonomies) if shared else 0,
        embedder=embedder.identity if embedder is not None else None, judge=_judge(settings, roles),
        settings=compared_settings(settings), pool=joint.pool if joint else None,
        datasets=[_dataset(d, items, cov, div, joint.datasets[i] if joint else None)
                  for i, (d, items, cov, div) in enumerate(zip(datasets, loaded, coverage, diversity))],
        notes=notes, calls_sent=sent, calls_reused=reused)


async def _with_models(caller: Caller, contexts: list[MeasureContext], loaded: list[list[Item]],
                       datasets: Sequence[Dataset], settings: CompareSettings,
                       wanted: list[str]) -> tuple[list[CoverageSection | None], JointComplexity | None]:
    """Each dataset's coverage (its own assigner calls: independent of the others) and the joint pool, together;
    a fatal model error stops them all."""
    for context in contexts:
        context.model = caller
    jobs = [run_coverage(c) for c in contexts] if "coverage" in wanted else []
    if "complexity" in wanted:
        jobs.append(rate_jointly(caller, loaded, description=_description(datasets), limit=settings.complexity_items,
                                 per_item=settings.complexity_per_item, batch=settings.complexity_batch,
                                 max_chars=settings.max_chars, seed=settings.seed, bins=settings.histogram_bins))
    done = await together(jobs)
    joint = done.pop() if "complexity" in wanted else None
    coverage = list(done) if "coverage" in wanted else [None] * len(contexts)
    return coverage, joint  # type: ignore[return-value]


def _dataset(d: Dataset, items: list[Item], coverage: CoverageSection | None, diversity: DiversitySection | None,
             complexity: DatasetComplexity | None) -> DatasetComparison:
    return DatasetComparison(name=d.name, source=str(d.source), items=len(items), coverage=coverage,
                             diversity=diversity, complexity=complexity)


def write_comparison(comparison: Comparison, out: Path) -> Path:
    """OUT/compare.json, written atomically."""
    path = RunDir(out).comparison
    RunDir.write_atomic(path, json.dumps(comparison.as_dict(), indent=1, ensure_ascii=False))
    return path


__all__ = ["DataError", "Dataset", "compare", "dataset_names", "shared_taxonomy", "write_comparison"]
