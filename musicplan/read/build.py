"""Parse to song model: unescaping, trimming and positions, nothing more.

``LineMaker`` runs inside the LALR parser (Lark's inline transformer): each
line becomes its model object the moment the parser reduces it, so no parse
tree is ever built (a large song's tree took most of its memory). ``build``
then assembles the lines in order into a header and sections, which is where
context matters: an indented line continues a field, or is a lyric.
"""

from __future__ import annotations

import re
from typing import Any, cast

from lark import Token, Transformer

from musicplan.base.diagnostics import Report, Span
from musicplan.base.record import Record
from musicplan.read.written import (
    Adherence,
    Blank,
    Comment,
    Condition,
    Continuation,
    Duration,
    Field,
    Heading,
    Line,
    Lyric,
    Repeat,
    Section,
    SetAside,
    SongModel,
    Source,
    StyleItem,
    StyleLine,
    TimeRange,
    UnknownDirective,
)

_WS = " \t"
_LINE_END = " \t\r\n"
_FIELD_LIKE = re.compile(r"[^#+\-\[@\\:][^:]*:")
_DURATION_KINDS = {
    "CLOCK": "clock",
    "SECONDS": "seconds",
    "MILLIS": "millis",
    "MINUTES": "minutes",
    "MINSEC": "minsec",
    "BARS": "bars",
    "NUMBER": "number",
}


def at(token: Token) -> tuple[int, int]:
    """A lexed token's line and column. Lark types its positions as optional
    (a token made by hand has none); every token its lexer makes has them."""
    return cast(int, token.line), cast(int, token.column)


def span_of(token: Token) -> Span:
    line, column = at(token)
    return Span(line, column, cast(int, token.end_line), cast(int, token.end_column))


def _trimmed_span(token: Token) -> Span:
    """The token's span without trailing whitespace (line tokens run to the end of the line)."""
    trimmed = str(token).rstrip(_LINE_END)
    line, column = at(token)
    return Span(line, column, line, column + len(trimmed))


