"""Structured model calls: render, fingerprint, reuse a stored reply or send, validate, repair or retry, record."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from seedless.core.calls import CallSite
from seedless.core.estimate import guess_tokens
from seedless.core.replies import Reply
from seedless.engine.events import CallDone, CallStarted, EventSink, ignore
from seedless.engine.llm.budget import BudgetExceeded, Reservation, Spend, cost_of
from seedless.engine.llm.clients.base import (
    ChatRequest,
    FatalModelError,
    ModelClient,
    ModelError,
)
from seedless.engine.llm.parsing import parse_reply
from seedless.engine.llm.prompts import Templates, render_repair
from seedless.engine.llm.transport.dispatch import RetryPolicy, send
from seedless.engine.llm.transport.limiter import Limiter
from seedless.engine.store.calls import Store
from seedless.spec.models import ROLE_DEFAULTS, Price, Role

T = TypeVar("T", bound=Reply)
V = TypeVar("V")
Parser = Callable[[str], "tuple[V | None, str | None]"]
MAX_TOKENS_GROWTH = 4  # a truncated reply is retried with 1.5x tokens, up to 4x the role's budget


class EndpointDown(FatalModelError):
    """`models.max_consecutive_failures` calls to one endpoint failed in a row: the command stops, resumable."""


@dataclass(frozen=True)
class Binding:
    """What one role calls, and how."""

    role: Role
    client: ModelClient
    limiter: Limiter
    temperature: float
    max_tokens: int
    retries: RetryPolicy = RetryPolicy()
    variant: str = ""  # the endpoint's reply-changing options (extra_body), part of each fingerprint
    kind: str = ""  # the endpoint's kind ("": a client given by name): whether the prompts show worked examples


CALL_FAILED = "call failed: "  # how a failure that is the call's own (not its reply's) is told


@dataclass
class CallResult(Generic[V]):
    value: V | None
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.value is not None

    @property
    def errored(self) -> bool:
        """No value because the call itself failed (after its retries): nothing stored, sent again next time."""
        return self.value is None and any(f.startswith(CALL_FAILED) for f in self.failures)


def fingerprint(role: str, prompt: str, model: str, request: ChatRequest, variant: str = "") -> str:
    """Content hash of a call's real inputs; equal fingerprints mean the stored reply can be reused. `variant`
    (the endpoint's extra_body) counts only when set, so fingerprints made without one stay the same."""
    material = {
        "role": role, "prompt": prompt, "model": model, "messages": request.messages,
        "temperature": request.temperature, "max_tokens": request.max_tokens, "seed": request.seed,
        "schema": request.json_schema,
    }
    if variant:
        material["variant"] = variant
    return hashlib.sha256(json.dumps(material, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def request_record(request: ChatRequest) -> dict[str, Any]:
    return {"messages": [list(m) for m in request.messages], "temperature": request.temperature,
            "max_tokens": request.max_tokens, "seed": request.seed, "schema": request.json_schema}


class Caller:
    def __init__(self, store: Store, bindings: dict[Role, Binding], *, seed: int, max_repairs: int,
                 events: EventSink = ignore, spend: Spend | None = None, prices: dict[Role, Price | None] | None = None,
                 max_consecutive_failures: int = 20, templates: Templates | None = None):
        self.templates = templates or Templates()  # spec.prompts: override folder, worked examples
        self.spend = spend or Spend(None)
        self.max_consecutive_failures = max_consecutive_failures
        self.failing: dict[str, int] = {}  # endpoint identity -> calls failed in a row
        self.down: dict[str, str] = {}  # endpoint identity -> why it was declared down (nothing more is sent)
        self.prices = prices or {}
        self.store = store
        self.bindings = bindings
        self.seed = seed
        self.max_repairs = max_repairs
        self.events = events
        self.sent = 0
        self.reused = 0

    def in_flight(self) -> int:
        limiters = {id(b.limiter): b.limiter for b in self.bindings.values()}
        return sum(lim.in_flight for lim in limiters.values())

    def text_cap(self, role: Role, chars: int) -> int:
        """A reply's text cap for `role`: `chars` (sized for the role's default token budget, the 0.5B's) scaled up
        in proportion when the role's max_tokens is larger (an openai endpoint, a role given more), so a strong or
        reasoning model's explanation is not cut by a limit chosen for the small model; never scaled down."""
        bind = self.bindings.get(role)
        default = ROLE_DEFAULTS[role][1]
        return chars if bind is None or bind.max_tokens <= default else chars * bind.max_tokens // default

    def _seed(self, sample: int, attempt: int) -> int:
        return (self.seed * 1_000_003 + sample * 7_919 + attempt) % (2**31)

    async def ask(self, site: CallSite, variables: dict[str, Any], reply_type: type[T] | None = None, *,
                  sample: int = 0) -> CallResult[T]:
        """One typed reply of the call site, or None with every failure's reason; never raises for a bad reply.
        The schema sent is derived from `reply_type` (the site's reply, or a `bounded(...)` narrowing of it); the
        reply is validated against the site's own reply type (see `Reply`)."""
        validated: type[T] | None = site.reply  # type: ignore[assignment]
        if validated is None:
            raise TypeError(f"call site {site.name} has no reply type: use Caller.call with a parser")
        sent = reply_type or validated
        return await self.call(site, variables, lambda text: parse_reply(text, validated), sent.json_schema(),
                               sample=sample)

    async def call(self, site: CallSite, variables: dict[str, Any], parse: Parser[V], schema: dict[str, Any], *,
                   sample: int = 0) -> CallResult[V]:
        """Like `ask`, with any parser (text -> (value, None) or (None, reason)) and the schema it expects."""
        role, prompt = site.role, site.name
        bind = self.bindings[role]
        base = self.templates.render(site, variables, bind.kind)  # the messages, thus the fingerprint
        messages = base
        max_tokens = bind.max_tokens
        failures: list[str] = []
        attempts = 1 + self.max_repairs
        for attempt in range(attempts):
            request = ChatRequest(messages, bind.temperature, max_tokens, self._seed(sample, attempt), schema,
                                  prompt)
            fp = fingerprint(role.value, prompt, bind.client.identity, request, bind.variant)
            stored = self.store.get(fp)
            if stored is not None:
                reply, reused = stored.reply, True
                self.reused += 1
            else:
                price = self.prices.get(role)
                held: list[Reservation] = []

                def admit() -> None:  # in the window: reserve the budget, then the request goes out
                    if bind.client.identity in self.down:
                        raise EndpointDown(self.down[bind.client.identity])  # declared down: send nothing
                    held.append(self.spend.reserve(price, guess_tokens(messages), max_tokens))
                    self.events(CallStarted(role.value, prompt))

                try:
                    try:
                        reply = await send(bind.client, bind.limiter, request, prompt, bind.retries, admit)
                    except ModelError:
                        if held:
                            self.spend.settle(held[0], price)
                        raise
                    self.spend.settle(held[0], price, reply.prompt_tokens, reply.completion_tokens,
                                      reply.cached_tokens)
                except (BudgetExceeded, EndpointDown):
                    raise  # nothing was sent: stop before the budget is passed or on a dead endpoint
                except ModelError as exc:
                    self.store.log_error(fp, role=role.value, prompt=prompt, model=bind.client.identity,
                                         reason=str(exc))
                    self.events(CallDone(role.value, prompt, False, "error"))
                    if isinstance(exc, FatalModelError):
                        raise  # the endpoint refuses every call: stop, keeping what is stored
                    ident = bind.client.identity
                    self.failing[ident] = self.failing.get(ident, 0) + 1
                    if self.failing[ident] >= self.max_consecutive_failures:
                        self.down[ident] = (
                            f"{ident}: {self.failing[ident]} calls failed in a row, the last with: {exc}. The "
                            "endpoint looks down; check it (or raise models.max_consecutive_failures)")
                        raise EndpointDown(self.down[ident]) from None
                    failures.append(f"{CALL_FAILED}{exc}")
                    return CallResult(None, failures)
                self.failing[bind.client.identity] = 0
                reused = False
                self.sent += 1
            if reply.finish_reason == "length":
                outcome, value, reason = "length", None, f"truncated at max_tokens={max_tokens}"
            else:
                value, reason = parse(reply.text)
                outcome = "ok" if value is not None else "invalid"
            if not reused:
                self.store.put(fp, role=role.value, prompt=prompt, model=bind.client.identity,
                               request=request_record(request), reply=reply, outcome=outcome, detail=reason)
            cost = 0.0 if reused else cost_of(self.prices.get(role), reply.prompt_tokens, reply.completion_tokens,
                                              reply.cached_tokens)
            self.events(CallDone(role.value, prompt, reused, outcome, reply.prompt_tokens,
                                 reply.completion_tokens, cost))
            if value is not None:
                return CallResult(value, failures)
            failures.append(f"attempt {attempt + 1}: {reason}")
            if outcome == "length":
                max_tokens = min(int(max_tokens * 1.5), bind.max_tokens * MAX_TOKENS_GROWTH)
                messages = base
            else:
                compact = json.dumps(schema, separators=(",", ":"))
                messages = base + (("assistant", reply.text[:4000]), ("user", render_repair(reason or "", compact)))
        return CallResult(None, failures)
