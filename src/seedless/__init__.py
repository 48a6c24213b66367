"""seedless: reasoning-driven, seedless synthetic dataset generation and evaluation; the Python API, loaded lazily.

`import seedless` loads nothing else: each name of `__all__` is imported from its home module on first use
(`seedless.run` from seedless.interface.api, `seedless.Spec` from seedless.spec.models, ...). The
`TYPE_CHECKING` imports below are the same names from the same modules, so IDEs and type checkers see each
with its real signature; tests/test_package_api.py checks that the two agree."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    # what the commands do
    "run", "arun", "plan", "taxonomy", "evaluate", "aevaluate", "estimate", "validate", "export", "split",
    "records", "rejections", "spec_of",
    # the types a user annotates with
    "Spec", "EvalSettings", "Record", "Rejection", "ChatMapping",
    "ModelClient", "ChatRequest", "ChatReply",
    "Event", "EventSink", "CallStarted", "CallDone", "CallRetry", "LevelStarted", "NodeExpanded",
    "GenerationStarted", "DatapointDone", "Notice",
    "RunOutcome", "PlanOutcome", "TaxonomyOutcome", "EvalReport", "Estimate", "ExportResult", "SplitResult",
    # the errors a user catches
    "SpecError", "RunDirError", "DataError", "ExportError", "FatalModelError",
    "__version__",
]

_HOME: dict[str, tuple[str, ...]] = {
    "seedless.interface.api": ("run", "arun", "plan", "taxonomy", "evaluate", "aevaluate", "estimate", "validate",
                               "export", "split", "records", "rejections", "spec_of"),
    "seedless.spec.models": ("Spec",),
    "seedless.spec.eval_settings": ("EvalSettings",),
    "seedless.spec.loader": ("SpecError",),
    "seedless.core.dataset.record": ("Record", "Rejection"),
    "seedless.core.dataset.chat_mapping": ("ChatMapping",),
    "seedless.core.estimate": ("Estimate",),
    "seedless.engine.llm.clients.base": ("ModelClient", "ChatRequest", "ChatReply", "FatalModelError"),
    "seedless.engine.events": ("Event", "EventSink", "CallStarted", "CallDone", "CallRetry", "LevelStarted",
                               "NodeExpanded", "GenerationStarted", "DatapointDone", "Notice"),
    "seedless.engine.commands.run": ("RunOutcome",),
    "seedless.engine.commands.plan": ("PlanOutcome",),
    "seedless.engine.commands.taxonomy": ("TaxonomyOutcome",),
    "seedless.engine.commands.evaluate": ("EvalReport",),
    "seedless.engine.outputs.export": ("ExportResult",),
    "seedless.engine.evaluation.split": ("SplitResult",),
    "seedless.engine.store.rundir": ("RunDirError",),
    "seedless.engine.evaluation.items": ("DataError",),
    "seedless.engine.outputs.dataset_reader": ("ExportError",),
}
_MODULE_OF = {name: module for module, names in _HOME.items() for name in names}

if TYPE_CHECKING:
    from seedless.core.dataset.chat_mapping import ChatMapping
    from seedless.core.dataset.record import Record, Rejection
    from seedless.core.estimate import Estimate
    from seedless.engine.commands.evaluate import EvalReport
    from seedless.engine.commands.plan import PlanOutcome
    from seedless.engine.commands.run import RunOutcome
    from seedless.engine.commands.taxonomy import TaxonomyOutcome
    from seedless.engine.evaluation.items import DataError
    from seedless.engine.evaluation.split import SplitResult
    from seedless.engine.events import (
        CallDone,
        CallRetry,
        CallStarted,
        DatapointDone,
        Event,
        EventSink,
        GenerationStarted,
        LevelStarted,
        NodeExpanded,
        Notice,
    )
    from seedless.engine.llm.clients.base import ChatReply, ChatRequest, FatalModelError, ModelClient
    from seedless.engine.outputs.dataset_reader import ExportError
    from seedless.engine.outputs.export import ExportResult
    from seedless.engine.store.rundir import RunDirError
    from seedless.interface.api import (
        aevaluate,
        arun,
        estimate,
        evaluate,
        export,
        plan,
        records,
        rejections,
        run,
        spec_of,
        split,
        taxonomy,
        validate,
    )
    from seedless.spec.eval_settings import EvalSettings
    from seedless.spec.loader import SpecError
    from seedless.spec.models import Spec


if not TYPE_CHECKING:  # hidden from type checkers, so that `seedless.typo` is an error to them too

    def __getattr__(name: str) -> Any:
        module = _MODULE_OF.get(name)
        if module is None:
            raise AttributeError(f"module 'seedless' has no attribute {name!r}")
        from importlib import import_module

        value = getattr(import_module(module), name)
        globals()[name] = value  # the next use is a plain attribute
        return value


def __dir__() -> list[str]:
    return list(__all__)
