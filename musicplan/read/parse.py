"""Text to the lines of a song (the parser builds no tree). Lark's errors become plain-English diagnostics."""

from __future__ import annotations

import re
from typing import Any

from lark.exceptions import UnexpectedInput

from musicplan.base.diagnostics import Report, Span
from musicplan.read.lark_parser import parse
from musicplan.read.written import Duration

_MAX_SYNTAX_ERRORS = 20
_DURATION_FORMS = "durations look like 0:20, 1:05.5, 20s, 1.25s, 20000ms, 2m, 1m30s or 8 bars"
_WORD = re.compile(r"[^ \t\r\n]*")

# What a terminal is, for the rare message that lists what was expected.
_HUMAN = {
    "_NL": "the end of the line",
    "KEY": "a field",
    "VALUE": "a value",
    "_COMMA": "`,`",
    "_COLON": "`:`",
    "ITEM": "a style",
    "QUOTED": "a quoted style",
    "WORD": "a word",
    "MINUS": "`-`",
    "EXCEPT": "`except`",
    "STRENGTH": "`strength`",
    "CLOCK": "a duration",
    "SECONDS": "a duration",
    "MILLIS": "a duration",
    "MINUTES": "a duration",
    "MINSEC": "a duration",
    "BARS": "a duration",
    "NUMBER": "a duration",
}

_DIRECTIVE_USAGE = {
    "@repeat": ("@repeat NAME", "@repeat Chorus"),
    "@source": ("@source SONG_ID RANGE [except RANGE, ...]", "@source abc123 0:10-0:30"),
    "@adherence": ("@adherence low|medium|high", "@adherence high"),
    "@condition": ("@condition SONG_ID RANGE [strength low|medium|high|xhigh]",
                   "@condition abc123 0:00-0:20 strength high"),
}


def parse_text(text: str, report: Report) -> list[Any] | None:
    """Parse a whole song into its lines' model objects, in order (see builder).
    Syntax errors are reported (several per file, each offending line set aside
    and the parse retried) and give None."""
    if not text.endswith("\n"):
        text += "\n"
    lines: list[str] = []
    failed = False
    seen: set[int] = set()
    for _ in range(_MAX_SYNTAX_ERRORS):
        try:
            lines_made: list[Any] = parse(text, "start")
        except UnexpectedInput as exc:
            failed = True
            lines = lines or text.split("\n")  # only a failed parse needs the lines
            number = _error_line(exc, lines)
            if number in seen:
                # The stand-in line failed too; nothing more can be learnt.
                break
            seen.add(number)
            _explain(exc, number, lines, report)
            lines[number - 1] = _stand_in(lines[number - 1])
            text = "\n".join(lines)
            continue
        return None if failed else lines_made
    return None


def parse_duration_value(text: str, line: int, column: int, report: Report) -> Duration | None:
    """Parse a field value that must be a duration, e.g. ``length: 2:30``; the
    result's span is the value's."""
    try:
        made: Duration = parse(text, "duration_value")
    except UnexpectedInput:
        report.error(
            "E300",
            Span.at(line, column, len(text)),
            f"`{text}` is not a duration",
            _DURATION_FORMS,
        )
        return None
    return Duration(made.text, made.kind, Span.at(line, column, len(text)))


def _error_line(exc: UnexpectedInput, lines: list[str]) -> int:
    number = getattr(exc, "line", -1)
    if not isinstance(number, int) or number < 1:
        number = len(lines)
    return min(number, len(lines))


def _stand_in(line: str) -> str:
    # A broken heading stays a heading so the lines under it stay lyrics.
    return "[?]" if line.lstrip(" \t").startswith("[") else "#"


def _in_header(number: int, lines: list[str]) -> bool:
    return not any(line.lstrip(" \t").startswith("[") for line in lines[: number - 1])


