"""A loopback stub of the provider batch APIs for tests: OpenAI's /v1/files and /v1/batches (and /v1/chat/completions
online), Anthropic's /v1/messages/batches (and /v1/messages online). It checks what it receives (a batch file's JSONL,
each line's custom_id, method, url and body, unique ids, purpose=batch; Anthropic's requests and params), records
every submission, answers every request with the same reply online and in a batch, and moves each batch from
validating to in_progress to completed over its polls. A batch may be held in progress until released, and the
first try of chosen call sites may fail (HTTP 500) or be cut at max_tokens."""

from __future__ import annotations

import json
import random
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from aiohttp import web
from openai_stub import StubServer, body_key

from seedless.engine.llm.clients.fake import _WORDS as WORDS
from seedless.engine.llm.clients.fake import instance

# (call site, its JSON schema, the last user message, a seed) -> the reply's JSON text; None: a schema-shaped one
Replier = Callable[[str, dict, str, int], "str | None"]
ANTHROPIC_ID = re.compile(r"[a-zA-Z0-9_-]{1,64}")
CHAT = "/v1/chat/completions"


@dataclass
class Submission:
    """One batch the stub accepted: its id, API (openai | anthropic), custom ids in order, and request bodies."""

    id: str
    api: str
    custom_ids: list[str]
    bodies: dict[str, dict]
    polls: int = 0
    problems: list[str] = field(default_factory=list)
    cancelled: bool = False
    results: dict[str, dict] = field(default_factory=dict)  # custom id -> its result line, once made
    files: dict[str, str] = field(default_factory=dict)  # output_file_id / error_file_id, once made


