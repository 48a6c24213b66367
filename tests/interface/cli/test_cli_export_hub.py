"""`seedless export RUN --format hf --push-to-hub REPO --private`, run as a process against the local Hub stub
(HF_ENDPOINT): the repository created private, the card and the data arriving byte for byte, the token sent only in
the Authorization header and written nowhere."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest
import yaml
from click.testing import CliRunner

from hub_stub import HubStub
from run_files import FIELDS_OUTPUT, make_run, mcq, record
from seedless.interface.cli.export import export

pytest.importorskip("huggingface_hub")
pytest.importorskip("datasets")
pq = pytest.importorskip("pyarrow.parquet")
TOKEN = "hf_stubTokenNeverWritten987"


def push(stub: HubStub, tmp_path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HF_ENDPOINT": stub.url, "HF_TOKEN": TOKEN, "HF_HOME": str(tmp_path / "hf-home"),
           "HF_HUB_DISABLE_XET": "1"}  # the stub speaks the LFS upload protocol, not Xet
    return subprocess.run([sys.executable, "-m", "seedless", "export", *args], env=env, capture_output=True,
                          text=True, timeout=300)


def test_push_to_hub_creates_a_private_dataset_repo_with_the_card_and_the_data(tmp_path):
    rows = [record(i, mcq(i)) for i in range(4)]
    run = make_run(tmp_path / "run", FIELDS_OUTPUT, rows)
    with HubStub() as stub:
        done = push(stub, tmp_path, str(run), "--format", "hf", "--push-to-hub", "me/arith", "--private")
    assert done.returncode == 0, done.stderr
    assert f"pushed the dataset and its card to {stub.url}/datasets/me/arith (private)" in done.stdout
    assert stub.unknown == []
    assert stub.repos["me/arith"]["type"] == "dataset" and stub.private("me/arith")
    sent = stub.files["me/arith"]
    assert sorted(sent) == ["README.md", "dataset.parquet"]
    folder = run / "export" / "hf"
    assert sent["README.md"] == (folder / "README.md").read_bytes()  # what is pushed is what the folder shows
    meta = yaml.safe_load(sent["README.md"].decode()[4:].partition("\n---\n")[0])
    assert meta["configs"][0]["data_files"][0]["path"] == "dataset.parquet"  # the file pushed beside it
    assert 'load_dataset("me/arith")' in sent["README.md"].decode()
    table = pq.read_table(io.BytesIO(sent["dataset.parquet"]))
    assert table.column("id").to_pylist() == [r["id"] for r in rows]
    assert table.column("question").to_pylist() == [r["data"]["question"] for r in rows]
    assert table.schema.field("lineage").type.get_field_index("mix") >= 0  # typed, not JSON text
    authorized = [r for r in stub.requests if any(k.lower() == "authorization" for k in r.headers)]
    assert authorized and all(v == f"Bearer {TOKEN}" for r in authorized
                              for k, v in r.headers.items() if k.lower() == "authorization")
    assert TOKEN not in done.stdout + done.stderr
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert TOKEN.encode() not in path.read_bytes(), path
    assert all(TOKEN.encode() not in data for data in sent.values())


def test_push_refused_by_the_hub_exits_2_saying_what_to_do(tmp_path):
    run = make_run(tmp_path / "run", FIELDS_OUTPUT, [record(0, mcq(0))])
    with HubStub(fail={"create": 401}) as stub:
        done = push(stub, tmp_path, str(run), "--format", "hf", "--push-to-hub", "me/arith")
    assert done.returncode == 2
    assert "refused the token (401): set HF_TOKEN to a valid token with write access" in done.stdout
    assert TOKEN not in done.stdout + done.stderr


def test_private_without_push_is_a_usage_error(tmp_path):
    run = make_run(tmp_path / "run", FIELDS_OUTPUT, [record(0, mcq(0))])
    result = CliRunner().invoke(export, [str(run), "--format", "hf", "--private"])
    assert result.exit_code == 2 and "--private applies with --push-to-hub only" in result.output
