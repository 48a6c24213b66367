"""Contracts of the eval replies' narrowing: the whole-taxonomy assignment names a listed path (an enum) or, for a
tree too large to enumerate, a bounded string; schema and validation of the narrowed reply agree; the numeric slip
that replaces a corruption repeating a numeric answer."""

from __future__ import annotations

import pytest

from conftest import schema_agrees
from seedless.core.eval_replies import NONE_OF_THESE, PathAssignmentsReply


def _path_schema(reply: type[PathAssignmentsReply]) -> dict:
    return reply.json_schema()["properties"]["assignments"]["items"]["properties"]["path"]


def test_tree_assignment_paths_are_an_enum_with_none_of_these_or_a_bounded_string():
    listed = PathAssignmentsReply.bounded(count=2, paths=("A", "A > B"))
    assert _path_schema(listed)["enum"] == ["A", "A > B", NONE_OF_THESE]
    assert listed.json_schema()["properties"]["assignments"]["minItems"] == 2
    free = PathAssignmentsReply.bounded(count=2, paths=(), max_chars=30)
    assert _path_schema(free) == {"type": "string", "minLength": 1, "maxLength": 30}


@pytest.mark.parametrize("data", [
    {"assignments": [{"item": 1, "path": "A"}, {"item": 2, "path": NONE_OF_THESE}]},
    {"assignments": [{"item": 1, "path": "A > C"}, {"item": 2, "path": "A"}]},
    {"assignments": [{"item": 3, "path": "A"}, {"item": 2, "path": "A"}]},
    {"assignments": [{"item": 1, "path": "A"}]},
])
def test_a_bounded_tree_assignment_validates_exactly_what_its_schema_allows(data):
    assert schema_agrees(PathAssignmentsReply.bounded(count=2, paths=("A", "A > B")), data)


def test_a_numeric_slip_keeps_the_answers_format_and_is_never_the_answer():
    from seedless.core.eval_replies import numeric_slip, same_answer

    assert [numeric_slip(7, i)[0] for i in range(4)] == [8, 6, 17, 14]
    assert numeric_slip("1421", 2)[0] == "1431" and numeric_slip("0.5", 0)[0] == "1.5"
    assert numeric_slip(0, 3)[0] == 1  # doubling 0 would repeat it
    assert all(not same_answer(numeric_slip(v, i)[0], v) for v in (0, 1, -3, 2.5, "12") for i in range(4))
    assert numeric_slip("two", 0) is None and numeric_slip(True, 0) is None and numeric_slip("-2/25", 0) is None
