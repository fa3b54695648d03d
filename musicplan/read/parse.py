"""Text to the lines of a song (the parser builds no tree). Lark's errors become plain-English diagnostics.

A text is first read by the grammar's tables (``read.table_parser``), which
only ever accept; a text they do not accept is read again by Lark, whose error
recovery finds every mistake in one pass, explained here line by line.
"""

from __future__ import annotations

import re

from musicplan.base.diagnostics import Edit, Report, Span
from musicplan.read import repairs, table_parser
from musicplan.read.build import PARTS, LineMaker, SetAsideToken, set_aside_token
from musicplan.read.written import Duration

TYPE_CHECKING = False  # as typing's: true for type checkers; at run time typing is not imported (3 ms)
if TYPE_CHECKING:
    from typing import Any

    from lark.exceptions import UnexpectedInput

_MAKER = LineMaker()
_DURATION_FORMS = "durations look like 0:20, 1:05.5, 20s, 1.25s, 20000ms, 2m, 1m30s or 8 bars"
_WORD = re.compile(r"[^ \t\r\n]*")

# What a terminal is, for the rare message that lists what was expected.
_HUMAN = {
    "_NL": "the end of the line",
    "FIELDS": "a field",
    "STYLE_LINE": "a style line",
    "HEADING_LINE": "a heading",
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


def parse_text(text: str, report: Report) -> list[Any]:
    """Parse a whole song into its lines' model objects, in order (see build).

    One pass, however many mistakes: a line that cannot be parsed is reported,
    set aside (it becomes a ``SetAside`` line, or a heading whose name or
    duration is marked unread) and the parser goes on with the next line."""
    if not text.endswith("\n"):
        text += "\n"
    made: list[Any] | None = table_parser.parse(text, "start", _MAKER)
    if made is not None:
        return made
    # Lark is loaded only for a text with a mistake in it.
    from lark.exceptions import UnexpectedInput

    from musicplan.read.lark_parser import parse

    recovery = _Recovery(text, report)
    try:
        made = parse(text, "start", recovery.resume)
    except UnexpectedInput as exc:  # recovery gave up: nothing after this line can be placed
        recovery.give_up(exc)
        return recovery.lines_so_far
    return made


def _line_of(value: Any) -> int | None:
    """The line a value on the parser's stack starts on (tokens, model objects, partial trees)."""
    if isinstance(value, str):  # a token, Lark's or a stand-in
        line: int | None = getattr(value, "line", None)
        return line
    span = getattr(value, "span", None)
    if span is not None:
        return int(span.line)
    children = getattr(value, "children", None)
    if children:
        return _line_of(children[0])
    return None


class _Recovery:
    """Lark's ``on_error`` hook: report the line, take what the parser had
    shifted of it off its stack, move the lexer to the next line, feed a
    stand-in, go on. Each bad line costs its own length, so recovery is linear."""

    def __init__(self, text: str, report: Report) -> None:
        self.text = text
        self.report = report
        self.lines: list[str] = []  # split on the first mistake only
        self.first_heading = 0  # the first line that starts with `[`, once known
        self.last = 0  # the last line set aside
        # The start of a line at or before the next one set aside (they come in order).
        self.cursor, self.cursor_line = 0, 1
        self.lines_so_far: list[Any] = []

    def split(self) -> None:
        if not self.lines:
            self.lines = self.text.split("\n")
            self.first_heading = next((n for n, line in enumerate(self.lines, 1)
                                       if line.lstrip(" \t").startswith("[")), len(self.lines) + 1)

    def resume(self, exc: UnexpectedInput) -> bool:
        self.split()
        number = _error_line(exc, self.lines)
        token = getattr(exc, "token", None)
        if number <= self.last or (token is not None and token.type == "$END"):
            return False  # no progress to make: give up rather than loop
        self.last = number
        _explain(exc, number, self.lines, number <= self.first_heading, self.report)
        ip = exc.interactive_parser
        state = ip.parser_state
        while state.value_stack and _line_of(state.value_stack[-1]) == number:
            state.value_stack.pop()  # what the parser had taken of the line (a directive's words)
            state.state_stack.pop()
        self._skip_to_next_line(ip.lexer_thread.state, number)
        raw = self.lines[number - 1].rstrip("\r")
        saved = (list(state.state_stack), list(state.value_stack))
        try:
            state.feed_token(self._stand_in(raw, number))  # type: ignore[arg-type]  # Lark reads only its .type
        except UnexpectedInput:  # no stand-in fits here: the line is just skipped
            state.state_stack[:], state.value_stack[:] = saved
        return True

    def _skip_to_next_line(self, lexer_state: Any, number: int) -> None:
        """Put the lexer at the start of line ``number + 1``, wherever the token
        that failed ended (a run of lines lexed as one may have taken several)."""
        while self.cursor_line <= number:
            end = self.text.find("\n", self.cursor)
            if end < 0:
                self.cursor = len(self.text)
                break
            self.cursor, self.cursor_line = end + 1, self.cursor_line + 1
        counter = lexer_state.line_ctr
        counter.char_pos = counter.line_start_pos = self.cursor
        counter.line, counter.column = self.cursor_line, 1

    def _stand_in(self, raw: str, number: int) -> SetAsideToken:
        """A heading stays a heading (so that the lines under it stay section
        lines) with what could be read of it; any other line becomes a
        ``SetAside`` in the place of a comment."""
        stripped = raw.lstrip(" \t")
        column = len(raw) - len(stripped) + 1
        if stripped.startswith("["):
            parts = PARTS.heading_parts(stripped, 0)
            if parts is not None:  # the name was read, what follows it not
                return set_aside_token("HEADING_LINE", stripped[: parts[0]], number, column, "[", False)
            return set_aside_token("HEADING_LINE", stripped, number, column, "[", True)
        first_word = (stripped.split() or [""])[0]
        if stripped.startswith("@"):
            word = first_word
        elif number < self.first_heading and ":" in stripped:
            word = stripped.partition(":")[0].strip(" \t").lower()
        else:
            word = first_word.lower()
        return set_aside_token("COMMENT_LINE", stripped, number, column, word, False)

    def give_up(self, exc: UnexpectedInput) -> None:
        """Report the line, and keep the lines the parser had made before it."""
        self.split()
        number = _error_line(exc, self.lines)
        if number > self.last:
            _explain(exc, number, self.lines, number <= self.first_heading, self.report)
        ip = getattr(exc, "interactive_parser", None)
        if ip is not None:
            _made(ip.parser_state.value_stack, self.lines_so_far)


def _made(values: list[Any], into: list[Any]) -> None:
    for value in values:
        children = getattr(value, "children", None)
        if isinstance(value, list):
            _made(value, into)
        elif isinstance(children, list):
            _made(children, into)
        elif not isinstance(value, str):  # (a token)
            into.append(value)


def parse_duration_value(text: str, line: int, column: int, report: Report) -> Duration | None:
    """Parse a field value that must be a duration, e.g. ``length: 2:30``; the
    result's span is the value's."""
    made = _duration(text)
    if made is None:
        if not _misspelt_duration(text, line, column, report):
            span = Span.at(line, column, len(text))
            report.error("E300", span, f"`{text}` is not a duration", _DURATION_FORMS,
                         repairs.replace(span, repairs.duration(text)))
        return None
    return Duration(made.text, made.kind, Span.at(line, column, len(text)))


def _duration(text: str) -> Duration | None:
    made: Duration | None = table_parser.parse(text, "duration_value", _MAKER)
    return made


_INNER_SPACE = re.compile(r"[ \t]+(?!bars?\b)")


def _misspelt_duration(text: str, line: int, column: int, report: Report) -> bool:
    """An E300 that names the one slip in ``text`` when mending it makes a
    duration (the grammar decides): a space inside it, or a unit in capitals."""
    text = text.rstrip(" \t")
    lowered = text.lower()
    whole = Span.at(line, column, len(text))
    if lowered != text and _duration(lowered) is not None:
        report.error("E300", whole, f"`{text}`: units are written in lower case",
                     f"write `{lowered}`", (Edit(whole, lowered),))
        return True
    space = _INNER_SPACE.search(lowered)
    joined = _INNER_SPACE.sub("", text)
    if space is not None and _duration(joined) is not None:
        report.error("E300", Span.at(line, column + space.start(), len(space.group(0))),
                     f"`{text}` has a space inside: a duration is written without spaces "
                     "(a space may stand only before `bars`)", f"write `{joined}`", (Edit(whole, joined),))
        return True
    return False


def _misfit(raw: str, indent: int) -> int:
    """Where a heading or style line stops fitting the grammar (an offset), as
    Lark would find it reading the line's parts one by one."""
    if raw[indent] == "[":
        parts = PARTS.heading_parts(raw, indent)
        return indent if parts is None else parts[2]
    sign = PARTS.sign.match(raw, indent)
    stop = PARTS.style(raw, sign.end() if sign else indent + 1)[1]
    return len(raw) if stop is None else stop


def _error_line(exc: UnexpectedInput, lines: list[str]) -> int:
    number = getattr(exc, "line", -1)
    if not isinstance(number, int) or number < 1:
        number = len(lines)
    return min(number, len(lines))


def _explain(exc: UnexpectedInput, number: int, lines: list[str], in_header: bool,
             report: Report) -> None:
    raw = lines[number - 1].rstrip("\r") if number - 1 < len(lines) else ""
    column = exc.column if isinstance(exc.column, int) and exc.column > 0 else len(raw) + 1
    stripped = raw.lstrip(" \t")
    indent = len(raw) - len(stripped)
    first = stripped[:1]
    if first in ("[", "+", "-"):
        # Such a line is one token, so Lark stops at its start: the place where
        # it stops fitting comes from splitting it with the grammar's patterns.
        column = _misfit(raw, indent) + 1
    line_span = Span(number, indent + 1, number, max(len(raw), indent) + 1)
    word = _WORD.match(raw, column - 1)
    word_text = word.group(0) if word else ""
    here = Span.at(number, column, len(word_text))

    full = lines[number - 1]
    content = full[:-1] if full.endswith("\r") else full
    if "\r" in content:
        cr = content.find("\r") + 1
        around = content[max(0, cr - 31) : cr + 30]  # the CR and a little on either side, escaped
        shown = around.encode("unicode_escape").decode("ascii")
        report.error("E109", Span.at(number, cr), f"a carriage return (`\\r`) in the middle of a line: `{shown}`",
                     "lines end in LF or CRLF; remove the stray CR character")
        return

    if first == "[":
        _explain_heading(number, raw, column, here, word_text, report)
        return
    if first in "+-":
        _explain_style(number, raw, column, here, report)
        return
    if first == "@":
        if in_header:
            report.error("E102", line_span, "directives belong in a section",
                         "put it under a heading such as `[Verse 1] 0:20`")
        else:
            _explain_directive(number, raw, indent, column, here, word_text, report)
        return
    if in_header:
        if first == ":":
            report.error("E103", line_span, "a field needs a name before its `:`",
                         "write it as `key: value`, e.g. `title: Neon Nights`")
        else:
            report.error("E101", line_span,
                         "lyrics belong in a section: add a heading such as `[Verse 1] 0:20`",
                         "fields are written `key: value`; a lyric line goes after a heading")
        return
    _generic(exc, here, word_text, report)


def _duration_fix(number: int, raw: str) -> tuple[Edit, ...]:
    """The repair of what follows a heading, when it can only mean one duration (``8Bars``, ``20 sec``)."""
    parts = PARTS.heading_parts(raw, raw.index("["))
    if parts is None:
        return ()
    text = raw[parts[0]:].rstrip(" \t")
    start = parts[0] + 1
    return repairs.replace(Span(number, start, number, start + len(text)), repairs.duration(text))


def _explain_heading(number: int, raw: str, column: int, here: Span,
                     word_text: str, report: Report) -> None:
    start = raw.index("[") + 1
    fix = _duration_fix(number, raw)
    if column == start:
        report.error("E104", Span(number, start, number, len(raw) + 1),
                     "this heading has no closing `]`",
                     "write it as `[Name] 0:20`; inside a name write `\\]` for `]`; "
                     "start a lyric with `\\[` to keep a `[`")
        return
    parts = PARTS.heading_parts(raw, start - 1)
    if parts is not None and _misspelt_duration(raw[parts[0]:], number, parts[0] + 1, report):
        return
    if word_text[:1].isdigit():
        report.error("E300", here, f"`{word_text}` is not a duration", _DURATION_FORMS, fix)
        return
    if word_text.startswith("-"):
        report.error("E105", here, "a heading takes one duration, not a range",
                     "write the section's length, e.g. `[Verse] 0:20`; ranges belong to `@source`")
        return
    comment = word_text.startswith("#")  # the same hint as W204 gives a `#` after a style
    report.error("E105", Span(number, column, number, len(raw.rstrip(" \t")) + 1),
                 "only a duration may follow a heading's `]`",
                 "`#` starts a comment only at the start of a line: put the comment on a line of its own"
                 if comment else f"{_DURATION_FORMS}; a comment goes on a line of its own", fix)


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
    # An extra comma is certainly a slip: the fix removes it (a bare `+` has no fix).
    trimmed = raw.rstrip(" \t")
    comma = column if raw[column - 1 : column] == "," else len(trimmed) if trimmed.endswith(",") else 0
    fix = (Edit(Span(number, comma, number, len(trimmed) + 1 if comma == len(trimmed) else comma + 1), ""),) \
        if comma and trimmed[:comma - 1].strip(" \t+-,") else ()
    report.error("E106", Span.at(number, column), "empty style",
                 "remove the extra comma, or write a style between the commas; "
                 "a `+` or `-` line needs at least one style", fix)


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

