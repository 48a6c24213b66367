"""Contracts of `export(..., push_to_hub=REPO)` against the local Hub stub: refusals before anything is sent (no token,
a malformed repository id, another format), and each refusal of the Hub told with what to do, the token never shown."""

from __future__ import annotations

import pytest

from hub_stub import HubStub
from run_files import FIELDS_OUTPUT, make_run, mcq, record
from seedless.engine.outputs.export import ExportError, export

hub = pytest.importorskip("huggingface_hub")
pytest.importorskip("datasets")
TOKEN = "hf_stubTokenNeverShown123"


@pytest.fixture
def run(tmp_path):
    return make_run(tmp_path / "run", FIELDS_OUTPUT, [record(i, mcq(i)) for i in range(3)])


@pytest.fixture
def stub(monkeypatch, tmp_path):
    with HubStub() as s:
        monkeypatch.setattr(hub.constants, "ENDPOINT", s.url)  # read by HfApi when it is made
        monkeypatch.setattr(hub.constants, "HF_HUB_DISABLE_XET", True)  # the stub speaks LFS, not Xet
        monkeypatch.setattr(hub.constants, "AGENT_HARNESSES_PATH", str(tmp_path / "harnesses.json"))  # not in ~
        monkeypatch.setenv("HF_TOKEN", TOKEN)
        yield s


def test_a_push_without_a_token_is_refused_before_anything_is_sent(run, stub, monkeypatch):
    monkeypatch.setattr(hub, "get_token", lambda: None)
    with pytest.raises(ExportError, match="needs a Hugging Face token: set HF_TOKEN .* or log in with `hf auth login`"):
        export(run, "hf", push_to_hub="me/arith")
    assert stub.requests == []


@pytest.mark.parametrize("repo", ["me/ar ith", "a/b/c", "me/--x"])
def test_a_malformed_repository_id_is_refused_before_the_export(run, stub, repo):
    with pytest.raises(ExportError, match="not a Hugging Face repository id .* NAMESPACE/NAME"):
        export(run, "hf", push_to_hub=repo)
    assert stub.requests == [] and not (run / "export").exists()


def test_push_applies_to_the_hf_format_only(run, stub):
    with pytest.raises(ExportError, match="--push-to-hub applies to --format hf only"):
        export(run, "jsonl", push_to_hub="me/arith")


@pytest.mark.parametrize(("call", "status", "says"), [
    ("create", 401, "refused the token \\(401\\): set HF_TOKEN to a valid token with write access"),
    ("create", 403, "may not write to me/arith \\(403\\): use a token with write access to its namespace"),
    ("preupload", 404, "me/arith was not found on the Hub \\(404\\): check the namespace"),
    ("commit", 500, "the push to me/arith failed \\(HTTP 500\\)"),
])
def test_each_refusal_of_the_hub_says_what_to_do_and_never_shows_the_token(run, stub, call, status, says):
    stub.fail[call] = status
    with pytest.raises(ExportError, match=says) as caught:
        export(run, "hf", push_to_hub="me/arith")
    assert TOKEN not in str(caught.value)
    assert (run / "export" / "hf" / "README.md").is_file()  # the export itself is done and kept


def test_a_push_to_an_existing_repository_updates_it(run, stub):
    first = export(run, "hf", push_to_hub="me/arith")
    second = export(run, "hf", push_to_hub="me/arith")
    assert first.url == second.url == f"{stub.url}/datasets/me/arith"
    assert sorted(stub.files["me/arith"]) == ["README.md", "dataset.parquet"]
