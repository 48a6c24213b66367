"""A deterministic, schema-aware fake model for tests: same request, same reply; never a default."""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Callable
from typing import Any

from seedless.engine.llm.clients.base import ChatReply, ChatRequest

Responder = Callable[[ChatRequest], "str | ChatReply | None"]

_WORDS = (
    "alpha amber arc atlas basin beacon birch bolt cedar cipher cobalt comet coral delta drift ember fable "
    "falcon fern flint forge frost garnet glade harbor hazel helix indigo iris ivory jade juniper karst kelp "
    "lagoon lantern larch lumen maple marble meadow mesa nectar nimbus north oak onyx orbit pebble pine "
    "prism quartz quill raven reef ridge river saffron sage slate solstice spruce summit tangent thistle "
    "tide topaz tundra umber vale vector velvet willow zenith"
).split()


def _rng(request: ChatRequest) -> random.Random:
    material = json.dumps([request.messages, request.seed, request.temperature], sort_keys=True).encode()
    return random.Random(int.from_bytes(hashlib.sha256(material).digest()[:8], "big"))


def instance(schema: dict[str, Any], rng: random.Random) -> Any:
    """A value matching `schema` (objects, arrays, strings with bounds, enums, numbers, booleans)."""
    if "enum" in schema:
        return rng.choice(schema["enum"])
    kind = schema.get("type", "object")
    if kind == "object":
        props = schema.get("properties", {})
        return {key: instance(sub, rng) for key, sub in props.items()}
    if kind == "array":
        lo = int(schema.get("minItems", 0))
        hi = int(schema.get("maxItems", max(lo, 4)))
        n = rng.randint(max(lo, min(hi, 2)), max(lo, hi))
        return [instance(schema.get("items", {"type": "string"}), rng) for _ in range(n)]
    if kind == "integer":
        return rng.randint(int(schema.get("minimum", 0)), int(schema.get("maximum", 100)))
    if kind == "number":
        return round(rng.uniform(float(schema.get("minimum", 0)), float(schema.get("maximum", 100))), 3)
    if kind == "boolean":
        return rng.random() < 0.5
    words = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(1, 3))).title()
    max_len = int(schema.get("maxLength", 200))
    return words[:max_len].strip() or "x"


class FakeClient:
    def __init__(self, model: str = "fake", max_concurrency: int = 8, responder: Responder | None = None):
        self.identity = f"fake:{model}"
        self.max_concurrency = max_concurrency
        self.responder = responder
        self.requests: list[ChatRequest] = []

    async def complete(self, request: ChatRequest) -> ChatReply:
        self.requests.append(request)
        made = self.responder(request) if self.responder else None
        if isinstance(made, ChatReply):
            return made
        if made is None:
            rng = _rng(request)
            schema = request.json_schema
            made = json.dumps(instance(schema, rng)) if schema else " ".join(rng.choice(_WORDS) for _ in range(12))
        prompt_tokens = sum(len(c.split()) for _, c in request.messages)
        return ChatReply(made, "stop", prompt_tokens, max(1, len(made) // 4), 0.0)

    async def aclose(self) -> None:
        return None
