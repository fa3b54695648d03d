"""Parse to song model: unescaping, trimming and positions, nothing more.

``LineMaker`` runs inside the LALR parser (Lark's inline transformer): each
line becomes its model object the moment the parser reduces it, so no parse
tree is ever built (a large song's tree took most of its memory). Most lines
reach it as one token; ``PARTS`` splits them with the grammar's own patterns
for their parts (a key, a style, a heading, a duration). ``build`` then
assembles the lines in order into a header and sections, which is where
context matters: an indented line continues a field, or is a lyric.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cached_property, partial
from sys import intern

from musicplan.base.diagnostics import Report, Span
from musicplan.base.record import Record
from musicplan.read import song_tables
from musicplan.read.table_parser import Token
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

TYPE_CHECKING = False  # as typing's: true for type checkers; at run time typing is not imported (3 ms)
if TYPE_CHECKING:
    from typing import Any

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


# Span's own constructor without its Python frame: a song makes one for every line and style.
_span: Callable[[tuple[int, int, int, int]], Span] = partial(tuple.__new__, Span)


def span_of(token: Token) -> Span:
    return Span(token.line, token.column, token.end_line, token.end_column)


def _first_line(text: str) -> str:
    """A line token's own line: without its line end and the blank lines it took along."""
    return text.partition("\n")[0].rstrip("\r")


def _trimmed_span(text: str, line: int, column: int) -> Span:
    """A token's span without trailing whitespace (line tokens run to the end of the line)."""
    return Span(line, column, line, column + len(text.rstrip(_LINE_END)))


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
    token = SetAsideToken(kind, raw, None, number, column, number, column + len(raw), None)
    token.word = word
    token.name_unread = name_unread
    return token


class LineParts:
    """The grammar's patterns for the parts of a line (from its tables), and
    the splitting done with them. Splitting also tells where a line stops
    fitting, for syntax messages."""

    @staticmethod
    def pattern_of(name: str) -> str:
        return song_tables.PATTERNS[name]

    # Compiled when first needed (the tables are data; a stale or missing one
    # must not stop read.generate from importing this module to rewrite it).
    @cached_property
    def field(self) -> re.Pattern[str]:
        """A field's key and its colon."""
        return re.compile(f"({self.pattern_of('KEY')})({self.pattern_of('_COLON')})")

    @cached_property
    def items(self) -> re.Pattern[str]:
        """Each style of an accepted line in one search (a comma or a space cannot start one)."""
        return re.compile(f"(?P<quoted>{self.pattern_of('QUOTED')})|{self.pattern_of('ITEM')}")

    @cached_property
    def heading_line(self) -> re.Pattern[str]:
        """An accepted heading, with its duration's kind."""
        kinds = "|".join(f"(?P<{name}>{self.pattern_of(name)})" for name in _DURATION_KINDS)
        return re.compile(f"(?P<name>{self.pattern_of('HEADING')})(?:{kinds})?")

    # For lines that did not fit (syntax messages).
    @cached_property
    def sign(self) -> re.Pattern[str]:
        return re.compile(f"{self.pattern_of('PLUS')}|{self.pattern_of('MINUS')}")

    @cached_property
    def item(self) -> re.Pattern[str]:
        return re.compile(f"({self.pattern_of('QUOTED')})|{self.pattern_of('ITEM')}")

    @cached_property
    def comma(self) -> re.Pattern[str]:
        return re.compile(self.pattern_of("_COMMA"))

    @cached_property
    def heading(self) -> re.Pattern[str]:
        return re.compile(self.pattern_of("HEADING"))

    @cached_property
    def duration(self) -> re.Pattern[str]:
        return re.compile(self.pattern_of("DURATION"))

    def style(self, text: str, start: int) -> tuple[list[tuple[int, int, bool]], int | None]:
        """The items of a style list that begins at ``start`` (past its sign), as
        (start, end, quoted) offsets, and the offset where the list stops
        fitting the grammar (None when all of ``text`` fits)."""
        items: list[tuple[int, int, bool]] = []
        end = len(text)
        pos = start
        while True:
            item = self.item.match(text, pos)
            if item is None:
                return items, pos
            quoted = item.group(1) is not None
            items.append((item.start(), item.end(), quoted))
            pos = item.end()
            if quoted:
                while pos < end and text[pos] in _WS:
                    pos += 1
            if pos >= end:
                return items, None
            comma = self.comma.match(text, pos)
            if comma is None:
                return items, pos
            pos = comma.end()

    def heading_parts(self, text: str, start: int) -> tuple[int, int, int] | None:
        """A heading at ``start``: where its brackets end (with the spaces
        after them), where its duration ends (the same offset if it has none),
        and where what follows stops fitting (``len(text)`` if it all fits);
        None when the brackets do not close."""
        heading = self.heading.match(text, start)
        if heading is None:
            return None
        duration = self.duration.match(text, heading.end())
        after = duration.end() if duration else heading.end()
        rest = after
        while rest < len(text) and text[rest] in _WS:
            rest += 1
        return heading.end(), after, rest


