"""Shared test helpers: a scripted fake model that answers each call site like a sensible (tiny) model would."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable

import pytest

from seedless.engine.llm.clients.base import ChatRequest
from seedless.engine.llm.clients.fake import FakeClient
from seedless.spec import parse_spec

NODE = re.compile(r'Category to split: "(.*)"')
CRITIC_NODE = re.compile(r'Category: "(.*)"')
POOLED = re.compile(r"^- (.*) \((\d+)\)$", re.M)
PROPOSAL = re.compile(r"This is proposal (\d+) of")
REQUIREMENT = re.compile(r"^- (?:Topic|Format): (.*)$", re.M)
COUNT = re.compile(r"Write (\d+) different candidate scenarios")
SCENARIO = re.compile(r"Scenario: (.*)")


def schema_agrees(reply_type, data) -> bool:
    """Whether a reply type's JSON schema and its pydantic validation accept or refuse `data` alike."""
    import jsonschema
    from pydantic import ValidationError

    schema_ok = jsonschema.Draft202012Validator(reply_type.json_schema()).is_valid(data)
    try:
        reply_type.model_validate(data)
        model_ok = True
    except ValidationError:
        model_ok = False
    return schema_ok == model_ok


def user_text(request: ChatRequest) -> str:
    return next(c for r, c in reversed(request.messages) if r == "user")


class ScriptedModel:
    """Answers by prompt name. Proposal k for node X names `X k.1`, `X k.2` and a shared `X common` child,
    so pooling, votes and the critic are observable. Override per prompt with `overrides`."""

    def __init__(self, factors: tuple[str, ...] = ("Topic", "Format"), children: int = 2):
        self.factors = factors
        self.children = children
        self.overrides: dict[str, Callable[[ChatRequest], str | None]] = {}
        self.calls: Counter[str] = Counter()

    def __call__(self, request: ChatRequest) -> str | None:
        self.calls[request.schema_name] += 1
        override = self.overrides.get(request.schema_name)
        if override is not None:
            made = override(request)
            if made is not None:
                return made
        text = user_text(request)
        if request.schema_name == "factors":
            return json.dumps({"factors": [{"name": f, "description": f"varies by {f.lower()}"}
                                           for f in self.factors]})
        if request.schema_name == "taxonomy_propose":
            node = NODE.search(text).group(1)
            match = PROPOSAL.search(text)
            k = int(match.group(1)) if match else 1
            names = [f"{node} {k}.{i}" for i in range(1, self.children + 1)] + [f"{node} common"]
            return json.dumps({"children": names})
        if request.schema_name == "taxonomy_critic":
            pooled = [name for name, _ in POOLED.findall(text)]
            keep = [n for n in pooled if n.endswith("common") or n.endswith("1.1")]
            return json.dumps({"edits": [{"action": "remove", "target": n, "result": "", "reason": "narrow"}
                                         for n in pooled if n not in keep], "children": keep})
        if request.schema_name == "strategies":
            return json.dumps({"strategies": [
                {"name": "Everything", "description": "all factors", "weight": 3,
                 "taxonomies": list(self.factors), "exclusions": []},
                {"name": "Narrow", "description": "one branch", "weight": 1,
                 "taxonomies": [f"{self.factors[0]} > {self.factors[0]} common", self.factors[1]],
                 "exclusions": [{"nodes": [f"{self.factors[0]} > {self.factors[0]} 1.1",
                                           f"{self.factors[1]} > {self.factors[1]} common"], "reason": "clash"}]},
            ]})
        if request.schema_name == "meta_prompt":
            leaves = [line.split(" > ")[-1] for line in REQUIREMENT.findall(text)]
            count = int(COUNT.search(text).group(1))
            generic = [f"A generic scenario number {i}." for i in range(count - 1)]
            return json.dumps({"candidates": generic + [f"A scenario about {' and '.join(leaves)}."]})
        if request.schema_name == "complexify":
            return json.dumps({"meta_prompt": "HARDER: " + SCENARIO.search(text).group(1)})
        if request.schema_name == "critic_requirements":
            return json.dumps({"explanation": "meets every requirement", "verdict": "pass"})
        if request.schema_name == "judge_solve":  # no number: the blind solve decides nothing, the judges do
            return json.dumps({"work": "checked", "result": "as the task says"})
        if request.schema_name == "judge_correct":
            return json.dumps({"explanation": "checked", "answer": "yes"})
        if request.schema_name == "judge_incorrect":
            return json.dumps({"explanation": "checked", "answer": "no"})
        if request.schema_name == "level_plan":
            return json.dumps({"plan": "Split every node by sub-type, at the same granularity."})
        return None


@pytest.fixture
def scripted() -> ScriptedModel:
    return ScriptedModel()


def fake_clients(model: ScriptedModel) -> tuple[dict[str, FakeClient], FakeClient]:
    client = FakeClient("scripted", max_concurrency=16, responder=model)
    return {"fake": client}, client


SPEC = """
description: Word problems in arithmetic for primary school pupils.
factors:
  - {name: Topic, description: the maths topic}
  - {name: Format, description: how the problem is told, depth: 1}
taxonomy: {depth: 2, proposals: 3, min_children: 1, max_children: 4, critic: true, level_plan: true}
models:
  endpoints: {fake: {kind: fake}}
  default: fake
"""


@pytest.fixture
def spec_text() -> str:
    return SPEC


@pytest.fixture
def spec():
    return parse_spec(SPEC)
