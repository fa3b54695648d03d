"""Parse tree to song model: unescaping, trimming and positions, nothing more."""

from __future__ import annotations

import re

from lark import Token, Tree

from .diagnostics import Report, Span
from .model import (
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


def span_of(token: Token) -> Span:
    return Span(token.line, token.column, token.end_line, token.end_column)


def _trimmed_span(token: Token) -> Span:
    """The token's span without trailing whitespace (line tokens run to the end of the line)."""
    value = str(token)
    trimmed = value.rstrip(_LINE_END)
    return Span(token.line, token.column, token.line, token.column + len(trimmed))


def unescape_name(raw: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(raw):
        ch = raw[i]
        if ch == "\\" and i + 1 < len(raw) and raw[i + 1] in "]\\":
            out.append(raw[i + 1])
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def unescape_quoted(raw: str) -> str:
    """The text inside a quoted style: ``\\"`` and ``\\\\`` are the escapes."""
    out: list[str] = []
    i = 0
    while i < len(raw):
        ch = raw[i]
        if ch == "\\" and i + 1 < len(raw) and raw[i + 1] in '"\\':
            out.append(raw[i + 1])
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def duration(tree: Tree) -> Duration:
    token = tree.children[0]
    return Duration(str(token), _DURATION_KINDS[token.type], span_of(token))


def _range(tree: Tree) -> TimeRange:
    first, second = (child for child in tree.children if isinstance(child, Tree))
    return TimeRange(duration(first), duration(second))


class _Builder:
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

    def build(self, tree: Tree) -> SongModel:
        for node in tree.children:
            getattr(self, node.data)(node)
        return self.song

    # ---- header and shared lines
    def field(self, node: Tree) -> None:
        key = node.children[0]
        raw_key = str(key).rstrip(_WS)
        key_span = Span(key.line, key.column, key.line, key.column + len(raw_key))
        if len(node.children) > 1:
            value_token = node.children[1]
            value = str(value_token).rstrip(_LINE_END)
            value_span = _trimmed_span(value_token)
        else:
            value = ""
            # Point just past the colon when there is no value.
            end = key.end_column + 1
            value_span = Span(key.line, end, key.line, end)
        made = Field(raw_key.lower(), raw_key, value, key_span, value_span)
        self.add(made)
        self.open_field = made

    def cont(self, node: Tree) -> None:
        token = node.children[0]
        raw = str(token).rstrip("\r")
        stripped = raw.strip(_WS)
        column = token.column + (len(raw) - len(raw.lstrip(_WS)))
        span = Span(token.line, column, token.line, column + len(stripped))
        if self.section is not None:
            self._lyric(stripped, span, column)
            return
        if self.open_field is None and _FIELD_LIKE.match(stripped):
            # Nothing to continue: an indented `key: value` is just a field.
            self._indented_field(stripped, token.line, column)
            return
        text = self._unescape_line(stripped, span)
        made = Continuation(text, span)
        if self.open_field is not None:
            self.open_field.continuation.append(made)
        self.add(made)

    def _indented_field(self, stripped: str, line: int, column: int) -> None:
        raw_key, _, rest = stripped.partition(":")
        raw_key = raw_key.rstrip(_WS)
        value = rest.strip(_WS)
        value_column = column + len(stripped) - len(rest) + (len(rest) - len(rest.lstrip(_WS)))
        key_span = Span(line, column, line, column + len(raw_key))
        value_span = Span(line, value_column, line, value_column + len(value))
        made = Field(raw_key.lower(), raw_key, value, key_span, value_span)
        self.add(made)
        self.open_field = made

    def comment(self, node: Tree) -> None:
        token = node.children[0]
        self.add(Comment(str(token).rstrip(_WS + "\r"), _trimmed_span(token)))

    def blank(self, node: Tree) -> None:
        self.open_field = None
        self.add(Blank(node.children[0].line))

    def _style(self, node: Tree, positive: bool) -> None:
        self.open_field = None
        sign = node.children[0]
        items: list[StyleItem] = []
        for item in node.children[1:]:
            token = item.children[0]
            if token.type == "QUOTED":
                text = unescape_quoted(str(token)[1:-1])
                items.append(StyleItem(text, span_of(token), True))
            else:
                text = str(token).rstrip(_WS + "\r")
                items.append(StyleItem(text, _trimmed_span(token), False))
        end = items[-1].span if items else span_of(sign)
        self.add(StyleLine(positive, items, span_of(sign).to(end)))

    def positive_style(self, node: Tree) -> None:
        self._style(node, True)

    def negative_style(self, node: Tree) -> None:
        self._style(node, False)

    # ---- sections
    def heading(self, node: Tree) -> None:
        self.open_field = None
        token = node.children[0]
        raw = str(token)[1:-1]
        name = unescape_name(raw.strip(_WS))
        dur = duration(node.children[1]) if len(node.children) > 1 else None
        self.section = Section(Heading(raw, name, span_of(token), dur))
        self.song.sections.append(self.section)

    def lyric(self, node: Tree) -> None:
        token = node.children[0]
        text = str(token).rstrip(_LINE_END)
        span = Span(token.line, token.column, token.line, token.column + len(text))
        self._lyric(text, span, token.column)

    def _lyric(self, stripped: str, span: Span, column: int) -> None:
        escaped = stripped.startswith("\\")
        text = self._unescape_line(stripped, span)
        self.add(Lyric(text, span, column + (1 if escaped else 0), escaped))

    def _unescape_line(self, stripped: str, span: Span) -> str:
        if not stripped.startswith("\\"):
            return stripped
        if len(stripped) == 1:
            self.report.error(
                "E112", span, "a lone `\\` escapes nothing",
                "write `\\\\` for a line that is a backslash, or remove it",
            )
            return stripped
        return stripped[1:]

    def repeat(self, node: Tree) -> None:
        keyword, name = node.children
        name_text = str(name).rstrip(_WS + "\r")
        name_span = _trimmed_span(name)
        self.add(Repeat(name_text, span_of(keyword).to(name_span), name_span))

    def source(self, node: Tree) -> None:
        keyword, song_id = node.children[0], node.children[1]
        ranges = [_range(child) for child in node.children if isinstance(child, Tree)]
        end = ranges[-1].span
        self.add(Source(str(song_id), span_of(song_id), ranges[0], ranges[1:],
                        span_of(keyword).to(end)))

    def adherence(self, node: Tree) -> None:
        keyword, level = node.children
        self.add(Adherence(str(level), span_of(level), span_of(keyword).to(span_of(level))))

    def condition(self, node: Tree) -> None:
        keyword, song_id = node.children[0], node.children[1]
        time_range = _range(node.children[2])
        strength = node.children[4] if len(node.children) > 4 else None
        end = span_of(strength) if strength is not None else time_range.span
        self.add(Condition(
            str(song_id), span_of(song_id), time_range,
            str(strength) if strength is not None else None,
            span_of(strength) if strength is not None else None,
            span_of(keyword).to(end),
        ))

    def unknown_directive(self, node: Tree) -> None:
        token = node.children[0]
        self.add(UnknownDirective(str(token), span_of(token)))


def build(tree: Tree, path: str, report: Report) -> SongModel:
    return _Builder(path, report).build(tree)
