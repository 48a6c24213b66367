"""Read and write taxonomy.yaml: the editable tree per factor, plus a provenance section ignored on read."""

from __future__ import annotations

from pathlib import Path as FsPath

import yaml

from seedless.core.taxonomy.comments import carry, user_comments
from seedless.core.taxonomy.provenance import LevelPlan, NodeDecision
from seedless.core.taxonomy.tree import Node, Taxonomy, TaxonomySet
from seedless.core.yaml_reader import YamlReader, compose, read_text
from seedless.spec.loader import SpecError, SpecProblem

HEADER = """\
# seedless taxonomy: one tree per factor of variation.
# Edit freely, then run `seedless taxonomy SPEC --out RUN_DIR` again:
#   - rename a node: its children are rebuilt (they were made for the old name);
#   - delete a node or a branch: it stays deleted;
#   - add children (a plain name, or name/description/children): kept, and expanded to the factor's depth;
#   - change a factor's depth: the tree is extended or cut.
# A node is `- Name` (a leaf) or `- name: Name` with optional `description:` and `children:`.
# The `provenance` section (plans, proposals, critic edits) is written by seedless and ignored when read.
"""


class TaxonomyFileError(SpecError):
    """A taxonomy file that cannot be read; lists every problem with file and line."""


def _node_dict(node: Node) -> object:
    if not node.children and not node.description:
        return node.name
    out: dict[str, object] = {"name": node.name}
    if node.description:
        out["description"] = node.description
    if node.children:
        out["children"] = [_node_dict(c) for c in node.children]
    return out


def dump_taxonomies(
    taxonomies: TaxonomySet,
    plans: list[LevelPlan] | None = None,
    decisions: list[NodeDecision] | None = None,
    previous: str | None = None,
) -> str:
    """The file's text; with `previous` (the file as the user left it), the comments they wrote on nodes and at
    the top are kept on the same nodes (those of removed nodes go with them)."""
    factors = []
    for tax in taxonomies.taxonomies:
        entry: dict[str, object] = {"name": tax.root.name}
        if tax.root.description:
            entry["description"] = tax.root.description
        entry["depth"] = tax.depth
        entry["children"] = [_node_dict(c) for c in tax.root.children]
        factors.append(entry)
    body = yaml.safe_dump({"factors": factors}, sort_keys=False, allow_unicode=True, width=100)
    if previous:
        body = carry(user_comments(previous, written=HEADER), body)
    if plans or decisions:
        prov = {
            "plans": [p.model_dump() for p in plans or []],
            "decisions": [d.model_dump(exclude_defaults=True) for d in decisions or []],
        }
        body += "\n" + yaml.safe_dump({"provenance": prov}, sort_keys=False, allow_unicode=True, width=100)
    return HEADER + body


class _Reader(YamlReader):
    def node(self, item: yaml.Node, field: str, root: bool = False) -> Node | None:
        if isinstance(item, yaml.ScalarNode):
            name = self.text(item, field)
            return Node(name) if name else None
        if not isinstance(item, yaml.MappingNode):
            self.fail(item, field, "a node is a name or a mapping with name/description/children")
            return None
        values = {str(k.value): (k, v) for k, v in item.value}
        for key, (knode, _) in values.items():
            if key not in {"name", "description", "children"} and not (root and key == "depth"):
                self.fail(knode, f"{field}.{key}", "unknown key (a node has name, description, children)")
        if "name" not in values:
            self.fail(item, field, "a node needs a name")
            return None
        name = self.text(values["name"][1], f"{field}.name")
        if name is None:
            return None
        node = Node(name)
        if "description" in values:
            node.description = self.text(values["description"][1], f"{field}.description") or ""
        if "children" in values:
            node.children = self.children(values["children"][1], f"{field}.children")
        return node

    def children(self, seq: yaml.Node, field: str) -> list[Node]:
        if isinstance(seq, yaml.ScalarNode) and seq.value in ("", "~", "null"):
            return []
        if not isinstance(seq, yaml.SequenceNode):
            self.fail(seq, field, "children is a list")
            return []
        return self.distinct(seq, field, self.node, lambda n: n.name, "sibling name")

    def factor(self, item: yaml.Node, field: str, default_depth: int) -> Taxonomy | None:
        root = self.node(item, field, root=True)
        if root is None:
            return None
        depth = default_depth
        if isinstance(item, yaml.MappingNode):
            for knode, vnode in item.value:
                if knode.value == "depth":
                    depth = self.depth(vnode, f"{field}.depth", default_depth)
        return Taxonomy(root, depth)

    def depth(self, node: yaml.Node, field: str, default: int) -> int:
        try:
            depth = int(node.value)
            if 1 <= depth <= 8:
                return depth
        except (TypeError, ValueError):
            pass
        self.fail(node, field, "depth is a whole number from 1 to 8")
        return default


def parse_taxonomies(text: str, file: str = "taxonomy.yaml", default_depth: int = 2) -> TaxonomySet:
    reader = _Reader(file)
    doc = compose(text, file, TaxonomyFileError)
    if not isinstance(doc, yaml.MappingNode):
        raise TaxonomyFileError([SpecProblem(file, 1, "", "expected a mapping with a 'factors' list")])
    factors_node = None
    for knode, vnode in doc.value:
        if knode.value == "factors":
            factors_node = vnode
        elif knode.value != "provenance":
            reader.fail(knode, str(knode.value), "unknown key (expected factors, provenance)")
    result = TaxonomySet()
    if not isinstance(factors_node, yaml.SequenceNode):
        reader.problems.append(SpecProblem(file, 1, "factors", "a list of factors is required"))
    else:
        result.taxonomies = reader.distinct(
            factors_node, "factors", lambda item, field: reader.factor(item, field, default_depth),
            lambda tax: tax.factor, "factor", at_name=True)
    if reader.problems:
        raise TaxonomyFileError(reader.problems)
    return result


def read_taxonomies(path: FsPath, default_depth: int = 2) -> TaxonomySet:
    text = read_text(path, TaxonomyFileError)
    return parse_taxonomies(text, str(path), default_depth)
