"""Diagnostics as JSON: `check --format json` writes exactly what
``json.dumps(..., ensure_ascii=False, indent=2)`` would (the report lays it out
itself, without json's pure-Python indenting encoder)."""

from __future__ import annotations

import io
import json

from hypothesis import given
from hypothesis import strategies as st

from musicplan.base.diagnostics import Diagnostic, Edit, Span
from musicplan.cli.report import write_json

_TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=30)  # controls, quotes, surrogates
_NUMBER = st.integers(min_value=-(2**70), max_value=2**70)
_SPAN = st.builds(Span, _NUMBER, _NUMBER, _NUMBER, _NUMBER)
_DIAGNOSTIC = st.builds(
    Diagnostic, _TEXT, _SPAN, st.sampled_from(["error", "warning"]), _TEXT, _TEXT, _TEXT,
    st.lists(st.builds(Edit, _SPAN, _TEXT), max_size=3).map(tuple),
)


def _written(diagnostics: list[Diagnostic]) -> str:
    out = io.StringIO()
    write_json(diagnostics, out)
    return out.getvalue()


@given(st.lists(_DIAGNOSTIC, max_size=4))
def test_the_json_is_what_json_dumps_writes(diagnostics):
    expected = json.dumps([d.to_dict() for d in diagnostics], ensure_ascii=False, indent=2) + "\n"
    assert _written(diagnostics) == expected


def test_no_diagnostics_are_an_empty_list():
    assert _written([]) == "[]\n"
