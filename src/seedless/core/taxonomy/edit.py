"""Reconcile a user-edited taxonomy with the last one seedless wrote: keep every edit, mark what must be rebuilt."""

from __future__ import annotations

from dataclasses import dataclass, field

from seedless.core.taxonomy.tree import Node, Path, TaxonomySet, name_key


@dataclass
class EditReport:
    """What changed since the last export, and what the rebuild must (not) touch."""

    renamed: list[tuple[Path, Path]] = field(default_factory=list)  # (old path, new path); rebuilt below
    redescribed: list[Path] = field(default_factory=list)  # description changed; rebuilt below
    added: list[Path] = field(default_factory=list)
    deleted: list[Path] = field(default_factory=list)
    emptied: list[Path] = field(default_factory=list)  # children removed by the user: stays a leaf
    depth_changed: list[tuple[str, int, int]] = field(default_factory=list)

    @property
    def frozen(self) -> set[Path]:
        """Leaves the user emptied on purpose: never expanded again."""
        return {tuple(name_key(n) for n in p) for p in self.emptied}

    def any(self) -> bool:
        return any([self.renamed, self.redescribed, self.added, self.deleted, self.emptied, self.depth_changed])

    def lines(self) -> list[str]:
        show = " / ".join
        out = [f"renamed '{show(a)}' -> '{show(b)}': its children are rebuilt" for a, b in self.renamed]
        out += [f"new description for '{show(p)}': its children are rebuilt" for p in self.redescribed]
        out += [f"added '{show(p)}'" for p in self.added]
        out += [f"deleted '{show(p)}'" for p in self.deleted]
        out += [f"emptied '{show(p)}': kept as a leaf" for p in self.emptied]
        out += [f"depth of '{f}' changed {a} -> {b}" for f, a, b in self.depth_changed]
        return out


def _child_keys(node: Node) -> set[str]:
    return {name_key(c.name) for c in node.children}


def _below(node: Node) -> frozenset[tuple[str, ...]]:
    """Everything under a node (paths relative to it, names as keys, descriptions below included):
    equal for two nodes exactly when the user left their subtrees untouched."""
    return frozenset((tuple(name_key(x) for x in p[1:]), n.description) for p, n in node.walk() if len(p) > 1)


def _reconcile(user: Node, base: Node, path: Path, report: EditReport) -> None:
    here = path + (user.name,)
    if user.description != base.description and base.children and _below(user) == _below(base):
        report.redescribed.append(here)
        user.children = []
        return
    if base.children and not user.children:
        report.emptied.append(here)
        return
    base_by_key = {name_key(c.name): c for c in base.children}
    user_keys = _child_keys(user)
    missing = [c for c in base.children if name_key(c.name) not in user_keys]
    for child in user.children:
        match = base_by_key.get(name_key(child.name))
        if match is not None:
            _reconcile(child, match, here, report)
            continue
        old = next((m for m in missing if m.children and _below(m) == _below(child)), None)
        if old is not None:
            missing.remove(old)
            report.renamed.append((here + (old.name,), here + (child.name,)))
            child.children = []
        else:
            report.added.append(here + (child.name,))
    report.deleted.extend(here + (m.name,) for m in missing)


def reconcile(user: TaxonomySet, base: TaxonomySet | None) -> EditReport:
    """Compare `user` (edited in place: stale subtrees are cleared) with `base`, the last export."""
    report = EditReport()
    if base is None:
        return report
    missing = [t for t in base.taxonomies if user.get(t.factor) is None]
    for tax in user.taxonomies:
        old = base.get(tax.factor)
        if old is not None:
            if old.depth != tax.depth:
                report.depth_changed.append((tax.factor, old.depth, tax.depth))
            _reconcile(tax.root, old.root, (), report)
            continue
        renamed = next((m for m in missing if m.root.children and _below(m.root) == _below(tax.root)), None)
        if renamed is not None:
            missing.remove(renamed)
            report.renamed.append(((renamed.factor,), (tax.factor,)))
            tax.root.children = []
        else:
            report.added.append((tax.factor,))
    report.deleted.extend((m.factor,) for m in missing)
    return report
