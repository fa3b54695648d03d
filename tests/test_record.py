"""Records behave like the dataclasses they replace."""

from __future__ import annotations

import pickle

import pytest

from musicplan.base.diagnostics import Span
from musicplan.base.record import Factory, Record


class Point(Record):
    x: int
    y: int = 0
    tags: list[str] = Factory(list)


class Point3(Point):
    z: int = 5


def test_fields_defaults_and_factories():
    p = Point(1)
    assert (p.x, p.y, p.tags) == (1, 0, [])
    assert Point(1).tags is not p.tags
    assert Point(1, 2, ["a"]) == Point(x=1, y=2, tags=["a"])
    assert Point(1) != Point(2)
    assert repr(Point(1)) == "Point(x=1, y=0, tags=[])"


def test_a_subclass_has_its_own_fields():
    Point(1)  # compiles Point's __init__ first
    assert Point3(1, 2).z == 5 and Point3(1, 2, [], 9).z == 9


def test_wrong_arguments_are_type_errors():
    with pytest.raises(TypeError):
        Point()
    with pytest.raises(TypeError):
        Point(1, colour="red")


def test_records_and_spans_pickle():
    p = Point(1, 2, ["x"])
    assert pickle.loads(pickle.dumps(p)) == p
    span = Span(1, 2, 3, 4)
    assert pickle.loads(pickle.dumps(span)) == span and span.end_column == 4
    assert sorted([Span(2, 1, 2, 2), Span(1, 5, 1, 6)])[0].line == 1
