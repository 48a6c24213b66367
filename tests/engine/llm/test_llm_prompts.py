"""Contracts of the prompt templates: no accepting answer pre-filled, worked examples per endpoint kind, the user's
override folder (replaces, checked at load for its name, Jinja and variables, part of the call fingerprint), and
token caps sized by endpoint kind."""

from __future__ import annotations

import asyncio
import json

import pytest

from seedless.core.calls import CALL_SITES, CRITIC_REQUIREMENTS, JUDGE_CORRECT, JUDGE_INCORRECT, TAXONOMY_PROPOSE
from seedless.core.replies import ChildrenReply
from seedless.engine.llm.bindings import Endpoints
from seedless.engine.llm.caller import Binding, Caller
from seedless.engine.llm.clients.fake import FakeClient
from seedless.engine.llm.prompts import PROMPT_DIR, Templates, check_prompts, render, template_path
from seedless.engine.llm.transport.limiter import Limiter
from seedless.engine.store.calls import Store
from seedless.spec import SpecError, load_spec, parse_spec
from seedless.spec.models import OPENAI_TOKEN_FACTOR, ROLE_DEFAULTS, PromptSettings, Role

JUDGE_VARS = {"task": '{"question": "What is 2 + 2?"}', "answer": "4"}
CRITIC_VARS = {"description": "Arithmetic word problems", "requirements": [("Topic", "Addition")],
               "meta_prompt": "Two friends share apples.", "format": "a JSON object", "datapoint": "{}"}
PROPOSE_VARS = {"description": "Recipes", "factor": "Cuisine", "factor_description": "", "node": "Asian",
                "path": ["Cuisine", "Asian"], "siblings": [], "plan": None, "proposals": 1, "sample": 0,
                "min_children": 2, "max_children": 4, "max_chars": 40}
# call site -> (its variables, the reply value that accepts the datapoint)
JUDGING = {CRITIC_REQUIREMENTS: (CRITIC_VARS, ("verdict", "pass")), JUDGE_CORRECT: (JUDGE_VARS, ("answer", "yes")),
           JUDGE_INCORRECT: (JUDGE_VARS, ("answer", "no"))}


def _reply_line(messages) -> str:
    ask = [text for role, text in messages if role == "user"][-1]
    return next(line for line in ask.splitlines() if line.startswith("Reply as JSON"))


@pytest.mark.parametrize("site", list(JUDGING), ids=str)
@pytest.mark.parametrize("examples", [True, False])
def test_no_judge_or_critic_template_prefills_the_accepting_answer(site, examples):
    variables, (key, accepting) = JUDGING[site]
    messages = render(site, variables, examples=examples)
    line = _reply_line(messages)
    assert f'"{key}": "{accepting}"' not in line and f'"{key}": "' in line
    every = [_reply_line(((r, t),)) for r, t in messages if r == "user"]
    assert all(f'"{key}": "{accepting}"}}' not in reply for reply in every)


@pytest.mark.parametrize("site", list(JUDGING), ids=str)
def test_the_last_worked_example_of_a_judge_is_a_caught_mistake_not_an_acceptance(site):
    variables, (key, accepting) = JUDGING[site]
    answers = [json.loads(text)[key] for role, text in render(site, variables) if role == "assistant"]
    assert len(answers) >= 2 and accepting in answers  # at least one accepted and one caught: both kinds shown
    assert answers[-1] != accepting


def test_no_packaged_template_ends_its_ask_with_a_bare_yes_pass_or_no():
    for path in PROMPT_DIR.glob("*.j2"):
        asks = path.read_text(encoding="utf-8").split("=== user ===")[1:]
        for ask in asks:
            assert not any(f': "{v}"}}' in line for line in ask.split("=== assistant ===")[0].splitlines()
                           for v in ("pass", "yes", "no")), path.name


def test_examples_setting_auto_is_on_for_small_local_kinds_only():
    auto, always, never = PromptSettings(), PromptSettings(examples="always"), PromptSettings(examples="never")
    assert [auto.examples_for(k) for k in ("embedded", "fake", "", "openai")] == [True, True, True, False]
    assert always.examples_for("openai") and not never.examples_for("embedded")


def test_worked_examples_are_turns_that_the_setting_removes():
    on = render(TAXONOMY_PROPOSE, PROPOSE_VARS, examples=True)
    off = render(TAXONOMY_PROPOSE, PROPOSE_VARS, examples=False)
    assert [r for r, _ in on] == ["system", "user", "assistant", "user"]
    assert [r for r, _ in off] == ["system", "user"] and off[-1] == on[-1]


def _caller(store, kind: str, templates: Templates | None = None, client: FakeClient | None = None):
    client = client or FakeClient("m")
    binding = Binding(Role.taxonomy_proposer, client, Limiter(4), 0.9, 400, kind=kind)
    return Caller(store, {Role.taxonomy_proposer: binding}, seed=0, max_repairs=0, templates=templates), client


def _ask(caller):
    reply = ChildrenReply.bounded(max_items=4, max_chars=40)
    return asyncio.run(caller.ask(TAXONOMY_PROPOSE, PROPOSE_VARS, reply))


