"""The dataset card: README.md with the YAML front matter the Hugging Face Hub reads, then what the dataset is and
how it was made, from typed facts; a last-line marker with a digest tells seedless's own untouched card from an
edited one."""

from __future__ import annotations

import hashlib
import re

import yaml

from seedless.core.dataset.card_facts import CardFacts, CardLayout, RunFacts, size_category

TAGS = ["synthetic", "seedless", "simula"]
MARKER = re.compile(r"\n<!-- written by seedless; sha256 ([0-9a-f]{16}) of the text above\. Edit this file and "
                    r"seedless keeps your version \(delete it for a fresh card\)\. -->\n\Z")
_STAGE_NAMES = {"meta_prompt": "meta-prompt", "double_critic": "double critic", "requirements": "requirement critic"}


def front_matter(facts: CardFacts, layout: CardLayout) -> dict[str, object]:
    """The card's metadata, in the Hub's keys: only what is known (no language or task is guessed; the licence is
    `unknown` until the user sets it)."""
    return {
        "pretty_name": facts.name or _first_sentence(facts.description),
        "license": "unknown",
        "annotations_creators": ["machine-generated"],
        "language_creators": ["machine-generated"],
        "size_categories": [size_category(layout.rows)],
        "tags": list(TAGS),
        "configs": [{"config_name": "default", "data_files": [{"split": "train", "path": layout.data_file}]}],
    }


def render_card(facts: CardFacts, layout: CardLayout) -> str:
    """README.md: `---`, the front matter (yaml.safe_dump), `---`, the body, the marker line with its digest."""
    head = yaml.safe_dump(front_matter(facts, layout), sort_keys=False, allow_unicode=True, width=1000)
    text = f"---\n{head}---\n\n" + "\n".join(_body(facts, layout)).rstrip("\n") + "\n"
    return text + _marker(text)


def is_generated(text: str) -> bool:
    """Whether `text` is a card seedless wrote and nobody changed since: it ends with the marker, whose digest is
    that of the text before it."""
    match = MARKER.search(text)
    return match is not None and _digest(text[: match.start()]) == match.group(1)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _marker(text: str) -> str:
    return (f"\n<!-- written by seedless; sha256 {_digest(text)} of the text above. Edit this file and seedless "
            "keeps your version (delete it for a fresh card). -->\n")


def _first_sentence(text: str) -> str:
    first = " ".join(text.split()).split(". ")[0].rstrip(".")
    return first if len(first) <= 80 else first[:79].rsplit(" ", 1)[0] + "…"


def _cell(value: object) -> str:
    """A Markdown table cell: one line, pipes escaped."""
    return " ".join(str(value).split()).replace("|", "\\|")


def _table(head: list[str], rows: list[list[object]]) -> list[str]:
    out = ["| " + " | ".join(head) + " |", "|" + "|".join(" --- " for _ in head) + "|"]
    return out + ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows] + [""]


def _pct(share: float) -> str:
    return f"{100 * share:.0f}%"