def _unescape(raw: str, specials: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(raw):
        ch = raw[i]
        if ch == "\\" and i + 1 < len(raw) and raw[i + 1] in specials:
            out.append(raw[i + 1])
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def unescape_name(raw: str) -> str:
    """A heading's name: ``\\]`` and ``\\\\`` are the escapes."""
    return _unescape(raw, "]\\") if "\\" in raw else raw


def unescape_quoted(raw: str) -> str:
    """The text inside a quoted style: ``\\"`` and ``\\\\`` are the escapes."""
    return _unescape(raw, '"\\') if "\\" in raw else raw


class Indented(Record):
    """An indented text line, before ``build`` knows whether it continues a
    field, is a field of its own, or (in a section) is a lyric."""

    text: str  # stripped, escapes not yet taken
    span: Span
    column: int


class LoneEscape(Record):
    """A lyric line that is just a backslash: an error, reported by ``build``."""

    span: Span


class SetAsideToken(Token):
    """What recovery feeds the parser in place of a line it set aside: a
    ``COMMENT`` (any line) or a ``HEADING`` (a heading, so that the lines
    under it stay section lines). ``build`` turns it into the model's marker."""

    word: str
    name_unread: bool


def set_aside_token(kind: str, raw: str, number: int, column: int, word: str,
                    name_unread: bool) -> SetAsideToken:
    token = SetAsideToken(kind, raw, None, number, column, number, column + len(raw))
    token.word = word
    token.name_unread = name_unread
    return token


class LineMaker(Transformer):
    """Grammar rule -> model object, called by the parser as it reduces."""

    # ---- durations and ranges
    def duration(self, children: list[Token]) -> Duration:
        token = children[0]
        return Duration(str(token), _DURATION_KINDS[token.type], span_of(token))

    def range(self, children: list[Any]) -> TimeRange:
        return TimeRange(children[0], children[-1])

    def duration_value(self, children: list[Duration]) -> Duration:
        return children[0]

    # ---- lines
    def field(self, children: list[Token]) -> Field:
        key = children[0]
        raw_key = str(key).rstrip(_WS)
        line, column = at(key)
        key_span = Span(line, column, line, column + len(raw_key))
        value_token = children[1] if len(children) > 1 else None
        if value_token is not None:
            value = str(value_token).rstrip(_LINE_END)
            value_span = _trimmed_span(value_token)
        else:
            value = ""
            end = cast(int, key.end_column) + 1  # just past the colon
            value_span = Span(line, end, line, end)
        return Field(raw_key.lower(), raw_key, value, key_span, value_span)

    def cont(self, children: list[Token]) -> Indented:
        token = children[0]
        raw = str(token).rstrip("\r")
        stripped = raw.strip(_WS)
        line, start = at(token)
        column = start + (len(raw) - len(raw.lstrip(_WS)))
        return Indented(stripped, Span(line, column, line, column + len(stripped)), column)

    def comment(self, children: list[Token]) -> Comment | SetAside:
        token = children[0]
        if isinstance(token, SetAsideToken):
            return SetAside(token.word, span_of(token))
        return Comment(str(token).rstrip(_LINE_END), _trimmed_span(token))

    def blank(self, children: list[Token]) -> Blank:
        return Blank(at(children[0])[0])

    def _style(self, children: list[Token], positive: bool) -> StyleLine:
        sign = children[0]
        items = [_item(token) for token in children[1:]]
        end = items[-1].span if items else span_of(sign)
        return StyleLine(positive, items, span_of(sign).to(end))

    def positive_style(self, children: list[Any]) -> StyleLine:
        return self._style(children, True)

    def negative_style(self, children: list[Any]) -> StyleLine:
        return self._style(children, False)

    def heading(self, children: list[Any]) -> Heading:
        token = children[0]
        if isinstance(token, SetAsideToken):
            if token.name_unread:
                return Heading(str(token), "", span_of(token), None, True, True)
            raw = str(token).rstrip(_WS)[1:-1]
            return Heading(raw, unescape_name(raw.strip(_WS)), _trimmed_span(token), None, False, True)
        raw = str(token).rstrip(_WS)[1:-1]  # the token takes the spaces after `]`
        duration = children[1] if len(children) > 1 else None
        return Heading(raw, unescape_name(raw.strip(_WS)), _trimmed_span(token), duration)

    def lyric(self, children: list[Token]) -> Lyric | LoneEscape:
        token = children[0]
        text = str(token).rstrip(_LINE_END)
        line, column = at(token)
        return lyric_of(text, Span(line, column, line, column + len(text)), column)

    # ---- directives
    def repeat(self, children: list[Token]) -> Repeat:
        keyword, name = children
        name_span = _trimmed_span(name)
        return Repeat(str(name).rstrip(_LINE_END), span_of(keyword).to(name_span), name_span)

    def source(self, children: list[Any]) -> Source:
        keyword, song_id = children[0], children[1]
        ranges = [child for child in children if isinstance(child, TimeRange)]
        return Source(str(song_id), span_of(song_id), ranges[0], ranges[1:], span_of(keyword).to(ranges[-1].span))

    def adherence(self, children: list[Token]) -> Adherence:
        keyword, level = children
        return Adherence(str(level), span_of(level), span_of(keyword).to(span_of(level)))

    def condition(self, children: list[Any]) -> Condition:
        keyword, song_id, time_range = children[0], children[1], children[2]
        strength = children[4] if len(children) > 4 else None
        end = span_of(strength) if strength is not None else time_range.span
        return Condition(str(song_id), span_of(song_id), time_range,
                         str(strength) if strength is not None else None,
                         span_of(strength) if strength is not None else None, span_of(keyword).to(end))

    def unknown_directive(self, children: list[Token]) -> UnknownDirective:
        return UnknownDirective(str(children[0]), span_of(children[0]))

    def start(self, children: list[Any]) -> list[Any]:
        return children


def _item(token: Token) -> StyleItem:
    if token.type == "QUOTED":
        return StyleItem(unescape_quoted(str(token)[1:-1]), span_of(token), True)
    return StyleItem(str(token).rstrip(_LINE_END), _trimmed_span(token), False)


def lyric_of(stripped: str, span: Span, column: int) -> Lyric | LoneEscape:
    """A lyric from its stripped text: a backslash at the start takes the next character literally."""
    if not stripped.startswith("\\"):
        return Lyric(stripped, span, column, False)
    if len(stripped) == 1:
        return LoneEscape(span)
    return Lyric(stripped[1:], span, column + 1, True)


class _Assembler:
    def __init__(self, path: str, report: Report) -> None:
        self.song = SongModel(path)
        self.report = report
        self.section: Section | None = None
        # The field that an indented line would continue; comments keep it open.
        self.open_field: Field | None = None

    def add(self, line: Line) -> None:
        if self.section is None:
            self.song.header.append(line)
        else:
            self.section.lines.append(line)

    def lone_escape(self, line: LoneEscape) -> Lyric:
        self.report.error("E112", line.span, "a lone `\\` escapes nothing",
                          "write `\\\\` for a line that is a backslash, or remove it")
        return Lyric("\\", line.span, line.span.column, True)

    def indented(self, line: Indented) -> None:
        if self.section is not None:
            made = lyric_of(line.text, line.span, line.column)
            self.add(self.lone_escape(made) if isinstance(made, LoneEscape) else made)
            return
        if self.open_field is None and _FIELD_LIKE.match(line.text):
            # Nothing to continue: an indented `key: value` is just a field.
            self.add_field(_indented_field(line))
            return
        made = lyric_of(line.text, line.span, line.column)
        if isinstance(made, LoneEscape):
            made = self.lone_escape(made)
        continuation = Continuation(made.text, line.span)
        if self.open_field is not None:
            self.open_field.continuation.append(continuation)
        self.add(continuation)

    def add_field(self, field: Field) -> None:
        self.add(field)
        self.open_field = field

    def build(self, lines: list[Any]) -> SongModel:
        for line in lines:
            if isinstance(line, Heading):
                self.open_field = None
                self.section = Section(line)
                self.song.sections.append(self.section)
            elif isinstance(line, Field):
                self.add_field(line)
            elif isinstance(line, Indented):
                self.indented(line)
            elif isinstance(line, LoneEscape):
                self.add(self.lone_escape(line))
            else:
                if isinstance(line, (Blank, StyleLine)):
                    self.open_field = None
                self.add(line)
        return self.song


def _indented_field(line: Indented) -> Field:
    stripped, column, number = line.text, line.column, line.span.line
    raw_key, _, rest = stripped.partition(":")
    raw_key = raw_key.rstrip(_WS)
    value = rest.strip(_WS)
    value_column = column + len(stripped) - len(rest) + (len(rest) - len(rest.lstrip(_WS)))
    key_span = Span(number, column, number, column + len(raw_key))
    value_span = Span(number, value_column, number, value_column + len(value))
    return Field(raw_key.lower(), raw_key, value, key_span, value_span)


def build(lines: list[Any], path: str, report: Report) -> SongModel:
    """The song model from the parser's lines, in order."""
    return _Assembler(path, report).build(lines)