@pytest.mark.parametrize(("kind", "setting", "shown"), [
    ("embedded", "auto", True), ("fake", "auto", True), ("openai", "auto", False),
    ("openai", "always", True), ("embedded", "never", False)])
def test_the_caller_renders_the_examples_by_the_bindings_endpoint_kind(tmp_path, kind, setting, shown):
    caller, client = _caller(Store(tmp_path / "s.db"), kind, Templates(PromptSettings(examples=setting)))
    _ask(caller)
    assert any(role == "assistant" for role, _ in client.requests[0].messages) == shown


def test_bindings_carry_the_endpoint_kind_and_openai_roles_get_larger_token_caps():
    spec = parse_spec("description: Recipes from home kitchens\nmodels:\n  endpoints:\n"
                      "    api: {kind: openai, base_url: 'http://127.0.0.1:9/v1', model: m}\n"
                      "    fake: {kind: fake}\n  default: api\n"
                      "  roles: {critic: {endpoint: fake}, judge: {max_tokens: 100}}\n")
    bindings = Endpoints(spec.models).bindings()
    assert (bindings[Role.generator].kind, bindings[Role.critic].kind) == ("openai", "fake")
    assert bindings[Role.generator].max_tokens == ROLE_DEFAULTS[Role.generator][1] * OPENAI_TOKEN_FACTOR
    assert bindings[Role.critic].max_tokens == ROLE_DEFAULTS[Role.critic][1]  # fake: as sized for the 0.5B
    assert bindings[Role.judge].max_tokens == 100  # the user's own setting wins
    assert parse_spec("description: Recipes from home kitchens\n").models.sampling(Role.generator) == \
        ROLE_DEFAULTS[Role.generator]  # embedded: unchanged


def _spec_with_overrides(tmp_path, files: dict[str, str]):
    folder = tmp_path / "my_prompts"
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    path = tmp_path / "spec.yaml"
    path.write_text("description: Recipes from home kitchens\nprompts: {dir: my_prompts}\n", encoding="utf-8")
    return load_spec(path), folder


OWN = 'Be brief.\n=== user ===\nSplit "{{ node }}" into {{ max_children }} parts. Reply as JSON.\n'


def test_an_override_replaces_the_packaged_template_of_its_call_site(tmp_path):
    spec, folder = _spec_with_overrides(tmp_path, {"taxonomy_propose.j2": OWN})
    check_prompts(spec)
    templates = Templates.of(spec)
    assert templates.folder == folder.resolve()  # relative to the spec file
    assert template_path(TAXONOMY_PROPOSE, templates.folder) == folder.resolve() / "taxonomy_propose.j2"
    assert templates.render(TAXONOMY_PROPOSE, PROPOSE_VARS, "embedded") == (
        ("system", "Be brief."), ("user", 'Split "Asian" into 4 parts. Reply as JSON.'))
    assert template_path(JUDGE_CORRECT, templates.folder) == PROMPT_DIR / "judge_correct.j2"  # others packaged


@pytest.mark.parametrize(("name", "text", "line", "says"), [
    ("taxonomy_proposer.j2", OWN, None, "'taxonomy_proposer' is not a call site"),
    ("taxonomy_propose.j2", "=== user ===\nSplit {{ node }}\nfor {{ audience }}\n", 3, "the variable 'audience'"),
    ("judge_correct.j2", "=== user ===\n{{ task }}\n{% if answer %}\n", 3, "not a valid Jinja template"),
])
def test_a_bad_override_is_a_spec_error_naming_the_file(tmp_path, name, text, line, says):
    spec, folder = _spec_with_overrides(tmp_path, {name: text})
    with pytest.raises(SpecError) as raised:
        check_prompts(spec)
    (problem,) = raised.value.problems
    assert problem.file == str(folder.resolve() / name) and problem.line == line and says in problem.message


def test_a_missing_override_folder_is_a_spec_error_at_its_line(tmp_path):
    path = tmp_path / "spec.yaml"
    path.write_text("description: Recipes from home kitchens\nprompts:\n  dir: nowhere\n", encoding="utf-8")
    with pytest.raises(SpecError) as raised:
        check_prompts(load_spec(path))
    assert raised.value.problems[0].line == 3 and "not a folder" in raised.value.problems[0].message


def test_every_packaged_template_passes_the_override_check_as_an_override(tmp_path):
    files = {f"{name}.j2": template_path(site).read_text(encoding="utf-8") for name, site in CALL_SITES.items()
             if site.template is None}
    spec, _ = _spec_with_overrides(tmp_path, files)
    check_prompts(spec)


def test_changing_an_override_changes_the_fingerprint_so_the_call_is_sent_again(tmp_path):
    spec, folder = _spec_with_overrides(tmp_path, {"taxonomy_propose.j2": OWN})
    store = Store(tmp_path / "s.db")
    caller, client = _caller(store, "embedded", Templates.of(spec))
    _ask(caller)
    _ask(caller)
    assert (caller.sent, caller.reused) == (1, 1)
    (folder / "taxonomy_propose.j2").write_text(OWN.replace("Be brief.", "Be very brief."), encoding="utf-8")
    _ask(caller)
    assert (caller.sent, caller.reused) == (2, 1)
    assert client.requests[-1].messages[0] == ("system", "Be very brief.")
