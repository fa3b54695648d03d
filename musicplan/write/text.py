"""Song model to canonical .song text: the layout `fmt` writes and `decompile` produces.

Escapes and quotes are added only where a string would otherwise read as
something else; comments stay where they stand; blank lines are kept where
the author separated stanzas (at most one), with exactly one before each
heading (and before the comments directly above it).
"""

from __future__ import annotations

from musicplan.analyse.durations import format_clock
from musicplan.analyse.misread import sung_field
from musicplan.read.written import (
    Adherence,
    Blank,
    Comment,
    Condition,
    Continuation,
    Duration,
    Field,
    Line,
    Lyric,
    Repeat,
    Section,
    SongModel,
    Source,
    StyleLine,
    TimeRange,
    UnknownDirective,
)

LINE_STARTS = "#+-[@\\"
WS = " \t"


# ---- escapes

def lyric_text(text: str) -> str:
    """A lyric (or prompt continuation) line: a backslash only before a character
    that would otherwise start another kind of line, or before leading whitespace."""
    if text and (text[0] in LINE_STARTS or text[0] in WS):
        return "\\" + text
    return text


def _escape_backslashes(text: str, specials: str) -> str:
    out = []
    for index, ch in enumerate(text):
        following = text[index + 1 : index + 2]
        if ch in specials and ch != "\\":
            out.append("\\" + ch)
        elif ch == "\\" and (following == "" or following in specials):
            out.append("\\\\")
        else:
            out.append(ch)
    return "".join(out)


def heading_name(name: str) -> str:
    return _escape_backslashes(name, "]\\")


def style_item(text: str) -> str:
    needs_quotes = not text or "," in text or text[0] == '"' or text[0] in WS or text[-1] in WS
    if not needs_quotes:
        return text
    return '"' + _escape_backslashes(text, '"\\') + '"'


# What decompile and import write on one style line at most (a longer one is split
# over lines of the same sign, which add up in order); fmt keeps lines as written.
STYLE_LINE_WIDTH = 100


def style_rows(items: list[str]) -> list[list[str]]:
    """Style items (as ``style_item`` prints them) in rows of one line each, a line
    being its sign, a space and the items with ", " between them: at most
    ``STYLE_LINE_WIDTH`` characters unless one item alone is longer."""
    rows: list[list[str]] = []
    for item in items:
        if rows and 2 + len(", ".join(rows[-1] + [item])) <= STYLE_LINE_WIDTH:
            rows[-1].append(item)
        else:
            rows.append([item])
    return rows


# ---- lines

def duration_text(duration: Duration, clock: bool) -> str:
    if clock and duration.kind == "millis":
        return format_clock(int(duration.text[:-2]))
    if duration.kind == "bars":
        number = duration.text.rstrip("bars").rstrip(" \t")
        unit = duration.text[len(number):].strip(" \t")
        return f"{number} {unit}"
    return duration.text


def _range(value: TimeRange, clock: bool) -> str:
    return f"{duration_text(value.start, clock)}-{duration_text(value.end, clock)}"


def _line(item: Line, clock: bool) -> list[tuple[str, str]]:
    if isinstance(item, Field):
        if "\n" in item.value:  # a prompt from JSON: one continuation line per line
            return [("field", f"{item.key}:")] + [("cont", "  " + lyric_text(t)) for t in item.value.split("\n")]
        return [("field", f"{item.key}: {item.value}".rstrip(WS))]
    if isinstance(item, Continuation):
        return [("cont", "  " + lyric_text(item.text))]
    if isinstance(item, Comment):
        return [("comment", item.text)]
    if isinstance(item, Blank):
        return [("blank", "")]
    if isinstance(item, StyleLine):
        sign = "+" if item.positive else "-"
        return [("style", f"{sign} " + ", ".join(style_item(i.text) for i in item.items))]
    if isinstance(item, Lyric):
        if item.escaped and item.text[:1] not in LINE_STARTS + WS and sung_field(item.text):
            return [("lyric", "\\" + item.text)]  # the escape says `bpm: 120` is sung (W201): keep it
        return [("lyric", lyric_text(item.text))]
    if isinstance(item, Repeat):
        return [("directive", f"@repeat {item.name}")]
    if isinstance(item, Source):
        text = f"@source {item.song_id} {_range(item.range, clock)}"
        if item.excepts:
            text += " except " + ", ".join(_range(r, clock) for r in item.excepts)
        return [("directive", text)]
    if isinstance(item, Adherence):
        return [("directive", f"@adherence {item.level}")]
    if isinstance(item, Condition):
        text = f"@condition {item.song_id} {_range(item.range, clock)}"
        if item.strength is not None:
            text += f" strength {item.strength}"
        return [("directive", text)]
    if isinstance(item, UnknownDirective):
        return [("directive", item.name)]
    raise TypeError(f"cannot print {item!r}")


def _heading(section: Section, clock: bool) -> tuple[str, str]:
    text = f"[{heading_name(section.heading.name)}]"
    if section.heading.duration is not None:
        text += " " + duration_text(section.heading.duration, clock)
    return ("heading", text)


def _indent_comments_in_continuations(entries: list[tuple[str, str]]) -> None:
    """A comment inside a prompt's continuation is indented with it."""
    # One pass each way finds, for every comment, the nearest other line before and after it.
    before: list[str | None] = []
    last: str | None = None
    for tag, _ in entries:
        before.append(last)
        if tag != "comment":
            last = tag
    following: str | None = None
    for index in range(len(entries) - 1, -1, -1):
        tag, text = entries[index]
        if tag != "comment":
            following = tag
        elif before[index] in ("field", "cont") and following == "cont":
            entries[index] = (tag, "  " + text)


def _layout(entries: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """At most one blank line in a row, none right after a heading or at the end,
    and exactly one before each heading and the comments directly above it."""
    blank = ("blank", "")
    out: list[tuple[str, str]] = []
    held: list[tuple[str, str]] = []  # comments that may stand right above a heading
    for tag, text in entries:
        if tag == "comment":
            held.append((tag, text))
            continue
        if tag == "heading" and out and out[-1][0] != "blank":
            out.append(blank)
        out += held
        held.clear()
        if tag == "blank":
            if out and out[-1][0] not in ("blank", "heading"):
                out.append(blank)
            continue
        out.append((tag, text))
    out += held
    while out and out[-1][0] == "blank":
        out.pop()
    return out


def print_song(song: SongModel, *, clock: bool = False, newline: str = "\n") -> str:
    """The canonical text of ``song``; ``clock`` writes millisecond durations as M:SS."""
    entries: list[tuple[str, str]] = []
    for item in song.header:
        entries += _line(item, clock)
    for section in song.sections:
        entries.append(_heading(section, clock))
        for item in section.lines:
            entries += _line(item, clock)
    _indent_comments_in_continuations(entries)
    lines = [text for _, text in _layout(entries)]
    return newline.join(lines) + newline if lines else ""
