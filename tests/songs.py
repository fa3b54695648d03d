"""Helpers for tests: compile text, or collect the diagnostics it gets."""

from __future__ import annotations

from typing import Any

import musicplan
from musicplan.base.diagnostics import Diagnostic


def body(text: str, **kwargs: Any) -> dict[str, Any]:
    return musicplan.loads(text, **kwargs).to_body()


def plan(text: str) -> dict[str, Any]:
    return musicplan.loads(text).to_plan()


def sections(text: str) -> list[dict[str, Any]]:
    return plan(text)["sections"]


def diagnostics(text: str) -> list[Diagnostic]:
    return musicplan.check(text, "t.song")


def errors(text: str) -> list[tuple[str, int, int]]:
    """(code, line, column) of every error."""
    return [(d.code, d.span.line, d.span.column) for d in diagnostics(text) if d.is_error]


def warnings(text: str, lints: bool = False, model_unset: bool = False) -> list[tuple[str, int, int]]:
    """(code, line, column) of every warning; the songwriting lints (W1xx) only when asked, and
    W007 (no `model` stated) only when asked: most test songs leave the model out on purpose,
    to keep their line numbers plain, and test_rules checks W007 itself."""
    return [(d.code, d.span.line, d.span.column) for d in diagnostics(text)
            if not d.is_error and (lints or not d.code.startswith("W1"))
            and (model_unset or d.code != "W007")]


def first_error(text: str) -> tuple[str, int, int]:
    found = errors(text)
    assert found, f"expected an error for:\n{text}"
    return found[0]