class BatchStub(StubServer):
    """`submissions` in order; `problems`: every malformed input it rejected, with why; `polls_to_finish`: status
    polls a batch spends validating and in progress; `held`: batch numbers (1-based) kept in progress until
    `release()`; `fail_first` / `cut_first`: call sites whose first batched request answers HTTP 500 / stops at
    max_tokens. `online` counts online chat requests by body."""

    def __init__(self, reply: Replier | None = None, *, polls_to_finish: int = 2, held: set[int] | None = None,
                 fail_first: set[str] | None = None, cut_first: set[str] | None = None):
        super().__init__()
        self.replier = reply
        self.polls_to_finish = polls_to_finish
        self.held = set(held or ())
        self.fail_first = set(fail_first or ())
        self.cut_first = set(cut_first or ())
        self.submissions: list[Submission] = []
        self.problems: list[str] = []
        self.files: dict[str, bytes] = {}
        self.uploads: list[dict] = []
        self.online: Counter[str] = Counter()
        self.tries: Counter[str] = Counter()  # custom id -> batched tries so far
        self.site_tries: Counter[str] = Counter()  # call site -> batched requests so far
        self.released = False

    def routes(self, app: web.Application) -> None:
        app.router.add_post(CHAT, self._online_chat)
        app.router.add_post("/v1/files", self._upload)
        app.router.add_get("/v1/files/{id}/content", self._content)
        app.router.add_post("/v1/batches", self._create)
        app.router.add_get("/v1/batches/{id}", self._retrieve)
        app.router.add_post("/v1/batches/{id}/cancel", self._cancel)
        app.router.add_post("/v1/messages", self._online_message)
        app.router.add_post("/v1/messages/batches", self._create_anthropic)
        app.router.add_get("/v1/messages/batches/{id}", self._retrieve_anthropic)
        app.router.add_get("/v1/messages/batches/{id}/results", self._results_anthropic)

    def release(self) -> None:
        self.released = True

    def by_id(self, batch: str) -> Submission | None:
        return next((s for s in self.submissions if s.id == batch), None)

    # replies: the same for one body online and in a batch

    def reply_text(self, body: dict, anthropic: bool = False) -> str:
        if anthropic:
            tool = (body.get("tools") or [{}])[0]
            site, schema = tool.get("name", ""), tool.get("input_schema")
        else:
            spec = (body.get("response_format") or {}).get("json_schema") or {}
            site, schema = spec.get("name", ""), spec.get("schema")
        user = next((m["content"] for m in reversed(body.get("messages") or []) if m.get("role") == "user"), "")
        key = body_key(body)
        made = self.replier(site, schema or {}, user, int(key[:12], 16)) if self.replier else None
        if made is not None:
            return made
        return json.dumps(instance(schema, random.Random(key))) if schema else "plain text"

    def _site(self, body: dict, anthropic: bool) -> str:
        if anthropic:
            return ((body.get("tools") or [{}])[0]).get("name", "")
        return ((body.get("response_format") or {}).get("json_schema") or {}).get("name", "")

    def _completion(self, body: dict, finish: str = "stop") -> dict:
        return {"id": "chatcmpl-stub", "object": "chat.completion", "model": body.get("model"),
                "choices": [{"index": 0, "message": {"role": "assistant", "content": self.reply_text(body)},
                             "finish_reason": finish}],
                "usage": {"prompt_tokens": 10, "completion_tokens": 5}}

    def _message(self, body: dict, stop: str = "tool_use") -> dict:
        text = self.reply_text(body, anthropic=True)
        content = ([{"type": "tool_use", "id": "toolu_stub", "name": body["tools"][0]["name"], "input": json.loads(text)}]
                   if body.get("tools") else [{"type": "text", "text": text}])
        return {"id": "msg_stub", "type": "message", "role": "assistant", "model": body.get("model"),
                "content": content, "stop_reason": stop, "usage": {"input_tokens": 10, "output_tokens": 5}}

    def _fault(self, cid: str, body: dict, anthropic: bool) -> str | None:
        """The fault of this try: "error" or "length" for the first batched request of a chosen call site."""
        self.tries[cid] += 1
        site = self._site(body, anthropic)
        self.site_tries[site] += 1
        if self.site_tries[site] == 1 and site in self.fail_first:
            return "error"
        if self.site_tries[site] == 1 and site in self.cut_first:
            return "length"
        return None

    async def _online_chat(self, request: web.Request) -> web.Response:
        body = await request.json()
        self._record(request, body)
        self.online[body_key(body)] += 1
        return web.json_response(self._completion(body))

    async def _online_message(self, request: web.Request) -> web.Response:
        body = await request.json()
        self._record(request, body)
        self.online[body_key(body)] += 1
        return web.json_response(self._message(body))

    # OpenAI: files and batches

    def _reject(self, why: str, status: int = 400) -> web.Response:
        self.problems.append(why)
        return web.json_response({"error": {"message": why, "type": "invalid_request_error"}}, status=status)

    async def _upload(self, request: web.Request) -> web.Response:
        self._record(request, None)
        if not request.content_type.startswith("multipart/form-data"):
            return self._reject(f"a file upload is multipart/form-data, not {request.content_type}")
        fields: dict[str, bytes] = {}
        names: dict[str, str] = {}
        async for part in await request.multipart():
            fields[part.name or ""] = await part.read()
            names[part.name or ""] = part.filename or ""
        purpose = fields.get("purpose", b"").decode()
        self.uploads.append({"purpose": purpose, "filename": names.get("file", ""), "bytes": len(fields.get("file", b""))})
        if purpose != "batch":
            return self._reject(f"purpose must be batch, not {purpose!r}")
        if "file" not in fields or not names.get("file"):
            return self._reject("no file part")
        file_id = f"file-{len(self.files) + 1}"
        self.files[file_id] = fields["file"]
        return web.json_response({"id": file_id, "object": "file", "bytes": len(fields["file"]), "purpose": "batch",
                                  "filename": names["file"], "created_at": int(time.time())})

    async def _content(self, request: web.Request) -> web.Response:
        file_id = request.match_info["id"]
        if file_id not in self.files:
            return web.json_response({"error": {"message": f"no file {file_id}"}}, status=404)
        return web.Response(body=self.files[file_id], content_type="application/octet-stream")

    def _lines(self, content: bytes, endpoint: str) -> tuple[list[str], dict[str, dict], list[str]]:
        """(custom ids, bodies, problems) of a batch input file."""
        ids, bodies, problems = [], {}, []
        for n, raw in enumerate(content.splitlines(), start=1):
            try:
                line = json.loads(raw)
            except ValueError:
                problems.append(f"line {n}: not JSON")
                continue
            if not isinstance(line, dict) or set(line) != {"custom_id", "method", "url", "body"}:
                problems.append(f"line {n}: needs exactly custom_id, method, url and body")
                continue
            cid, body = line["custom_id"], line["body"]
            if not isinstance(cid, str) or not cid:
                problems.append(f"line {n}: custom_id must be a non-empty string")
            elif cid in bodies:
                problems.append(f"line {n}: custom_id {cid} is repeated")
            if line["method"] != "POST" or line["url"] != endpoint:
                problems.append(f"line {n}: method POST and url {endpoint} expected")
            problems += [f"line {n}: {p}" for p in chat_problems(body)]
            ids.append(cid)
            bodies[cid] = body
        if not ids and not problems:
            problems.append("the file holds no request")
        return ids, bodies, problems

    async def _create(self, request: web.Request) -> web.Response:
        body = await request.json()
        self._record(request, body)
        if not isinstance(body, dict) or body.get("input_file_id") not in self.files:
            return self._reject(f"input_file_id {body.get('input_file_id')!r} names no uploaded file")
        if body.get("endpoint") != CHAT or body.get("completion_window") != "24h":
            return self._reject("endpoint /v1/chat/completions and completion_window 24h expected")
        ids, bodies, problems = self._lines(self.files[body["input_file_id"]], body["endpoint"])
        self.problems += problems
        batch = Submission(f"batch_{len(self.submissions) + 1}", "openai", ids, bodies, problems=problems)
        self.submissions.append(batch)
        return web.json_response(self._batch_object(batch, "validating", body["input_file_id"]))

    def _held(self, batch: Submission) -> bool:
        return self.submissions.index(batch) + 1 in self.held and not self.released

    def _status(self, batch: Submission) -> str:
        if batch.cancelled:
            return "cancelled"
        if batch.polls <= 1:
            return "validating"
        if batch.problems:
            return "failed"
        if batch.polls <= self.polls_to_finish or self._held(batch):
            return "in_progress"
        return "completed"

    def _batch_object(self, batch: Submission, status: str, input_file: str = "") -> dict:
        done = len(batch.results) if status != "in_progress" else len(batch.custom_ids) // 2
        out: dict = {"id": batch.id, "object": "batch", "endpoint": CHAT, "errors": None,
                     "input_file_id": input_file, "completion_window": "24h", "status": status,
                     "output_file_id": None, "error_file_id": None, "created_at": int(time.time()),
                     "request_counts": {"total": 0 if status == "validating" else len(batch.custom_ids),
                                        "completed": 0 if status == "validating" else done, "failed": 0}}
        if status == "failed":
            out["errors"] = {"object": "list", "data": [{"code": "invalid_request", "message": p, "line": None}
                                                        for p in batch.problems]}
        return out

    def _finish(self, batch: Submission) -> tuple[bytes, bytes]:
        """The output and error files of a completed batch (made once)."""
        if not batch.results:
            for n, cid in enumerate(batch.custom_ids, start=1):
                body = batch.bodies[cid]
                fault = self._fault(cid, body, False)
                line: dict = {"id": f"batch_req_{n}", "custom_id": cid, "error": None}
                if fault == "error":
                    line["response"] = {"status_code": 500, "request_id": f"req_{n}",
                                        "body": {"error": {"message": "stub failure", "type": "server_error"}}}
                else:
                    completion = self._completion(body, "length" if fault == "length" else "stop")
                    line["response"] = {"status_code": 200, "request_id": f"req_{n}", "body": completion}
                batch.results[cid] = line
        ok = [r for r in batch.results.values() if r["response"]["status_code"] == 200]
        bad = [r for r in batch.results.values() if r["response"]["status_code"] != 200]
        return "".join(json.dumps(r) + "\n" for r in ok).encode(), "".join(json.dumps(r) + "\n" for r in bad).encode()

    async def _retrieve(self, request: web.Request) -> web.Response:
        batch = self.by_id(request.match_info["id"])
        self._record(request, None)
        if batch is None or batch.api != "openai":
            return web.json_response({"error": {"message": "no such batch"}}, status=404)
        batch.polls += 1
        status = self._status(batch)
        out = self._batch_object(batch, status)
        if status == "completed":
            output, errors = self._finish(batch)
            out["request_counts"]["completed"] = output.count(b"\n")
            out["request_counts"]["failed"] = errors.count(b"\n")
            for name, content in (("output_file_id", output), ("error_file_id", errors)):
                if content and name not in batch.files:
                    batch.files[name] = f"file-{len(self.files) + 1}"
                    self.files[batch.files[name]] = content
                out[name] = batch.files.get(name)
        return web.json_response(out)

    async def _cancel(self, request: web.Request) -> web.Response:
        batch = self.by_id(request.match_info["id"])
        if batch is None:
            return web.json_response({"error": {"message": "no such batch"}}, status=404)
        batch.cancelled = True
        return web.json_response(self._batch_object(batch, "cancelling"))

    # Anthropic: message batches

    async def _create_anthropic(self, request: web.Request) -> web.Response:
        body = await request.json()
        self._record(request, body)
        requests = body.get("requests") if isinstance(body, dict) else None
        if not isinstance(requests, list) or not requests:
            return self._reject("requests must be a non-empty list")
        ids, bodies = [], {}
        for n, item in enumerate(requests):
            cid = item.get("custom_id") if isinstance(item, dict) else None
            if not isinstance(cid, str) or not ANTHROPIC_ID.fullmatch(cid) or cid in bodies:
                return self._reject(f"requests.{n}.custom_id {cid!r}: 1 to 64 of [a-zA-Z0-9_-], unique")
            params = item.get("params")
            problems = message_problems(params)
            if set(item) != {"custom_id", "params"} or problems:
                return self._reject(f"requests.{n}: {'; '.join(problems) or 'custom_id and params only'}")
            ids.append(cid)
            bodies[cid] = params
        batch = Submission(f"msgbatch_{len(self.submissions) + 1}", "anthropic", ids, bodies)
        self.submissions.append(batch)
        return web.json_response(self._anthropic_object(batch, request))

    def _anthropic_object(self, batch: Submission, request: web.Request) -> dict:
        ended = batch.polls > self.polls_to_finish and not self._held(batch)
        n = len(batch.custom_ids)
        return {"id": batch.id, "type": "message_batch", "processing_status": "ended" if ended else "in_progress",
                "request_counts": {"processing": 0 if ended else n, "succeeded": n if ended else 0, "errored": 0,
                                   "canceled": 0, "expired": 0},
                "results_url": f"{request.url.origin()}/v1/messages/batches/{batch.id}/results" if ended else None,
                "created_at": "2026-12-03T00:00:00Z", "ended_at": None, "expires_at": "2026-12-04T00:00:00Z"}

    async def _retrieve_anthropic(self, request: web.Request) -> web.Response:
        batch = self.by_id(request.match_info["id"])
        self._record(request, None)
        if batch is None or batch.api != "anthropic":
            return web.json_response({"type": "error", "error": {"type": "not_found_error"}}, status=404)
        batch.polls += 1
        return web.json_response(self._anthropic_object(batch, request))

    async def _results_anthropic(self, request: web.Request) -> web.Response:
        batch = self.by_id(request.match_info["id"])
        if batch is None or batch.polls <= self.polls_to_finish:
            return web.json_response({"type": "error", "error": {"type": "not_found_error"}}, status=404)
        if not batch.results:
            for cid in batch.custom_ids:
                body = batch.bodies[cid]
                fault = self._fault(cid, body, True)
                if fault == "error":
                    result = {"type": "errored", "error": {"type": "error", "error": {"type": "api_error",
                                                                                     "message": "stub failure"}}}
                else:
                    result = {"type": "succeeded",
                              "message": self._message(body, "max_tokens" if fault == "length" else "tool_use")}
                batch.results[cid] = {"custom_id": cid, "result": result}
        content = "".join(json.dumps(r) + "\n" for r in batch.results.values())
        return web.Response(text=content, content_type="application/binary")


