"""The report at scale: synthetic runs of 10,000 and 100,000 datapoints (records written with the run directory's
own atomic line writer and the typed Record/Rejection models, no model), `seedless report`'s page written, its
size and the time to build it and to open it in headless Chromium measured (docs/report.md records the figures).

    .venv/bin/python benchmarks/report_size.py [--sizes 10000 100000] [--out /tmp/report-bench]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "tests"))

from seedless.core.dataset.record import Lineage, Record, Rejection, Verdict  # noqa: E402
from seedless.core.taxonomy.file import dump_taxonomies  # noqa: E402
from seedless.core.taxonomy.tree import Node, Taxonomy, TaxonomySet  # noqa: E402
from seedless.engine.outputs.report_data import report_data  # noqa: E402
from seedless.engine.store.rundir import RunDir  # noqa: E402
from seedless.interface.report.page import render_report  # noqa: E402

SPEC = "description: Synthetic arithmetic word problems.\noutput: {kind: fields, fields: [{name: question}, " \
       "{name: answer, type: integer}], answer_field: answer}\n"


def _taxonomies() -> TaxonomySet:
    topic = Node("Topic", children=[Node(f"Topic {i}", children=[Node(f"Sub {i}.{j}") for j in range(6)])
                                    for i in range(8)])
    setting = Node("Setting", children=[Node(f"Setting {i}") for i in range(5)])
    return TaxonomySet([Taxonomy(topic, 2), Taxonomy(setting, 1)])


def make_run(root: Path, size: int, seed: int = 0) -> Path:
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    (root / "spec.yaml").write_text(SPEC, encoding="utf-8")
    run = RunDir(root)
    run.taxonomy.write_text(dump_taxonomies(_taxonomies()), encoding="utf-8")

    def lineage(slot: int) -> Lineage:
        i, j, k = rng.randrange(8), rng.randrange(6), rng.randrange(5)
        hard = rng.random() < 0.5
        return Lineage(strategy="default", mix={"Topic": ["Topic", f"Topic {i}", f"Sub {i}.{j}"],
                                                "Setting": ["Setting", f"Setting {k}"]},
                       meta_prompt=f"A story in setting {k} about sub-topic {i}.{j}, slot {slot}. " * 3,
                       complexified=hard, original_meta_prompt="An easier story." if hard else None, model="synthetic",
                       verdicts=[Verdict(critic="requirements", passed=True, explanation="Every requirement met. " * 4),
                                 Verdict(critic="double_correct", passed=True, explanation="The answer is right. " * 4)],
                       slot=slot)

    def accepted():
        for s in range(size):
            data = {"question": f"Sam has {s} apples and buys {s % 7} more. How many apples does Sam have now?",
                    "answer": s + s % 7}
            yield Record(id=f"s{s:06d}", data=data, lineage=lineage(s)).model_dump_json()

    def rejected():
        for s in range(size // 3):
            yield Rejection(id=f"r{s:06d}-a0", data={"question": "?", "answer": 0}, lineage=lineage(size + s),
                            stage=rng.choice(["requirements", "double_critic"]), reason="the critic said no").model_dump_json()

    RunDir.write_lines_atomic(run.dataset, accepted())
    RunDir.write_lines_atomic(run.rejected, rejected())
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--out", type=Path, default=Path("/tmp/report-bench"))
    args = parser.parse_args()
    from browser import Browser, find_chromium

    results = []
    for size in args.sizes:
        root = args.out / f"run-{size}"
        shutil.rmtree(root, ignore_errors=True)
        make_run(root, size)
        start = time.monotonic()
        page = root / "report.html"
        page.write_text(render_report(report_data(root)), encoding="utf-8")
        built = time.monotonic() - start
        opened = ready = None
        if find_chromium() is not None:
            with Browser() as browser:
                opened = browser.open(page)
                ready = browser.js("!!(window.seedlessReport && window.seedlessReport.ready)")
                assert not browser.errors, browser.errors
        results.append({"datapoints": size, "rejected": size // 3, "mb": round(page.stat().st_size / 1e6, 2),
                        "build_s": round(built, 2), "open_s": None if opened is None else round(opened, 2),
                        "ready": ready})
        print(json.dumps(results[-1]))


if __name__ == "__main__":
    main()