PARTS = LineParts()


class LineMaker:
    """Grammar rule -> model object, called by the parser as it reduces (the
    table parser, or Lark when it explains a mistake: both find a method by the
    name of the rule or terminal; an inlined ``_rule`` has none)."""

    # ---- durations and ranges
    def duration(self, children: list[Token]) -> Duration:
        token = children[0]
        return Duration(str(token), _DURATION_KINDS[token.type], span_of(token))

    def range(self, children: list[Any]) -> TimeRange:
        return TimeRange(children[0], children[-1])

    def duration_value(self, children: list[Duration]) -> Duration:
        return children[0]

    # ---- lines: each is one token, made into its model object as the parser
    # shifts it. The table parser passes the token's text and where it starts
    # (it makes no token object for a line); Lark passes a token, which
    # ``TokenMaker`` below unpacks.
    def FIELDS(self, text: str, line: int, column: int) -> list[Field]:
        """Fields one after the other: one token, a line each."""
        made = []
        for number, one in enumerate(text.split("\n")[:-1], line):
            if one.strip(_LINE_END):  # (else a blank line that a line end took along)
                made.append(_field(one.rstrip("\r"), number, column))
            column = 1  # the lines after the first start their line (an indented one is CONT_LINE)
        return made

    def CONT_LINE(self, text: str, line: int, start: int) -> Indented:
        raw = _first_line(text)
        stripped = raw.strip(_WS)
        column = start + (len(raw) - len(raw.lstrip(_WS)))
        return Indented(stripped, _span((line, column, line, column + len(stripped))), column)

    def COMMENT_LINE(self, text: str, line: int, column: int) -> Comment | SetAside:
        return Comment(text.rstrip(_LINE_END), _trimmed_span(text, line, column))

    def BLANK(self, text: str, line: int, column: int) -> Blank:
        return Blank(line)

    def STYLE_LINE(self, text: str, line: int, column: int) -> StyleLine:
        text = _first_line(text)
        items = []
        for found in PARTS.items.finditer(text, 1):
            start = column + found.start()
            if found.lastgroup == "quoted":
                items.append(StyleItem(unescape_quoted(found.group()[1:-1]),
                                       _span((line, start, line, column + found.end())), True))
            else:
                # Interned: a song names the same few styles again and again.
                item = intern(found.group().rstrip(_WS))
                items.append(StyleItem(item, _span((line, start, line, start + len(item))), False))
        return StyleLine(text[0] == "+", items, _span((line, column, line, items[-1].span.end_column)))

    def HEADING_LINE(self, text: str, line: int, column: int) -> Heading:
        found = PARTS.heading_line.match(_first_line(text))
        assert found is not None  # the token is a HEADING_LINE, or a stand-in whose brackets close
        raw = found.group("name").rstrip(_WS)
        duration = None
        kind = found.lastgroup
        if kind != "name" and kind is not None:
            duration = Duration(found.group(kind), _DURATION_KINDS[kind],
                                _span((line, column + found.start(kind), line, column + found.end(kind))))
        name_span = _span((line, column, line, column + len(raw)))
        return Heading(raw[1:-1], unescape_name(raw[1:-1].strip(_WS)), name_span, duration, False, False)

    def LYRICS(self, text: str, line: int, column: int) -> list[Lyric | LoneEscape]:
        """Lyric lines one after the other: one token, a line each."""
        made = []
        for number, one in enumerate(text.split("\n")[:-1], line):
            one = one.rstrip(_LINE_END)
            if one:  # (else a blank line that a line end took along)
                made.append(lyric_of(one, _span((number, column, number, column + len(one))), column))
            column = 1
        return made

    # ---- directives
    def repeat(self, children: list[Token]) -> Repeat:
        keyword, name = children
        name_span = _trimmed_span(name, name.line, name.column)
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


