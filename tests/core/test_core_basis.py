"""Contracts of core/basis.py: the basis of an artifact depends on its material's content, not on key order."""

from __future__ import annotations

from seedless.core.basis import basis


def test_equal_material_gives_the_same_short_basis_whatever_the_key_order():
    a = basis({"description": "d", "seed": 1, "models": {"x": "fake:a"}})
    assert a == basis({"models": {"x": "fake:a"}, "seed": 1, "description": "d"}) and len(a) == 16


def test_any_change_of_the_material_changes_the_basis():
    assert basis({"seed": 1}) != basis({"seed": 2}) != basis({"seed": "2", "x": None})