def _explain(exc: UnexpectedInput, number: int, lines: list[str], report: Report) -> None:
    raw = lines[number - 1].rstrip("\r") if number - 1 < len(lines) else ""
    column = exc.column if isinstance(exc.column, int) and exc.column > 0 else len(raw) + 1
    stripped = raw.lstrip(" \t")
    indent = len(raw) - len(stripped)
    first = stripped[:1]
    line_span = Span(number, indent + 1, number, max(len(raw), indent) + 1)
    word = _WORD.match(raw, column - 1)
    word_text = word.group(0) if word else ""
    here = Span.at(number, column, len(word_text))

    full = lines[number - 1]
    content = full[:-1] if full.endswith("\r") else full
    if "\r" in content:
        cr = content.find("\r") + 1
        report.error("E109", Span.at(number, cr), "a carriage return in the middle of a line",
                     "lines end in LF or CRLF; remove the stray CR character")
        return

    if first == "[":
        _explain_heading(number, raw, column, here, word_text, report)
        return
    if first in "+-":
        _explain_style(number, raw, column, here, report)
        return
    if first == "@":
        if _in_header(number, lines):
            report.error("E102", line_span, "directives belong in a section",
                         "put it under a heading such as `[Verse 1] 0:20`")
        else:
            _explain_directive(number, raw, indent, column, here, word_text, report)
        return
    if _in_header(number, lines):
        if first == ":":
            report.error("E103", line_span, "a field needs a name before its `:`",
                         "write it as `key: value`, e.g. `title: Neon Nights`")
        else:
            report.error("E101", line_span,
                         "lyrics belong in a section: add a heading such as `[Verse 1] 0:20`",
                         "fields are written `key: value`; a lyric line goes after a heading")
        return
    _generic(exc, here, word_text, report)


def _explain_heading(number: int, raw: str, column: int, here: Span,
                     word_text: str, report: Report) -> None:
    start = raw.index("[") + 1
    if column == start:
        report.error("E104", Span(number, start, number, len(raw) + 1),
                     "this heading has no closing `]`",
                     "write it as `[Name] 0:20`; inside a name write `\\]` for `]`; "
                     "start a lyric with `\\[` to keep a `[`")
        return
    if word_text[:1].isdigit():
        report.error("E300", here, f"`{word_text}` is not a duration", _DURATION_FORMS)
        return
    if word_text.startswith("-"):
        report.error("E105", here, "a heading takes one duration, not a range",
                     "write the section's length, e.g. `[Verse] 0:20`; ranges belong to `@source`")
        return
    report.error("E105", Span(number, column, number, len(raw.rstrip(" \t")) + 1),
                 "only a duration may follow a heading's `]`",
                 f"{_DURATION_FORMS}; a comment goes on a line of its own")


def _explain_style(number: int, raw: str, column: int, here: Span,
                   report: Report) -> None:
    at = raw[column - 1 : column]
    before = raw[: column - 1].rstrip(" \t")
    if at == '"':
        report.error("E107", Span(number, column, number, len(raw) + 1),
                     "this quoted style has no closing `\"`",
                     'close the quote, or write `\\"` for a quote inside it')
        return
    if at not in ("", ",") and before.endswith('"'):
        report.error("E108", here, "only whitespace may follow a quoted style before the next `,`",
                     'put the whole style inside the quotes, e.g. `"big, layered" vocals` '
                     'becomes `"big, layered vocals"`')
        return
    report.error("E106", Span.at(number, column), "empty style",
                 "remove the extra comma, or write a style between the commas; "
                 "a `+` or `-` line needs at least one style")


def _explain_directive(number: int, raw: str, indent: int, column: int, here: Span,
                       word_text: str, report: Report) -> None:
    found = _WORD.match(raw, indent)
    name = found.group(0) if found else ""
    usage, example = _DIRECTIVE_USAGE.get(name, ("", ""))
    if word_text[:1].isdigit() and not re.fullmatch(r"[\d.:msbar]+", word_text):
        report.error("E300", here, f"`{word_text}` is not a duration", _DURATION_FORMS)
        return
    missing = column > len(raw.rstrip(" \t"))
    what = "is incomplete" if missing else "is not written right"
    span = Span.at(number, column) if missing else here
    hint = f"for example `{example}`"
    if "RANGE" in usage:
        hint += "; a range is two durations joined by `-`, e.g. 0:10-0:30"
    report.error("E110", span, f"`{name}` {what}: it takes `{usage}`", hint)


def _generic(exc: UnexpectedInput, here: Span, word_text: str, report: Report) -> None:
    expected = sorted({_HUMAN.get(name, "") for name in getattr(exc, "expected", ()) or ()} - {""})
    hint = f"expected {' or '.join(expected)}" if expected else "check the line against docs/language.md"
    shown = word_text or "this"
    report.error("E100", here, f"unexpected `{shown}`", hint)

