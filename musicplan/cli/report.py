"""Diagnostics for people (text with a source snippet), for tools (JSON) and for GitHub."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import TextIO

from musicplan.base.diagnostics import Diagnostic
from musicplan.base.terminal import paint, use_colour

SourceLines = Callable[[str, int], str]  # (path, line number) -> the line's text


def format_text(diagnostic: Diagnostic, line_text: str, colour: bool = False) -> str:
    d = diagnostic
    kind = paint(f"{d.severity}[{d.code}]", "1;31" if d.is_error else "1;33", colour)
    head = f"{paint(f'{d.path}:{d.span.line}:{d.span.column}:', '1', colour)} {kind} {d.message}"
    number = str(d.span.line)
    gutter = " " * len(number)
    # Tabs would shift the caret: show each as one space so columns still line up.
    shown = line_text.replace("\t", " ")
    width = (d.span.end_column - d.span.column) if d.span.end_line == d.span.line else len(shown) - d.span.column + 1
    width = max(1, min(width, max(1, len(shown) - d.span.column + 1)))
    caret = " " * (d.span.column - 1) + "^" * width
    lines = [
        head,
        f"{paint(gutter + ' |', '1;34', colour)}",
        f"{paint(number + ' |', '1;34', colour)} {shown}",
        f"{paint(gutter + ' |', '1;34', colour)} {paint(caret, '1;31' if d.is_error else '1;33', colour)}",
    ]
    if d.hint:
        lines.append(f"{paint(gutter + ' =', '1;34', colour)} {paint('hint:', '1', colour)} {d.hint}")
    return "\n".join(lines) + "\n"


def write_text(diagnostics: Iterable[Diagnostic], lines: SourceLines, stream: TextIO) -> None:
    colour = use_colour(stream)
    for diagnostic in diagnostics:
        stream.write(format_text(diagnostic, lines(diagnostic.path, diagnostic.span.line), colour))
        stream.write("\n")


def write_json(diagnostics: Iterable[Diagnostic], stream: TextIO) -> None:
    stream.write(json.dumps([d.to_dict() for d in diagnostics], ensure_ascii=False, indent=2) + "\n")


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def write_github(diagnostics: Iterable[Diagnostic], stream: TextIO) -> None:
    for d in diagnostics:
        stream.write(
            f"::{d.severity} file={_escape_property(d.path)},line={d.span.line},"
            f"col={d.span.column},title={_escape_property(d.code)}::{_escape_data(d.message)}\n"
        )


def summary(files: int, errors: int, warnings: int) -> str:
    def count(n: int, word: str) -> str:
        return f"{n} {word}{'' if n == 1 else 's'}"

    checked = count(files, "file")
    if not errors and not warnings:
        return f"checked {checked}: no problems"
    return f"checked {checked}: {count(errors, 'error')}, {count(warnings, 'warning')}"
