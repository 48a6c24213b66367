"""The checks step: the output format's deterministic checks and the user's validators, repaired with their reason."""

from __future__ import annotations

import json
import re
import sqlite3
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from seedless.core.calls import REPAIR_DATAPOINT, CallSite
from seedless.core.dataset.options import normalised, option_index
from seedless.core.dataset.record import Repair, Verdict
from seedless.core.estimate import StepLoad
from seedless.engine.llm.caller import Caller
from seedless.engine.stages.datapoint.step import Context, Draft, Step
from seedless.spec.checks import import_callable
from seedless.spec.models import FieldSpec, Spec

Validator = Callable[[dict[str, Any]], Any]
# A failed check is repaired through the requirement critic's call site (REPAIR_DATAPOINT, stage "requirements"),
# with the checks' reasons as the problem; it is not listed in `calls`, which name the sites of this stage only.
REPAIR_CHECKS = REPAIR_DATAPOINT
# Callables given to the Python API (`seedless.run(..., validators=[f])`), by the name the spec then lists.
VALIDATORS: dict[str, Validator] = {}



def register_validator(fn: Validator) -> str:
    """A callable under a name for `generation.validators`: its dotted path (module.qualname), so that a spec
    snapshot of a module-level function still imports; a second, different callable of that name gets a suffix."""
    name = f"{getattr(fn, '__module__', 'validator')}.{getattr(fn, '__qualname__', type(fn).__name__)}"
    base, n = name, 1
    while VALIDATORS.get(name, fn) is not fn:
        n += 1
        name = f"{base}#{n}"
    VALIDATORS[name] = fn
    return name


def one_of(value: Any, options: list[Any]) -> bool:
    """`value` is one of `options` (core/dataset/options.option_index: the text, the option without its label,
    or a letter)."""
    return option_index(value, options) is not None


def field_problems(spec_field: FieldSpec, data: dict[str, Any]) -> list[str]:
    """What breaks the field's declared checks (the uniqueness check aside, which needs the run)."""
    name, value = spec_field.name, data.get(spec_field.name)
    out: list[str] = []
    if spec_field.choices_from is not None:
        options = data.get(spec_field.choices_from)
        if not isinstance(options, list) or not one_of(value, options):
            out.append(f"{name} {json.dumps(value, ensure_ascii=False)} is not one of {spec_field.choices_from} "
                       f"{json.dumps(options, ensure_ascii=False)}")
    if spec_field.choices is not None and normalised(value) not in {normalised(c) for c in spec_field.choices}:
        out.append(f"{name} {json.dumps(value, ensure_ascii=False)} is not one of "
                   f"{json.dumps(spec_field.choices, ensure_ascii=False)}")
    if isinstance(value, list):
        count = len(value)
        if spec_field.items is not None and count != spec_field.items:
            out.append(f"{name} has {count} items, not {spec_field.items}")
        if spec_field.min_items is not None and count < spec_field.min_items:
            out.append(f"{name} has {count} items, fewer than {spec_field.min_items}")
        if spec_field.max_items is not None and count > spec_field.max_items:
            out.append(f"{name} has {count} items, more than {spec_field.max_items}")
    if isinstance(value, int | float) and not isinstance(value, bool):
        if spec_field.minimum is not None and value < spec_field.minimum:
            out.append(f"{name} {value} is below the minimum {spec_field.minimum:g}")
        if spec_field.maximum is not None and value > spec_field.maximum:
            out.append(f"{name} {value} is above the maximum {spec_field.maximum:g}")
    if spec_field.pattern is not None and isinstance(value, str) and not re.fullmatch(spec_field.pattern, value):
        out.append(f"{name} {json.dumps(value, ensure_ascii=False)} does not match the pattern {spec_field.pattern}")
    return out