def _given_a_token(method: Callable[[LineMaker, str, int, int], Any]) -> Callable[[LineMaker, Token], Any]:
    def made(self: LineMaker, token: Token) -> Any:
        return method(self, str(token), token.line, token.column)

    return made


class TokenMaker(LineMaker):
    """``LineMaker`` as Lark calls it: a line terminal's method is given the
    token, which may be a stand-in that recovery fed in place of a line it set aside."""

    def COMMENT_LINE(self, token: Token) -> Comment | SetAside:  # type: ignore[override]
        if isinstance(token, SetAsideToken):
            return SetAside(token.word, span_of(token))
        return LineMaker.COMMENT_LINE(self, str(token), token.line, token.column)

    def HEADING_LINE(self, token: Token) -> Heading:  # type: ignore[override]
        if not isinstance(token, SetAsideToken):
            return LineMaker.HEADING_LINE(self, str(token), token.line, token.column)
        if token.name_unread:
            return Heading(str(token), "", span_of(token), None, True, True)
        made = LineMaker.HEADING_LINE(self, str(token), token.line, token.column)
        made.duration_unread = made.duration is None  # what followed the name was set aside
        return made


# The other line terminals (LineMaker's methods named in capitals, as the terminals are) unpack the token alone.
for _name, _method in list(vars(LineMaker).items()):
    if _name.isupper() and _name not in vars(TokenMaker):
        setattr(TokenMaker, _name, _given_a_token(_method))


def lyric_of(stripped: str, span: Span, column: int) -> Lyric | LoneEscape:
    """A lyric from its stripped text: a backslash at the start takes the next character literally."""
    if not stripped.startswith("\\"):
        return Lyric(stripped, span, column, False)
    if len(stripped) == 1:
        return LoneEscape(span)
    return Lyric(stripped[1:], span, column + 1, True)


def _field(text: str, line: int, column: int) -> Field:
    """A field line (without its line end), split with the grammar's patterns."""
    found = PARTS.field.match(text)
    assert found is not None  # the token is a FIELD_LINE
    raw_key = found.group(1).rstrip(_WS)
    key_span = _span((line, column, line, column + len(raw_key)))
    value = text[found.end():].rstrip(_WS)
    if value:
        start = column + found.end()
        value_span = _span((line, start, line, start + len(value)))
    else:
        end = column + found.end(1) + 1  # just past the colon
        value_span = _span((line, end, line, end))
    return Field(raw_key.lower(), raw_key, value, key_span, value_span)


class _Assembler:
    def __init__(self, path: str, report: Report) -> None:
        self.song = SongModel(path)
        self.report = report
        self.section: Section | None = None
        # The field that an indented line would continue; comments keep it open.
        self.open_field: Field | None = None
        self.next_line = 1  # the line after the last one added

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

    def blanks_before(self, number: int) -> None:
        """The blank lines between the last line and line ``number``: a line's
        end takes them along (see the grammar), so they are known by the line
        numbers they leave out."""
        if number > self.next_line:
            self.open_field = None  # a blank line ends a continuation
            for blank in range(self.next_line, number):
                self.add(Blank(blank))
        self.next_line = number + 1

    def add_field(self, field: Field) -> None:
        self.add(field)
        self.open_field = field

    def build(self, lines: list[Any]) -> SongModel:
        for line in lines:
            if type(line) is list:  # lines that were one token: fields, or lyrics (most of a song)
                into = self.song.header if self.section is None else self.section.lines
                for one in line:
                    number = one.span[0]
                    if number != self.next_line:
                        self.blanks_before(number)
                    self.next_line = number + 1
                    kind = type(one)
                    if kind is Lyric:
                        into.append(one)
                    elif kind is Field:
                        self.add_field(one)
                    else:
                        self.add(self.lone_escape(one))
                continue
            self.blanks_before(line.line if isinstance(line, Blank) else line.span.line)
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