def chat_problems(body: object) -> list[str]:
    """Why `body` is not a chat request (model and non-empty messages of role and content)."""
    if not isinstance(body, dict):
        return ["body must be an object"]
    problems = [] if isinstance(body.get("model"), str) and body["model"] else ["body.model is missing"]
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages or not all(
            isinstance(m, dict) and isinstance(m.get("role"), str) and isinstance(m.get("content"), str)
            for m in messages):
        problems.append("body.messages must be a non-empty list of {role, content}")
    return problems


def message_problems(params: object) -> list[str]:
    """Why `params` is not a Messages request (model, max_tokens, user/assistant messages; system apart)."""
    problems = chat_problems(params)
    if isinstance(params, dict):
        if not isinstance(params.get("max_tokens"), int):
            problems.append("params.max_tokens is missing")
        if any(isinstance(m, dict) and m.get("role") not in ("user", "assistant") for m in params.get("messages") or []):
            problems.append("params.messages take the roles user and assistant only (system goes in params.system)")
        if "seed" in params or "response_format" in params:
            problems.append("params carry OpenAI fields (seed, response_format)")
    return problems


CORRUPTED = 9999  # the corrupter's wrong answer, which the quiz judge recognises


def quiz_reply(site: str, schema: dict, user: str, seed: int) -> str | None:
    """Replies that take the quickstart spec (examples/quickstart.yaml) through every stage: each datapoint a distinct
    word problem ending with its question, the requirement critic passing, the corrupter answering CORRUPTED and the
    judges telling it from the true answer; the other call sites get the schema-shaped default."""
    rng = random.Random(seed)
    if site in ("generate", "repair_datapoint"):
        w = [rng.choice(WORDS) for _ in range(7)]
        a, b = rng.randint(2, 40), rng.randint(2, 40)
        name = w[2].title()
        question = (f"At the {w[0]} {w[1]} fair, {name} collects {a} {w[3]} stones and {b} {w[4]} shells near the "
                    f"{w[5]} {w[6]} gate. How many things does {name} collect?")
        return json.dumps({"question": question, "answer": a + b})
    if site == "critic_requirements":
        return json.dumps({"explanation": "meets every requirement", "verdict": "pass"})
    if site == "corrupt_answer":
        return json.dumps({"change": "a slip in the sum", "answer": CORRUPTED})
    if site == "judge_solve":
        return json.dumps({"work": "checked", "result": "as the task says"})
    if site in ("judge_correct", "judge_incorrect"):
        corrupted = f"Proposed answer: {CORRUPTED}" in user
        yes = not corrupted if site == "judge_correct" else corrupted
        return json.dumps({"explanation": "checked", "answer": "yes" if yes else "no"})
    return None