def validator_problem(name: str, fn: Validator, data: dict[str, Any]) -> str | None:
    """None when the validator passes the datapoint (None or True), else its reason; an exception is a reason."""
    try:
        said = fn(json.loads(json.dumps(data)))  # a copy: a validator cannot change the datapoint
    except Exception as exc:  # noqa: BLE001 - a failing validator rejects with what it raised, the run goes on
        return f"validator {name} raised {type(exc).__name__}: {exc}"
    if said is None or said is True:
        return None
    if isinstance(said, tuple) and len(said) == 2 and isinstance(said[0], bool):
        return None if said[0] else f"validator {name}: {said[1]}"
    if isinstance(said, str):
        return f"validator {name}: {said}" if said.strip() else f"validator {name} failed"
    if said is False:
        return f"validator {name} failed"
    return f"validator {name} returned {type(said).__name__}, not None, True, a reason or (passed, reason)"


@dataclass
class UniqueIndex:
    """The unique fields' values of the run's accepted datapoints, and the claims of tries still running.

    A try that passes the checks claims its values at once (check and claim with no await between, so two
    concurrent slots cannot both pass). The claim is settled by the records table, which the generation writes
    the moment a try ends: an accepted row confirms the values its datapoint holds (after any later repair), a
    rejected row frees them. Rows of earlier invocations count under the latest basis written before this one,
    dropped once this invocation writes rows of another basis (a changed spec starts the dataset afresh), and an
    earlier slot's row is dropped when this invocation tries that slot again (it was not kept)."""

    fields: tuple[str, ...]
    db: sqlite3.Connection | None
    invocation: str
    seen_rowid: int = 0
    accepted: set[tuple[str, str]] = field(default_factory=set)  # this invocation's accepted values
    earlier: dict[tuple[str, str], set[int]] = field(default_factory=dict)  # value -> slots of earlier rows
    earlier_basis: str | None = None
    claims: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)  # value -> (slot, attempt)
    loaded: bool = False

    def _values(self, data: Any) -> list[tuple[str, str]]:
        data = data if isinstance(data, dict) else {}
        return [(f, normalised(data[f])) for f in self.fields if f in data]

    def _rows(self) -> list[tuple[int, str, str, int, int, int, str]]:
        if self.db is None:
            return []
        try:
            return self.db.execute("SELECT rowid, invocation, basis, slot, attempt, accepted, body FROM records "
                                   "WHERE rowid > ? ORDER BY rowid", (self.seen_rowid,)).fetchall()
        except sqlite3.OperationalError:  # no records table: a maker outside a generation
            return []

    def refresh(self) -> None:
        rows = self._rows()
        if not self.loaded:
            self.loaded = True
            earlier = [r for r in rows if r[1] != self.invocation]
            self.earlier_basis = earlier[-1][2] if earlier else None
            for _, _, basis, slot, _, ok, body in earlier:
                if ok and basis == self.earlier_basis:
                    for value in self._values(json.loads(body).get("data")):
                        self.earlier.setdefault(value, set()).add(slot)
        for rowid, invocation, basis, slot, attempt, ok, body in rows:
            self.seen_rowid = max(self.seen_rowid, rowid)
            if invocation != self.invocation:
                continue
            if basis != self.earlier_basis:
                self.earlier.clear()
            for value, owner in list(self.claims.items()):
                if owner == (slot, attempt):
                    del self.claims[value]
            if ok:
                self.accepted.update(self._values(json.loads(body).get("data")))

    def taken(self, data: dict[str, Any], slot: int) -> list[str]:
        """The unique fields whose value an accepted datapoint or another running try already holds."""
        self.refresh()
        for slots in self.earlier.values():
            slots.discard(slot)  # this slot is tried again: its earlier row is not in the dataset
        out = []
        for value in self._values(data):
            owner = self.claims.get(value)
            if value in self.accepted or self.earlier.get(value) or (owner is not None and owner[0] != slot):
                out.append(f"{value[0]} {json.dumps(data[value[0]], ensure_ascii=False)} is already used by "
                           "another datapoint (unique)")
        return out

    def claim(self, data: dict[str, Any], slot: int, attempt: int) -> None:
        for value in self._values(data):
            self.claims[value] = (slot, attempt)


