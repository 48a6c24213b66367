"""The hard budget: tokens and money spent in a run directory, reserved before each call, stopped before excess."""

from __future__ import annotations

from dataclasses import dataclass

from seedless.engine.llm.clients import endpoint_identity
from seedless.engine.llm.clients.base import FatalModelError
from seedless.spec.models import Budget, ModelsSettings, Price


class BudgetExceeded(FatalModelError):
    """The next call could pass the spec's budget: the run stops cleanly, everything made so far is kept."""


@dataclass
class Reservation:
    tokens: int
    cost: float


def price_for(models: ModelsSettings, endpoint: str) -> Price | None:
    """The price keyed by the endpoint name, else the model identity, else the bare model name, times the batch
    discount when the endpoint is in `mode: batch` (the price its calls are billed at); None (no cost) for a client
    given by name with no endpoint declared."""
    settings = models.endpoints.get(endpoint)
    if settings is None:
        return None
    ident, model = endpoint_identity(settings)
    for key in (endpoint, ident, model):
        if key in models.prices:
            price = models.prices[key]
            batched = settings.batched
            return price if batched is None else discounted(price, batched.discount)
    return None


def discounted(price: Price, share: float) -> Price:
    """`price` with every rate times `share` (a provider's batch price)."""
    cached = price.cached_input_per_million
    return Price(input_per_million=price.input_per_million * share, output_per_million=price.output_per_million * share,
                 cached_input_per_million=None if cached is None else cached * share)


def unmatched_prices(models: ModelsSettings) -> list[str]:
    """Price keys that name no endpoint, identity or model."""
    known = set(models.endpoints)
    for settings in models.endpoints.values():
        known |= set(endpoint_identity(settings))
    return [key for key in models.prices if key not in known]


def cost_of(price: Price | None, prompt_tokens: int, completion_tokens: int, cached_tokens: int = 0) -> float:
    """What the tokens cost at `price`; the cached part of the prompt at the cached-input price, when one is set."""
    if price is None:
        return 0.0
    cached = min(max(cached_tokens, 0), prompt_tokens)
    cached_price = price.input_per_million if price.cached_input_per_million is None else price.cached_input_per_million
    return ((prompt_tokens - cached) * price.input_per_million + cached * cached_price
            + completion_tokens * price.output_per_million) / 1e6


class Spend:
    """What the run directory has spent (every stored call, across invocations) plus what calls in flight may
    still spend. A call reserves its prompt and its whole `max_tokens` before it is sent, so concurrent calls
    can never together pass the budget; the reservation becomes the real usage when the reply arrives."""

    def __init__(self, budget: Budget | None, spent_tokens: int = 0, spent_cost: float = 0.0):
        self.budget = budget
        self.spent_tokens = spent_tokens
        self.spent_cost = spent_cost
        self.reserved_tokens = 0
        self.reserved_cost = 0.0

    def reserve(self, price: Price | None, prompt_tokens: int, max_tokens: int) -> Reservation:
        held = Reservation(prompt_tokens + max_tokens, cost_of(price, prompt_tokens, max_tokens))
        b = self.budget
        if b is not None and b.tokens is not None and (
                self.spent_tokens + self.reserved_tokens + held.tokens > b.tokens):
            raise BudgetExceeded(
                f"the token budget ({b.tokens:,}) would be exceeded: {self.spent_tokens:,} spent, "
                f"{self.reserved_tokens:,} held by calls in flight, the next call may use up to {held.tokens:,}. "
                "Raise models.budget.tokens (seedless eval: --budget-tokens) and run the same command to continue.")
        if b is not None and b.cost is not None and self.spent_cost + self.reserved_cost + held.cost > b.cost:
            raise BudgetExceeded(
                f"the cost budget ({b.cost:g}) would be exceeded: {self.spent_cost:.4f} spent, "
                f"{self.reserved_cost:.4f} held by calls in flight, the next call may cost up to {held.cost:.4f}. "
                "Raise models.budget.cost and run the same command to continue.")
        self.reserved_tokens += held.tokens
        self.reserved_cost += held.cost
        return held

    def settle(self, held: Reservation, price: Price | None, prompt_tokens: int | None = None,
               completion_tokens: int | None = None, cached_tokens: int = 0) -> None:
        """Release the reservation; with token counts, count them as spent (a failed call spends nothing)."""
        self.reserved_tokens -= held.tokens
        self.reserved_cost -= held.cost
        if prompt_tokens is not None and completion_tokens is not None:
            self.spent_tokens += prompt_tokens + completion_tokens
            self.spent_cost += cost_of(price, prompt_tokens, completion_tokens, cached_tokens)
