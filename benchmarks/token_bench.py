"""Tokens per accepted datapoint, stage by stage: seedless against simula-gen on the same spec, the same mock server
and equal settings. Run by hand (simula-gen in a venv of its own: it pins its own openai client):

    python3 -m venv /tmp/simula && /tmp/simula/bin/pip install simula-gen==0.1.0
    python benchmarks/token_bench.py --simula /tmp/simula/bin/simula [--size 60] [--markdown]

Both read one description, two given factors (depth 2, 2 proposals per node, 2-3 children, one critic pass), 3
scenario candidates per meta-prompt call, complexify half the datapoints, one requirement critic with at most 2
repairs / refinements, no double critic (simula-gen has none) and no judge check. Each tool runs through its own
command line against `../shared/bench/mockllm.py` (started here, 10 ms latency), which reports `usage` on every
reply. seedless's tokens come from its store, simula-gen's from its `llm_calls.jsonl`. The mock's verdicts are
random, so the acceptance differs between tools; tokens per try (per datapoint attempted) are given beside tokens
per accepted datapoint. The mock writes junk node names, so simula-gen's strategy stage (which must name existing
taxonomy paths and stops otherwise) is replaced by one hand-written strategy over every factor, as its own error
message advises; seedless writes its strategies itself (one call, counted).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MOCK = ROOT.parent / "shared" / "bench" / "mockllm.py"
DESCRIPTION = ("Short customer-support questions a shop's customers ask, each with a concise, correct and "
               "helpful answer from the support team.")
FACTORS = [("Support topic", "What the customer needs help with."),
           ("Customer tone", "How the customer writes: calm, hurried, upset and so on.")]
# Each tool's call sites (seedless) or tasks (simula-gen), grouped into the stages both have.
STAGES = {
    "taxonomy": {"seedless": ("factors", "taxonomy_propose", "taxonomy_critic", "level_plan"),
                 "simula": ("factor_discovery", "node_expansion", "taxonomy_critic", "level_plan")},
    "strategies": {"seedless": ("strategies",), "simula": ("strategy",)},
    "meta_prompt": {"seedless": ("meta_prompt",), "simula": ("meta_prompt",)},
    "complexify": {"seedless": ("complexify",), "simula": ("complexify",)},
    "generate": {"seedless": ("generate",), "simula": ("generate", "repair")},
    "critic and repairs": {"seedless": ("critic_requirements", "repair_datapoint"),
                           "simula": ("semantic_critic", "refine")},
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def seedless_spec(size: int) -> str:
    factors = "\n".join(f"  - {{name: {json.dumps(name)}, description: {json.dumps(text)}}}" for name, text in FACTORS)
    return f"""name: token-bench
description: {json.dumps(DESCRIPTION)}
factors:
{factors}
taxonomy: {{depth: 2, proposals: 2, min_children: 2, max_children: 3, critic: true, level_plan: true}}
size: {size}
generation:
  candidates: 3
  complexify: 0.5
  requirement_critic: true
  max_repairs: 2
  double_critic: false
  slot_attempts: 1
  judge_check: {{enabled: false}}
