"""Contracts of the joint pool's sample (engine/evaluation/joint_complexity.py): chosen by the items' texts alone, so
an item is sampled the same way whatever its id, its dataset's name or its place in the file."""

from __future__ import annotations

from seedless.engine.evaluation.items import Item
from seedless.engine.evaluation.joint_complexity import pool_sample, pool_text


def items(texts, prefix="q"):
    return [Item(f"{prefix}{i}", t, {}) for i, t in enumerate(texts)]


def test_the_sample_is_chosen_by_content_not_by_id_or_order():
    texts = [f"item number {i}" for i in range(30)]
    chosen = {i.text for i in pool_sample(items(texts), 10, seed=3)}
    assert len(chosen) == 10
    assert {i.text for i in pool_sample(items(texts[::-1], prefix="other"), 10, seed=3)} == chosen
    assert {i.text for i in pool_sample(items(texts), 10, seed=4)} != chosen  # the seed draws another sample


def test_a_sample_keeps_file_order_and_a_small_dataset_whole():
    texts = [f"item number {i}" for i in range(30)]
    sample = pool_sample(items(texts), 10, seed=0)
    assert [int(i.id[1:]) for i in sample] == sorted(int(i.id[1:]) for i in sample)
    assert pool_sample(items(texts[:5]), 10, seed=0) == items(texts[:5])


def test_an_items_pool_text_ignores_runs_of_whitespace():
    assert pool_text(Item("a", "two  words\n here", {})) == "two words here"