def _share(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def _body(facts: CardFacts, layout: CardLayout) -> list[str]:
    title = facts.name or _first_sentence(facts.description)
    out = [f"# {title}", "", " ".join(facts.description.split()), "",
           f"A synthetic dataset made with seedless {facts.seedless_version}, which follows the Simula method: "
           "taxonomies of the domain's factors of variation, sampled mixes of their nodes, a concrete scenario "
           "(meta-prompt) per mix, complexification of a fixed share, and model critics that reject what fails. "
           "Every datapoint keeps its lineage (the mix, the strategy, the meta-prompt, the verdicts).", ""]
    out += _structure(layout)
    if facts.run is not None:
        out += _made(facts.run, facts.rejected)
    if layout.eval is not None:
        out += _evaluation(layout)
    out += _use(layout)
    out += ["## Limitations", "",
            "Every datapoint was written by a language model and checked by language-model critics, which make "
            "mistakes: answers can be wrong and scenarios implausible. The licence is `unknown` until you set it in "
            "the front matter (it depends on the models' terms and on your use).", ""]
    return out


def _structure(layout: CardLayout) -> list[str]:
    rows = f"{layout.rows} row{'s' if layout.rows != 1 else ''}"
    out = ["## Dataset structure", "", f"{rows}, one split (`train`), in `{layout.data_file}`.", ""]
    return out + _table(["column", "type", "description"], [[f"`{c.name}`", c.type, c.description]
                                                            for c in layout.columns])


def _made(run: RunFacts, rejected: int | None) -> list[str]:
    out = ["## How it was made", "", "### Factors and taxonomies", ""]
    out += _table(["factor", "nodes per level", "leaves", "description"],
                  [[f.name, ", ".join(str(n) for n in f.levels), f.leaves, f.description] for f in run.factors])
    if run.strategies:
        out += ["### Sampling strategies", ""]
        out += _table(["strategy", "weight", "taxonomies", "exclusions", "description"],
                      [[s.name, f"{s.weight:g}", "; ".join(s.taxonomies), s.exclusions, s.description]
                       for s in run.strategies])
    approx = "" if run.exact else "about "
    out += ["### Coverage budget", "",
            f"N = {run.target} datapoints over V = {approx}{run.reachable} reachable mixes: {run.budget}. "
            f"A share c = {run.complexify:g} of the datapoints was complexified."
            + ("" if run.complete else f" The run stopped before reaching N: {run.accepted} datapoints accepted."),
            ""]
    out += _judge(run)
    out += ["### Rejections", "",
            f"{run.tries} tries, {run.accepted} accepted, {run.tries - run.accepted} rejected"
            + (f" (kept in `rejected.jsonl`: {rejected})" if rejected is not None else "") + ".", ""]
    out += _table(["step", "reached", "rejected", "rate"],
                  [[_STAGE_NAMES.get(s.stage, s.stage.replace("_", " ")), s.reached, s.rejected, _pct(s.rate)]
                   for s in run.stages])
    if run.hard_nodes:
        out += ["The taxonomy nodes rejected most (tried at least 3 times):", ""]
        out += _table(["node", "tries", "rejected", "rate"],
                      [[" > ".join(n.path), n.tries, n.rejected, _pct(n.rate)] for n in run.hard_nodes])
    out += [f"- warning: {w}" for w in run.warnings] + ([""] if run.warnings else [])
    return out + _models(run)


def _judge(run: RunFacts) -> list[str]:
    out = ["### Judge check", ""]
    if run.judge is None:
        return out + [f"Not made: {run.judge_skipped or 'no answer field'}.", ""]
    j = run.judge
    verdict = "passed" if j.passed else "failed"
    return out + [f"Before generating, the double critic ({j.model}) judged {j.correct} known-correct datapoints "
                  f"and {j.corrupted} corrupted copies: it accepted p = {_share(j.p)} of the correct ones and "
                  f"q = {_share(j.q)} of the corrupted ones (p - q at least {j.min_gap:g} asked: {verdict}).", ""]


def _models(run: RunFacts) -> list[str]:
    out = ["### Models and usage", ""]
    if run.models:
        out += _table(["role", "model", "calls", "tokens"],
                      [[m.role.replace("_", " "), m.model, m.calls, f"{m.tokens:,}"] for m in run.models])
    if run.usage:
        priced = any(u.cost is not None for u in run.usage)
        head = ["stage", "model", "calls", "prompt tokens", "completion tokens"] + (["cost"] if priced else [])
        rows: list[list[object]] = []
        for u in run.usage:
            row: list[object] = [u.stage.replace("_", " "), u.model, u.calls, f"{u.prompt_tokens:,}",
                                 f"{u.completion_tokens:,}"]
            rows.append(row + ([f"{u.cost:.4f}" if u.cost is not None else "-"] if priced else []))
        total: list[object] = ["total", "", sum(u.calls for u in run.usage),
                               f"{sum(u.prompt_tokens for u in run.usage):,}",
                               f"{sum(u.completion_tokens for u in run.usage):,}"]
        if priced:
            total.append(f"{sum(u.cost or 0.0 for u in run.usage):.4f}")
        out += _table(head, rows + [total])
    return out


def _evaluation(layout: CardLayout) -> list[str]:
    assert layout.eval is not None
    e = layout.eval
    out = ["## Evaluation", "", f"`seedless eval` on {e.items} items (report `{e.report}`):", ""]
    out += [f"- {line.measure.replace('_', ' ')}: {line.summary}" for line in e.lines]
    return out + [""]


def _use(layout: CardLayout) -> list[str]:
    source = (f'load_dataset("{layout.repo}")' if layout.repo
              else f'load_dataset("parquet", data_files="{layout.data_file}")')
    return ["## Use", "", "```python", "from datasets import load_dataset", "", f"dataset = {source}['train']",
            "```", ""]