output:
  kind: fields
  fields:
    - {{name: input, description: The customer's question., max_chars: 400}}
    - {{name: output, description: The support team's answer., max_chars: 600}}
"""


def simula_config(size: int, url: str, out: Path) -> str:
    factors = ", ".join(f"{{name: {json.dumps(name)}, description: {json.dumps(text)}}}" for name, text in FACTORS)
    return f"""description: {json.dumps(DESCRIPTION)}
schema: {{type: object, required: [input, output], properties: {{input: {{type: string}}, output: {{type: string}}}}}}
project: {{name: token-bench, output_dir: {out}, seed: 0}}
provider: {{base_url: "{url}", api_key_env: MOCK_API_KEY, timeout_seconds: 60}}
models: {{strategic: {{model: mock-model, max_tokens: 1024}}, bulk: {{model: mock-model, max_tokens: 1024}},
         critic: {{model: mock-model, max_tokens: 512}}}}
taxonomy: {{depth: 2, best_of_n: 2, children_per_node: 3, factors: [{factors}]}}
generation: {{target_size: {size}, overgenerate_ratio: 1.0, scenarios_per_mix: 3, complexity_ratio: 0.5,
             max_refine_attempts: 2, concurrency: 16}}
"""


def run_seedless(work: Path, url: str, size: int) -> dict:
    spec = work / "seedless.yaml"
    spec.write_text(seedless_spec(size))
    out = work / "seedless-run"
    started = time.monotonic()
    done = subprocess.run([str(Path(sys.executable).parent / "seedless"), "run", str(spec), "--out", str(out),
                           "--base-url", url, "--model", "mock-model", "--log-format", "plain"],
                          capture_output=True, text=True, cwd=work)
    if done.returncode not in (0, 3, 4):
        raise SystemExit(f"seedless failed ({done.returncode}):\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    db = sqlite3.connect(out / "seedless.db")
    sites = {name: (calls, p or 0, c or 0) for name, calls, p, c in db.execute(
        "SELECT prompt, COUNT(*), SUM(prompt_tokens), SUM(completion_tokens) FROM calls GROUP BY prompt")}
    accepted = len((out / "dataset.jsonl").read_text().splitlines())
    rejected = len((out / "rejected.jsonl").read_text().splitlines()) if (out / "rejected.jsonl").exists() else 0
    return {"sites": sites, "accepted": accepted, "tries": accepted + rejected,
            "seconds": round(time.monotonic() - started, 1)}


def run_simula(work: Path, url: str, size: int, simula: str) -> dict:
    out = work / "simula-run"
    config = work / "simula.yaml"
    config.write_text(simula_config(size, url, out))
    (work / ".env").write_text("MOCK_API_KEY=sk-mock-local\n")  # simula-gen reads the key from ./.env only
    started = time.monotonic()

    def simula_run(*extra: str) -> subprocess.CompletedProcess:
        return subprocess.run([simula, "run", str(config), "--quiet", *extra], capture_output=True, text=True,
                              cwd=work)

    first = simula_run("--stop-after", "taxonomy")
    if first.returncode != 0:
        raise SystemExit(f"simula taxonomy failed:\n{first.stdout[-2000:]}{first.stderr[-2000:]}")
    roots = [root["name"] if isinstance(root, dict) else str(root)
             for root in _roots(json.loads((out / "taxonomy.json").read_text()))]
    (out / "strategies.json").write_text(json.dumps({"strategies": [
        {"id": "general", "description": "every factor", "taxonomy_roots": roots, "weight": 1.0,
         "never_combine": []}]}))
    second = simula_run()
    if second.returncode != 0:
        raise SystemExit(f"simula run failed:\n{second.stdout[-2000:]}{second.stderr[-2000:]}")
    sites: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for line in (out / "llm_calls.jsonl").read_text().splitlines():
        call = json.loads(line)
        acc = sites[call["task"]]
        acc[0] += 1
        acc[1] += int(call.get("in_tokens") or 0)
        acc[2] += int(call.get("out_tokens") or 0)
    accepted = len((out / "dataset.final.jsonl").read_text().splitlines())
    return {"sites": {k: tuple(v) for k, v in sites.items()}, "accepted": accepted, "tries": size,
            "seconds": round(time.monotonic() - started, 1)}


def _roots(taxonomy: object) -> list:
    """The factor roots of simula-gen's taxonomy.json (a list of roots, or an object holding them)."""
    if isinstance(taxonomy, list):
        return taxonomy
    if isinstance(taxonomy, dict):
        for key in ("roots", "factors", "taxonomies", "nodes"):
            if isinstance(taxonomy.get(key), list):
                return taxonomy[key]
        return [{"name": k} for k in taxonomy]
    raise SystemExit(f"unexpected taxonomy.json shape: {type(taxonomy).__name__}")


def table(results: dict[str, dict]) -> list[dict]:
    rows = []
    for stage, names in STAGES.items():
        row: dict = {"stage": stage}
        for tool, result in results.items():
            calls = prompt = completion = 0
            for name in names[tool]:
                c, p, o = result["sites"].get(name, (0, 0, 0))
                calls, prompt, completion = calls + c, prompt + p, completion + o
            row[tool] = {"calls": calls, "prompt": prompt, "completion": completion,
                         "per_accepted": round((prompt + completion) / max(result["accepted"], 1)),
                         "per_try": round((prompt + completion) / max(result["tries"], 1))}
        rows.append(row)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--simula", required=True, help="the simula-gen executable (its own venv)")
    ap.add_argument("--size", type=int, default=60, help="datapoints asked of each tool")
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--keep", type=Path, help="keep both run directories here")
    args = ap.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="token-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    port = free_port()
    mock = subprocess.Popen([sys.executable, str(MOCK), "--host", "127.0.0.1", "--port", str(port),
                             "--latency", "0.01", "--report-every", "0"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}/v1"
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        results = {"seedless": run_seedless(work, url, args.size),
                   "simula": run_simula(work, url, args.size, args.simula)}
    finally:
        mock.terminate()
        mock.wait(timeout=10)
    rows = table(results)
    summary = {tool: {k: r[k] for k in ("accepted", "tries", "seconds")} for tool, r in results.items()}
    if not args.markdown:
        print(json.dumps({"runs": summary, "stages": rows, "work": str(work)}, indent=1))
        return
    for tool, s in summary.items():
        print(f"- {tool}: {s['accepted']} accepted of {s['tries']} tried, {s['seconds']} s")
    print("\n| stage | seedless calls | seedless tokens in / out | seedless per accepted (per try) "
          "| simula-gen calls | simula-gen tokens in / out | simula-gen per accepted (per try) |")
    print("|---|---|---|---|---|---|---|")
    totals = {tool: [0, 0, 0] for tool in results}
    for row in rows:
        cells = []
        for tool in results:
            r = row[tool]
            totals[tool] = [totals[tool][0] + r["calls"], totals[tool][1] + r["prompt"],
                            totals[tool][2] + r["completion"]]
            cells += [str(r["calls"]), f"{r['prompt']:,} / {r['completion']:,}",
                      f"{r['per_accepted']:,} ({r['per_try']:,})"]
        print(f"| {row['stage']} | " + " | ".join(cells) + " |")
    cells = []
    for tool, (calls, prompt, completion) in totals.items():
        res = results[tool]
        cells += [str(calls), f"{prompt:,} / {completion:,}",
                  f"{round((prompt + completion) / max(res['accepted'], 1)):,} "
                  f"({round((prompt + completion) / max(res['tries'], 1)):,})"]
    print("| **all** | " + " | ".join(cells) + " |")
    print(f"\nrun directories: {work}")


if __name__ == "__main__":
    os.environ.pop("SEEDLESS_BASE_URL", None)
    main()
