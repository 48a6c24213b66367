"""Read and write strategies.yaml: strategies with weights, taxonomies or sub-trees ("A > B"), and exclusions."""

from __future__ import annotations

from pathlib import Path as FsPath

import yaml

from seedless.core.plan.strategy import Component, Exclusion, Strategy, StrategyProblem
from seedless.core.taxonomy.tree import Path
from seedless.core.yaml_reader import YamlReader, compose, read_text
from seedless.spec.loader import SpecError, SpecProblem, line_map, locate

SEP = " > "
HEADER = """\
# seedless sampling strategies: which taxonomies are sampled together for a datapoint, how often, and what
# never mixes. Edit freely and run again. A taxonomy is named by its factor ("Audience") or restricted to a
# sub-tree ("Audience > Children"). An exclusion lists nodes that never appear together in one datapoint.
"""


class StrategyFileError(SpecError):
    """A strategies file that cannot be read; lists every problem with file and line."""


def path_text(path: Path) -> str:
    return SEP.join(path)


def parse_path(text: str) -> Path:
    return tuple(p.strip() for p in text.split(">") if p.strip())


def dump_strategies(strategies: list[Strategy], notes: list[str] | None = None) -> str:
    """The file text; `notes` (what was dropped from the model's reply, and why) become trailing comments."""
    data = []
    for s in strategies:
        entry: dict[str, object] = {"name": s.name, "weight": s.weight}
        if s.description:
            entry["description"] = s.description
        entry["taxonomies"] = [path_text(c.under) for c in s.components]
        if s.exclusions:
            entry["exclusions"] = [{"nodes": [path_text(p) for p in e.paths], "reason": e.reason}
                                   for e in s.exclusions]
        data.append(entry)
    body = HEADER + yaml.safe_dump({"strategies": data}, sort_keys=False, allow_unicode=True, width=100)
    if notes:
        body += "\n# Notes from writing these strategies:\n" + "".join(
            f"# - {' '.join(n.split())}\n" for n in notes)
    return body


class _Reader(YamlReader):
    def paths(self, node: yaml.Node, field: str) -> list[Path]:
        if not isinstance(node, yaml.SequenceNode):
            self.fail(node, field, "expected a list of taxonomy paths such as 'Factor > Node'")
            return []
        out = []
        for i, item in enumerate(node.value):
            text = self.text(item, f"{field}[{i}]")
            if text:
                out.append(parse_path(text))
        return out

    def exclusion(self, node: yaml.Node, field: str) -> Exclusion | None:
        if not isinstance(node, yaml.MappingNode):
            self.fail(node, field, "an exclusion is a mapping with nodes (and a reason)")
            return None
        values = {str(k.value): (k, v) for k, v in node.value}
        for key, (knode, _) in values.items():
            if key not in {"nodes", "reason"}:
                self.fail(knode, f"{field}.{key}", "unknown key (an exclusion has nodes, reason)")
        if "nodes" not in values:
            self.fail(node, field, "an exclusion needs nodes")
            return None
        paths = self.paths(values["nodes"][1], f"{field}.nodes")
        if len(paths) < 2:
            self.fail(values["nodes"][1], f"{field}.nodes", "an exclusion names at least two nodes")
            return None
        reason = self.text(values["reason"][1], f"{field}.reason") if "reason" in values else ""
        return Exclusion(tuple(paths), reason or "")

    def strategy(self, node: yaml.Node, field: str) -> Strategy | None:
        if not isinstance(node, yaml.MappingNode):
            self.fail(node, field, "a strategy is a mapping with name, weight, taxonomies")
            return None
        values = {str(k.value): (k, v) for k, v in node.value}
        allowed = {"name", "weight", "description", "taxonomies", "exclusions"}
        for key, (knode, _) in values.items():
            if key not in allowed:
                self.fail(knode, f"{field}.{key}", f"unknown key (a strategy has {', '.join(sorted(allowed))})")
        for key in ("name", "taxonomies"):
            if key not in values:
                self.fail(node, field, f"a strategy needs {key}")
        if "name" not in values or "taxonomies" not in values:
            return None
        name = self.text(values["name"][1], f"{field}.name") or ""
        weight = 1.0
        if "weight" in values:
            try:
                weight = float(values["weight"][1].value)
                if weight <= 0:
                    raise ValueError
            except (TypeError, ValueError):
                self.fail(values["weight"][1], f"{field}.weight", "weight is a number above 0")
        components = [Component(p) for p in self.paths(values["taxonomies"][1], f"{field}.taxonomies")]
        exclusions: list[Exclusion] = []
        if "exclusions" in values:
            seq = values["exclusions"][1]
            if isinstance(seq, yaml.SequenceNode):
                exclusions = [e for i, item in enumerate(seq.value)
                              if (e := self.exclusion(item, f"{field}.exclusions[{i}]")) is not None]
            else:
                self.fail(seq, f"{field}.exclusions", "exclusions is a list")
        description = self.text(values["description"][1], f"{field}.description") if "description" in values else ""
        return Strategy(name, weight, components, exclusions, description or "")


def parse_strategies(text: str, file: str = "strategies.yaml") -> list[Strategy]:
    reader = _Reader(file)
    doc = compose(text, file, StrategyFileError)
    seq = None
    if isinstance(doc, yaml.MappingNode):
        for knode, vnode in doc.value:
            if knode.value == "strategies":
                seq = vnode
            else:
                reader.fail(knode, str(knode.value), "unknown key (expected strategies)")
    if not isinstance(seq, yaml.SequenceNode):
        missing = SpecProblem(file, 1, "strategies", "a list of strategies is required")
        raise StrategyFileError(reader.problems + [missing])
    out = reader.distinct(seq, "strategies", reader.strategy, lambda s: s.name, "strategy", at_name=True)
    if reader.problems:
        raise StrategyFileError(reader.problems)
    return out


def read_strategies(path: FsPath) -> list[Strategy]:
    text = read_text(path, StrategyFileError)
    return parse_strategies(text, str(path))


def file_problems(problems: list[StrategyProblem], text: str, file: str) -> StrategyFileError:
    """Problems found after reading (against the taxonomies, or no allowed mix), each at its line of the file
    that `parse_strategies` read from `text`."""
    lines = line_map(compose(text, file, StrategyFileError))
    located = []
    for problem in problems:
        field, line = locate(problem.loc, lines)
        located.append(SpecProblem(file, line, field, problem.message))
    return StrategyFileError(located)
