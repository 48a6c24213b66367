"""The embedded model: llama.cpp (xllamacpp) serving a packaged or local GGUF in this process on a loopback port."""

from __future__ import annotations

import asyncio
import dataclasses
import os
from pathlib import Path
from typing import Any

from seedless.engine.llm.clients.base import ChatReply, ChatRequest, FatalModelError
from seedless.engine.llm.clients.openai_http import OpenAIClient
from seedless.engine.llm.clients.packaged_model import PACKAGED, packaged_model_path
from seedless.spec.models import EmbeddedEndpoint


def _identity(settings: EmbeddedEndpoint, path: Path | None) -> str:
    if path is None:
        return PACKAGED[settings.model].identity
    size = path.stat().st_size if path.is_file() else 0
    return f"embedded:{path.name}:{size}"


def without_patterns(schema: Any) -> Any:
    """The schema with every string `pattern` left out. This llama.cpp server answers HTTP 500 ("does not match the
    expected peg-native format") when the model cannot finish a pattern-constrained string, measured on the
    quickstart (10 of 71 tries lost); the checks step enforces the pattern instead, and repairs with its reason."""
    if isinstance(schema, dict):
        return {k: without_patterns(v) for k, v in schema.items() if not (k == "pattern" and isinstance(v, str))}
    if isinstance(schema, list):
        return [without_patterns(v) for v in schema]
    return schema


def model_identity(settings: EmbeddedEndpoint) -> tuple[str, str]:
    """(the identity an EmbeddedClient records, the model file's name), without starting anything."""
    path = settings.model_path.expanduser() if settings.model_path else None
    return _identity(settings, path), path.name if path else PACKAGED[settings.model].file


class EmbeddedClient:
    """Starts the server lazily on first use, so commands that need no call load no model."""

    def __init__(self, settings: EmbeddedEndpoint):
        self.settings = settings
        path = settings.model_path.expanduser() if settings.model_path else None
        if path is not None and not path.is_file():
            raise FatalModelError(f"model_path {path} is not a file")
        self._path = path
        self.identity = _identity(settings, path)
        self.max_concurrency = settings.max_concurrency or settings.n_parallel
        self._server = None
        self._client: OpenAIClient | None = None
        self._lock = asyncio.Lock()

    def _start(self) -> OpenAIClient:
        try:
            import xllamacpp as xlc
        except ImportError:
            raise FatalModelError(f"the embedded model needs xllamacpp; {PACKAGED[self.settings.model].install_hint}"
                                  ) from None
        s = self.settings
        params = xlc.CommonParams()
        params.model.path = str(self._path or packaged_model_path(s.model))
        params.n_parallel = s.n_parallel
        params.n_ctx = s.n_ctx_per_slot * s.n_parallel
        threads = s.threads or os.cpu_count() or 2
        params.cpuparams.n_threads = threads
        params.cpuparams_batch.n_threads = threads
        params.port = 0
        params.verbosity = 0
        params.warmup = False
        self._server = xlc.Server(params)
        url = str(self._server.listening_address).rstrip("/") + "/v1"
        return OpenAIClient(url, "embedded", identity=self.identity, max_concurrency=self.max_concurrency,
                            timeout_s=s.timeout_s)

    async def complete(self, request: ChatRequest) -> ChatReply:
        if self._client is None:
            async with self._lock:
                if self._client is None:
                    self._client = await asyncio.to_thread(self._start)
        if request.json_schema is not None:
            request = dataclasses.replace(request, json_schema=without_patterns(request.json_schema))
        return await self._client.complete(request)

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
        self._server = None  # the server stops when the object is released