class ChecksStep(Step):
    name = "checks"
    calls = ()  # its repairs: REPAIR_CHECKS, the requirement critic's site
    summary = ("The output format's deterministic checks (choices, items, bounds, pattern, unique) and the user's "
               "validators; repaired with the reason (bounded), else rejected.")
    settings = "output.fields, generation.validators, generation.max_repairs"  # fields: choices_from ... unique
    reads = ("record.data", "store: records")
    writes = ("record.data", "lineage.verdicts", "lineage.repairs", "rejected.jsonl")

    def __init__(self) -> None:
        self._runs: weakref.WeakKeyDictionary[Context, tuple[list[tuple[str, Validator]], UniqueIndex]] = \
            weakref.WeakKeyDictionary()

    def enabled(self, spec: Spec) -> bool:
        return bool(spec.generation.validators) or (
            spec.output.kind == "fields" and any(f.checked for f in spec.output.fields))

    def variables(self, site: CallSite, draft: Draft, ctx: Context) -> dict[str, Any]:
        return ctx.base(draft) | {"meta_prompt": draft.lineage.meta_prompt, "datapoint": draft.shown,
                                  "explanation": draft.explanation, "schema": ctx.schema_text}

    def _run_state(self, ctx: Context, caller: Caller) -> tuple[list[tuple[str, Validator]], UniqueIndex]:
        """The validators resolved and the uniqueness index, once per run (per Context)."""
        if ctx not in self._runs:
            validators = [(p, VALIDATORS[p] if p in VALIDATORS else import_callable(p))
                          for p in ctx.spec.generation.validators]
            unique = tuple(f.name for f in ctx.spec.output.fields if f.unique) if ctx.spec.output.kind == "fields" \
                else ()
            store = getattr(caller, "store", None)
            index = UniqueIndex(unique, getattr(store, "db", None) if unique else None,
                                str(getattr(store, "invocation", "")))
            self._runs[ctx] = (validators, index)
        return self._runs[ctx]

    def problems(self, draft: Draft, ctx: Context, caller: Caller) -> list[str]:
        """Every failed check of the draft; when none, its unique values are claimed in the same breath."""
        validators, index = self._run_state(ctx, caller)
        data = draft.data or {}
        fields = ctx.spec.output.fields if ctx.spec.output.kind == "fields" else []
        found = [p for f in fields for p in field_problems(f, data)]
        found += [r for name, fn in validators if (r := validator_problem(name, fn, data)) is not None]
        if not found and index.fields:
            found = index.taken(data, draft.job.slot)
            if not found:
                index.claim(data, draft.job.slot, draft.job.attempt)
        return found

    async def run(self, draft: Draft, ctx: Context, caller: Caller) -> str | None:
        max_repairs = ctx.spec.generation.max_repairs
        for round_ in range(max_repairs + 1):
            found = self.problems(draft, ctx, caller)
            reason = "; ".join(found)
            draft.lineage.verdicts.append(Verdict(critic=self.name, passed=not found,
                                                  explanation=reason or "every check passed", attempt=round_))
            if not found:
                return None
            if round_ == max_repairs:
                return f"failed the checks after {round_} repair(s): {reason}"
            draft.explanation = reason
            repaired = await caller.call(REPAIR_CHECKS, self.variables(REPAIR_CHECKS, draft, ctx), ctx.parse,
                                         ctx.schema, sample=draft.job.sample)
            if repaired.value is None:
                return "the repair gave no valid datapoint: " + "; ".join(repaired.failures)
            draft.lineage.repairs.append(Repair(attempt=round_ + 1, reason=reason))
            draft.data = repaired.value
        raise AssertionError("unreachable")

    def load(self, spec: Spec, acceptance: float) -> StepLoad:
        """Each round passes with `acceptance`; a failed round is repaired (up to max_repairs) and checked again."""
        fail, most = 1.0 - acceptance, spec.generation.max_repairs
        repairs = sum(fail ** k for k in range(1, most + 1))
        return StepLoad(self.name, {REPAIR_CHECKS.name: repairs}, 1.0 - fail ** (most + 1))
