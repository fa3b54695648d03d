"""Diagnostics for people (text with a source snippet), for tools (JSON) and for GitHub."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from musicplan.base.diagnostics import Diagnostic
from musicplan.base.terminal import escaped_char, paint, printable, use_colour

TYPE_CHECKING = False  # as typing's: true for type checkers; at run time typing is not imported (3 ms)
if TYPE_CHECKING:
    from typing import TextIO

SourceLines = Callable[[str, int], str]  # (path, line number) -> the line's text


SNIPPET_WIDTH = 100  # characters of a long source line shown around the column
_BEFORE = 40  # of which before the column


def snippet(line_text: str, column: int, end_column: int) -> tuple[str, int, int]:
    """The source line as shown under a diagnostic, and where its caret goes
    (0-based start, width). A long line is cut around the column (one of 40 KB
    quoted under each of thousands of diagnostics printed gigabytes); tabs
    show as one space, controls and escape sequences as escapes."""
    start = 0
    end = len(line_text)
    if end <= SNIPPET_WIDTH and line_text.isascii() and line_text.isprintable():
        return _as_is(line_text, column, end_column)
    if end > SNIPPET_WIDTH:
        start = max(0, min(column - 1 - _BEFORE, end - SNIPPET_WIDTH))
        end = start + SNIPPET_WIDTH
    parts = ["…"] if start else []
    offset = len(parts[0]) if parts else 0
    caret = caret_end = None
    for index in range(start, end):
        if index == column - 1:
            caret = offset
        if index == end_column - 1:
            caret_end = offset
        ch = line_text[index]
        shown = " " if ch == "\t" else escaped_char(ch)
        parts.append(shown)
        offset += len(shown)
    if caret is None:
        caret = offset  # the column is past the end (a missing part)
    if caret_end is None or caret_end <= caret:
        caret_end = max(caret + 1, offset if end_column - 1 >= end else caret + 1)
    if end < len(line_text):
        parts.append("…")
    return "".join(parts), caret, caret_end - caret


def _as_is(line_text: str, column: int, end_column: int) -> tuple[str, int, int]:
    """``snippet`` of a short line shown as it is (no tab, no control), without its loop."""
    end = len(line_text)
    caret = column - 1 if 0 <= column - 1 < end else end
    caret_end = end_column - 1 if 0 <= end_column - 1 < end else caret
    if caret_end <= caret:
        caret_end = max(caret + 1, end if end_column - 1 >= end else caret + 1)
    return line_text, caret, caret_end - caret


def format_text(diagnostic: Diagnostic, line_text: str, colour: bool = False) -> str:
    d = diagnostic
    kind = paint(f"{d.severity}[{d.code}]", "1;31" if d.is_error else "1;33", colour)
    head = (f"{paint(f'{printable(d.path)}:{d.span.line}:{d.span.column}:', '1', colour)} {kind} "
            f"{printable(d.message)}")
    number = str(d.span.line)
    gutter = " " * len(number)
    end_column = d.span.end_column if d.span.end_line == d.span.line else len(line_text) + 1
    shown, start, width = snippet(line_text, d.span.column, end_column)
    caret = " " * start + "^" * width
    lines = [
        head,
        f"{paint(gutter + ' |', '1;34', colour)}",
        f"{paint(number + ' |', '1;34', colour)} {shown}",
        f"{paint(gutter + ' |', '1;34', colour)} {paint(caret, '1;31' if d.is_error else '1;33', colour)}",
    ]
    if d.hint:
        lines.append(f"{paint(gutter + ' =', '1;34', colour)} {paint('hint:', '1', colour)} {printable(d.hint)}")
    return "\n".join(lines) + "\n"


def write_text(diagnostics: Iterable[Diagnostic], lines: SourceLines, stream: TextIO) -> None:
    colour = use_colour(stream)
    stream.write("".join([format_text(diagnostic, lines(diagnostic.path, diagnostic.span.line), colour) + "\n"
                          for diagnostic in diagnostics]))


def write_json(diagnostics: Iterable[Diagnostic], stream: TextIO) -> None:
    """``json.dumps([d.to_dict() ...], ensure_ascii=False, indent=2)``, written
    in one piece. Laid out here: json's indenting encoder is pure Python (a
    third of the time of checking the songs, on a thousand warnings), and the
    C string encoder is all it takes (imported alone: json's package costs 1.5
    ms a run). A test holds the two to the same text."""
    out: list[str] = []
    _json_value([d.to_dict() for d in diagnostics], "\n", out)
    out.append("\n")
    stream.write("".join(out))


def _json_value(value: object, newline: str, out: list[str]) -> None:
    """``value`` as json.dumps(indent=2, ensure_ascii=False) writes it, at the
    nesting that ``newline`` (a newline and the indent) stands for."""
    if isinstance(value, str):
        out.append(_json_string(value))
    elif value is None or isinstance(value, (bool, float)):
        import json  # not in a diagnostic today: as json writes them

        out.append(json.dumps(value))
    elif isinstance(value, int):
        out.append(int.__repr__(value))
    elif isinstance(value, (list, tuple)):
        if not value:
            out.append("[]")
            return
        inner = newline + "  "
        out.append("[")
        for index, item in enumerate(value):
            out.append(inner if index == 0 else "," + inner)
            _json_value(item, inner, out)
        out.append(newline + "]")
    elif isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        inner = newline + "  "
        out.append("{")
        for index, (key, item) in enumerate(value.items()):
            out.append((inner if index == 0 else "," + inner) + _json_string(key) + ": ")
            _json_value(item, inner, out)
        out.append(newline + "}")
    else:
        raise TypeError(f"{type(value).__name__} is not written as JSON")


try:
    from _json import encode_basestring as _json_string  # json.encoder's own, in C
except ImportError:  # another Python: json's
    from json.encoder import encode_basestring as _json_string


def _escape_data(text: str) -> str:
    return printable(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def write_github(diagnostics: Iterable[Diagnostic], stream: TextIO) -> None:
    for d in diagnostics:
        stream.write(
            f"::{d.severity} file={_escape_property(d.path)},line={d.span.line},"
            f"col={d.span.column},title={_escape_property(d.code)}::{_escape_data(d.message)}\n"
        )


def summary(files: int, errors: int, warnings: int, unreadable: int = 0) -> str:
    def count(n: int, word: str) -> str:
        return f"{n} {word}{'' if n == 1 else 's'}"

    checked = count(files, "file")
    found = f"{count(errors, 'error')}, {count(warnings, 'warning')}" if errors or warnings else "no problems"
    if unreadable:
        found += f"; {count(unreadable, 'file')} could not be read"
    return f"checked {checked}: {found}"
