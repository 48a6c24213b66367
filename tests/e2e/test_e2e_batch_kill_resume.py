"""End to end: the quickstart spec (examples/quickstart.yaml, 6 datapoints) in batch mode against the batch stub, killed
with SIGKILL while a generation batch is in progress, then resumed: the resumed run attaches to that batch instead of
submitting its requests again, and the dataset is the online mode's, byte for byte."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import yaml
from batch_stub import BatchStub, quiz_reply

QUICKSTART = Path(__file__).resolve().parents[2] / "examples" / "quickstart.yaml"
HELD = 12  # the batch held in progress when the run is killed: one of the generation steps' waves


def spec_file(tmp_path: Path, url: str, mode: str) -> Path:
    """The quickstart at 6 datapoints with both of its endpoints on the stub, in `mode`."""
    spec = yaml.safe_load(QUICKSTART.read_text())
    spec["size"] = 6
    endpoint = lambda model: {"kind": "openai", "base_url": url, "model": model, "mode": mode,  # noqa: E731
                              "batch": {"poll_s": 0.05, "collect_s": 0.05}}
    spec["models"]["endpoints"] = {"embedded": endpoint("stub-small"), "judge": endpoint("stub-judge")}
    path = tmp_path / f"quickstart-{mode}.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    return path


def run(spec: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "seedless", "run", str(spec), "--out", str(out), "--log-format", "plain"]


def test_batch_mode_killed_while_a_batch_waits_resumes_without_resubmitting_and_matches_the_online_dataset(tmp_path):
    with BatchStub(quiz_reply, held={HELD}) as stub:
        batched, out = spec_file(tmp_path, stub.url, "batch"), tmp_path / "batch"
        proc = subprocess.Popen(run(batched, out), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None and not (
                len(stub.submissions) >= HELD and stub.submissions[HELD - 1].polls >= 2):
            time.sleep(0.01)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        assert len(stub.submissions) >= HELD, "the run ended before the held batch was submitted"
        held = stub.submissions[HELD - 1]
        before = len(stub.submissions)
        assert not (out / "dataset.jsonl").exists()

        stub.release()
        done = subprocess.run(run(batched, out), capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
        assert f"batch {held.id}: attached to the batch submitted earlier" in done.stdout
        later = stub.submissions[before:]
        assert later, "the resumed run had calls of its own to make"
        assert not set(held.custom_ids) & {cid for s in later for cid in s.custom_ids}  # none sent again
        assert stub.problems == []
        assert sum(stub.online.values()) == 0

        online = subprocess.run(run(spec_file(tmp_path, stub.url, "online"), tmp_path / "online"), capture_output=True,
                                text=True, timeout=120)
        assert online.returncode == 0, online.stdout + online.stderr
        assert sum(stub.online.values()) > 0
    dataset = (out / "dataset.jsonl").read_text()
    assert len(dataset.splitlines()) == 6
    assert dataset == (tmp_path / "online" / "dataset.jsonl").read_text()
