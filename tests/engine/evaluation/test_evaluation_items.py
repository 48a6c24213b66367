"""Contracts of eval inputs: a file that cannot be read as items is a DataError naming the file (and line)."""

from __future__ import annotations

import pytest

from seedless.engine.evaluation.items import DataError, load_items


def test_a_text_file_named_parquet_is_not_a_readable_parquet_file(tmp_path):
    path = tmp_path / "data.parquet"
    path.write_text('{"text": "not parquet"}\n')
    with pytest.raises(DataError, match=r"data\.parquet: not a readable Parquet file \(.*magic bytes"):
        load_items(path)


def test_a_jsonl_line_that_is_not_utf8_is_named(tmp_path):
    path = tmp_path / "data.jsonl"
    path.write_bytes(b"".join(b'{"text": "item %d"}\n' % i for i in range(16)) + '{"text": "café"}\n'.encode("latin-1"))
    with pytest.raises(DataError) as err:
        load_items(path)
    assert str(err.value) == f"{path}:17: not UTF-8 text (byte 0xe9 at column 14)"


def test_a_jsonl_line_nested_too_deeply_is_named(tmp_path):
    path = tmp_path / "data.jsonl"
    path.write_text('{"text": "a"}\n{"text": ' + "[" * 100_000 + "]" * 100_000 + "}\n")
    with pytest.raises(DataError, match=r"data\.jsonl:2: JSON nested too deeply"):
        load_items(path)


def test_a_utf8_byte_order_mark_and_multibyte_text_are_read(tmp_path):
    path = tmp_path / "data.jsonl"
    path.write_text('{"id": "a", "text": "naïve café"}\n{"id": "b", "text": "日本"}\n', encoding="utf-8-sig")
    assert [(i.id, i.text) for i in load_items(path)] == [("a", "naïve café"), ("b", "日本")]


def test_without_a_field_selection_a_plain_objects_id_names_it_and_is_not_judged(tmp_path):
    path = tmp_path / "data.jsonl"
    path.write_text('{"id": "q1", "question": "2 + 2?", "answer": 4}\n{"id": "q2", "question": "3 + 5?", "answer": 8}\n')
    assert [(i.id, i.text) for i in load_items(path)] == [("q1", "question: 2 + 2?\nanswer: 4"),
                                                          ("q2", "question: 3 + 5?\nanswer: 8")]
    assert [i.text for i in load_items(path, ["id", "question"])] == ["id: q1\nquestion: 2 + 2?",
                                                                      "id: q2\nquestion: 3 + 5?"]
