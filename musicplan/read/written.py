"""The song model: what a .song file says, line by line, with every position kept.

The model is built by ``read.build`` (or ``read.json_reader``) and read by
``analyse.rules``, ``write.body`` (request JSON) and ``write.text`` (canonical text).
It records what was written; meaning (milliseconds, merged styles) is worked
out later, once the fields it depends on (``bpm``, ``meter``, ``model``) are known.
"""

from __future__ import annotations

from musicplan.base.diagnostics import Span
from musicplan.base.record import Factory, Record


class Duration(Record):
    text: str
    kind: str  # clock | seconds | millis | minutes | minsec | bars | number
    span: Span


class TimeRange(Record):
    start: Duration
    end: Duration

    @property
    def span(self) -> Span:
        return self.start.span.to(self.end.span)


class Continuation(Record):
    text: str
    span: Span


class Field(Record):
    key: str  # lower case
    raw_key: str
    value: str  # the first line's value, stripped
    key_span: Span
    value_span: Span
    continuation: list[Continuation] = Factory(list)

    @property
    def span(self) -> Span:
        return self.key_span.to(self.value_span)

    @property
    def full_value(self) -> str:
        parts = ([self.value] if self.value else []) + [c.text for c in self.continuation]
        return "\n".join(parts)


class StyleItem(Record):
    text: str
    span: Span
    quoted: bool


class StyleLine(Record):
    positive: bool
    items: list[StyleItem]
    span: Span


class Lyric(Record):
    text: str
    span: Span
    content_column: int  # file column of the lyric's first character
    escaped: bool


class Comment(Record):
    text: str
    span: Span


class Blank(Record):
    line: int


class Repeat(Record):
    name: str
    span: Span
    name_span: Span


class Source(Record):
    song_id: str
    id_span: Span
    range: TimeRange
    excepts: list[TimeRange]
    span: Span


class Adherence(Record):
    level: str
    level_span: Span
    span: Span


class Condition(Record):
    song_id: str
    id_span: Span
    range: TimeRange
    strength: str | None
    strength_span: Span | None
    span: Span


class UnknownDirective(Record):
    name: str
    span: Span


class SetAside(Record):
    """A line that could not be parsed: reported once, then kept out of the
    rules. ``word`` is what it began as (a field's key in lower case, a
    directive's name, else its first word), so that rules which depend on
    such a line (bars on an unreadable ``bpm``) stay silent rather than report
    a mere consequence (song-format.md, "Every problem in one run")."""

    word: str
    span: Span


Directive = Repeat | Source | Adherence | Condition | UnknownDirective
Line = Field | Continuation | StyleLine | Lyric | Comment | Blank | Directive | SetAside


class Heading(Record):
    raw_name: str  # between the brackets, as written
    name: str  # trimmed and unescaped
    span: Span  # the bracketed name
    duration: Duration | None
    # Set aside by the parser (or a JSON value of the wrong shape): the name
    # (then ``raw_name`` is the whole line) or the duration could not be read.
    name_unread: bool = False
    duration_unread: bool = False


class Section(Record):
    heading: Heading
    lines: list[Line] = Factory(list)

    @property
    def name(self) -> str:
        return self.heading.name

    def of(self, kind: type) -> list:
        return [line for line in self.lines if isinstance(line, kind)]

    @property
    def styles(self) -> list[StyleLine]:
        return self.of(StyleLine)

    @property
    def lyrics(self) -> list[Lyric]:
        return self.of(Lyric)

    @property
    def directives(self) -> list[Directive]:
        return [line for line in self.lines
                if isinstance(line, (Repeat, Source, Adherence, Condition, UnknownDirective))]


class SongModel(Record):
    path: str
    header: list[Line] = Factory(list)
    sections: list[Section] = Factory(list)

    @property
    def fields(self) -> list[Field]:
        return [line for line in self.header if isinstance(line, Field)]

    @property
    def global_styles(self) -> list[StyleLine]:
        return [line for line in self.header if isinstance(line, StyleLine)]

    @property
    def comments(self) -> list[Comment]:
        found = [line for line in self.header if isinstance(line, Comment)]
        for section in self.sections:
            found += section.of(Comment)
        return found
