"""The neutral sheet every importer reads into, and what the readers share:
a lyric sheet's title, global settings and sections (name, sung lines, cues,
local styles, what it repeats), each piece with the source line it came from.

The readers (`suno`, `chordpro`, `plain`) turn text into a `Sheet`;
`to_song` turns a `Sheet` into `.song` text. What a reader cannot carry
over it reports as a warning (codes I0xx) at the source line, never silently.
"""

from __future__ import annotations

import re
from typing import Literal

from musicplan.base.diagnostics import Report, Span
from musicplan.base.record import Factory, Record

ItemKind = Literal["lyric", "cue", "comment"]


class Item(Record):
    """One line of a section: a sung line (which may hold `{direction}`s),
    a performance cue (`[Whispered]`), or a comment kept for the writer."""

    kind: ItemKind
    text: str
    line: int


class SheetSection(Record):
    name: str
    line: int  # the source line of its label (or of its first line when it has none)
    items: list[Item] = Factory(list)
    styles: list[str] = Factory(list)  # positive local styles
    negative: list[str] = Factory(list)
    repeat_of: str | None = None  # the name of an earlier section it sings again

    @property
    def sung(self) -> list[Item]:
        return [item for item in self.items if item.kind == "lyric"]


class Sheet(Record):
    kind: str  # "suno", "chordpro" or "text": what the sheet was read as
    title: str | None = None
    styles: list[str] = Factory(list)  # positive global styles
    negative: list[str] = Factory(list)
    bpm: str | None = None
    meter: str | None = None
    duration_ms: int | None = None  # the length the sheet itself asks for
    comments: list[str] = Factory(list)  # for the header, without the leading `#`
    sections: list[SheetSection] = Factory(list)


def warn(report: Report, code: str, line: int, message: str, hint: str, column: int = 1, width: int = 1) -> None:
    report.warning(code, Span.at(max(line, 1), column, width), message, hint)


# ---- section labels

# The words that name a part of a song (rather than a way of playing it).
_SECTION_WORDS = {
    "intro", "verse", "prechorus", "chorus", "postchorus", "refrain", "hook", "bridge", "outro",
    "coda", "instrumental", "interlude", "break", "breakdown", "buildup", "drop", "prelude",
    "middle", "rap", "vamp",
}
# Words that may stand beside them in a label written on its own line.
_QUALIFIERS = {"final", "last", "first", "second", "third", "double", "short", "extended", "big", "eight"}
_WORD = re.compile(r"[a-z]+")
_LABEL = re.compile(r"([A-Za-z][A-Za-z -]{0,30}?)\s*(\d+)?")
_REPEAT = re.compile(r"(?i)repeat\s+(?:the\s+)?(.+)")


def _words(text: str) -> list[str]:
    text = text.lower().replace("pre-", "pre").replace("post-", "post").replace("build-up", "buildup")
    return _WORD.findall(text)


def names_a_section(label: str) -> bool:
    """Whether a tag such as `Verse 2`, `Pre-Chorus` or `Instrumental Break`
    names a part of the song (a `Guitar Solo` or `Whispered` is a cue)."""
    return any(word in _SECTION_WORDS for word in _words(label))


def _bare(line: str) -> str:
    text = line.strip()
    if text.startswith("(") and text.endswith(")"):
        text = text[1:-1].strip()
    return text.rstrip(":.").strip()


def stanza_label(line: str) -> str | None:
    """`Chorus:`, `Verse 2`, `(Bridge)`: a line that only names the stanza below
    it. Only section words (and a few such as `Final`) may stand in it, so a
    sung line such as `Break me` is never taken for one."""
    match = _LABEL.fullmatch(_bare(line))
    if match is None:
        return None
    words = _words(match.group(1))
    if not words or not set(words) <= _SECTION_WORDS | _QUALIFIERS or not set(words) & _SECTION_WORDS:
        return None
    name = match.group(1).strip()
    return name[:1].upper() + name[1:] + (f" {match.group(2)}" if match.group(2) else "")


_TIMES = re.compile(r"(?i)(.*?)\s*\(?\s*[x×]\s*([1-9])\s*\)?")
REPEATS_MAX = 4  # `Chorus x9` is a typo or a joke; a song has 30 sections


def says_repeat(line: str) -> bool:
    """`Repeat Chorus` asks for the chorus again; `Chorus x2` above lyrics is a label."""
    return _REPEAT.fullmatch(_bare(line)) is not None


def repeat_note(line: str) -> tuple[str, int] | None:
    """`(Repeat Chorus)`, `Chorus x2`, `Repeat chorus (x2)`: the name of the
    section sung again, and how many times."""
    text, times, said = _bare(line), 1, False
    counted = _TIMES.fullmatch(text)
    if counted and counted.group(1):
        text, times, said = _bare(counted.group(1)), int(counted.group(2)), True
    again = _REPEAT.fullmatch(text)
    if again:
        text, said = again.group(1), True
    name = stanza_label(text) if said else None
    return (name, min(times, REPEATS_MAX)) if name else None


# ---- chords

_CHORD = (r"[A-G](?:#|b|♯|♭)?(?:maj|min|dim|aug|sus|add|m|M|°|ø|\+)?\d*"
          r"(?:(?:sus|add|maj|b|#|\+|-)\d+)*(?:/[A-G](?:#|b|♯|♭)?)?")
CHORD = re.compile(_CHORD)
_BRACKET_CHORD = re.compile(rf"\[(?:{_CHORD}|N\.?C\.?|\*[^\]]*)\]")
_SPACES = re.compile(r"[ \t]{2,}")


def is_chord_line(line: str) -> bool:
    """A line of chord names only (`Am   G   C   F`), as sheets write above lyrics."""
    tokens = line.replace("|", " ").split()
    if not tokens or not all(CHORD.fullmatch(token) for token in tokens):
        return False
    # One capital letter alone may be sung ("A"); a chord name with more to it is not.
    return len(tokens) > 1 or len(tokens[0]) > 1


def strip_bracket_chords(line: str) -> tuple[str, list[str]]:
    """The line without `[Am]`-style chords (and ChordPro `[*annotations]`), and the chords."""
    chords = [match.group(0)[1:-1] for match in _BRACKET_CHORD.finditer(line)]
    if not chords:
        return line, []
    return _SPACES.sub(" ", _BRACKET_CHORD.sub("", line)).strip(), chords


class ChordLog(Record):
    """Chords dropped while reading one section, reported once for the section."""

    lines: list[int] = Factory(list)
    chords: list[str] = Factory(list)
    column: int = 1  # where the first chord stands

    def add(self, line: int, chords: list[str], column: int = 1) -> None:
        if not self.lines:
            self.column = max(column, 1)  # a line of bare chord names: its start
        self.lines.append(line)
        self.chords += [chord for chord in chords if chord not in self.chords]

    def report(self, report: Report, where: str) -> None:
        if not self.lines:
            return
        shown = ", ".join(self.chords[:8]) + (", ..." if len(self.chords) > 8 else "")
        numbers = ", ".join(str(n) for n in self.lines[:10]) + (", ..." if len(self.lines) > 10 else "")
        warn(report, "I001", self.lines[0], column=self.column, message=
             f"chords dropped from {len(self.lines)} line{'s' if len(self.lines) > 1 else ''} of {where} "
             f"(line{'s' if len(self.lines) > 1 else ''} {numbers}): {shown}",
             hint="chords are not sung: describe the harmony in a style if it matters (e.g. `+ minor key, "
             "folk chord changes`)")
        self.lines, self.chords, self.column = [], [], 1


# ---- stanzas (plain text, and ChordPro outside its sections)

class Stanza(Record):
    """A block of lines as the sheet sets it apart, before it has a name."""

    lines: list[Item]
    label: str | None = None  # what the sheet calls it, if anything
    label_line: int = 0
    styles: list[str] = Factory(list)
    repeat_of: str | None = None  # `{chorus}`, `(Repeat Chorus)`: a name, or a kind such as `Chorus`


def _key(stanza: Stanza) -> tuple[str, ...]:
    return tuple(" ".join(_WORD.findall(item.text.lower())) for item in stanza.lines if item.kind == "lyric")


_RECURRING_NAMES = ("Chorus", "Refrain", "Hook")


def _recurring_name(index: int) -> str:
    base = _RECURRING_NAMES[index % len(_RECURRING_NAMES)]
    return base if index < len(_RECURRING_NAMES) else f"{base} {index // len(_RECURRING_NAMES) + 1}"


def _repeated(wanted: str, sections: list[SheetSection]) -> str:
    """The name of the latest section that ``wanted`` names, exactly or by its kind."""
    for section in reversed(sections):
        if section.name == wanted:
            return wanted
    kind = set(_words(wanted)) & _SECTION_WORDS
    for section in reversed(sections):
        if kind and kind <= set(_words(section.name)) and section.repeat_of is None:
            return section.name
    return wanted  # nothing to repeat: to_song says so


def name_stanzas(stanzas: list[Stanza]) -> list[SheetSection]:
    """Sections for stanzas: a label names its stanza (a bare `Verse` gets the
    next number); a stanza that recurs is the chorus (the next ones that recur
    a refrain, a hook); the rest are numbered verses."""
    counts: dict[tuple[str, ...], int] = {}
    for stanza in stanzas:
        if stanza.label is None and stanza.repeat_of is None and _key(stanza):
            counts[_key(stanza)] = counts.get(_key(stanza), 0) + 1
    recurring: dict[tuple[str, ...], str] = {}
    verses = 0
    sections: list[SheetSection] = []
    for stanza in stanzas:
        first = stanza.lines[0].line if stanza.lines else stanza.label_line
        repeat_of = _repeated(stanza.repeat_of, sections) if stanza.repeat_of else None
        if stanza.label is not None:
            name = stanza.label
            if name.lower().startswith("verse"):
                verses += 1
                name = f"Verse {verses}" if name.lower() == "verse" else name
        elif repeat_of is not None:
            name = repeat_of
        elif not _key(stanza):
            name = "Instrumental"
        elif counts.get(_key(stanza), 0) > 1:
            name = recurring.setdefault(_key(stanza), _recurring_name(len(recurring)))
        else:
            verses += 1
            name = f"Verse {verses}"
        sections.append(SheetSection(name, stanza.label_line or first, list(stanza.lines),
                                     list(stanza.styles), repeat_of=repeat_of))
    return sections


def split_styles(text: str) -> list[str]:
    """A style prompt (`dreamy indie pop, female vocals, 92 bpm`) as style items."""
    return [item.strip() for item in re.split(r"[,;\n]", text) if item.strip()]


_BPM_IN_STYLE = re.compile(r"(?i)\b(\d{2,3}(?:\.\d{1,3})?)\s*bpm\b")
# A tempo as sheets write one (`96`, `92.5 bpm`): up to 999 beats a minute, three decimals.
_TEMPO = re.compile(r"(?<![\d.])(\d{1,3}(?:\.\d{1,3})?)(?![\d.])")


def tempo(text: str) -> str | None:
    """The beats a minute ``text`` states, as `bpm` takes them, or None."""
    found = _TEMPO.search(text)
    return found.group(1) if found and float(found.group(1)) > 0 else None


def bpm_in_styles(styles: list[str]) -> str | None:
    """The tempo a style prompt states (`92 bpm`), so durations can fall on bars."""
    for style in styles:
        match = _BPM_IN_STYLE.search(style)
        if match:
            return match.group(1)
    return None


_KEY = re.compile(r"^([A-G])(#|b|♯|♭)?(m(?!aj)|min|minor)?\s*(maj|major)?$", re.IGNORECASE)


def key_style(value: str) -> str | None:
    """ChordPro's `{key: F#m}` as an English style: `key of F# minor`."""
    match = _KEY.match(value.strip())
    if match is None:
        return None
    note = match.group(1).upper() + {"b": "♭", "♭": "♭", "#": "#", "♯": "#"}.get(match.group(2) or "", "")
    return f"key of {note} {'minor' if match.group(3) else 'major'}"


_CLOCK = re.compile(r"(\d+):([0-5]\d)(?:\.(\d{1,3}))?")
_UNITS = re.compile(r"(?:(\d+)\s*m(?:in)?)?\s*(?:(\d+(?:\.\d{1,3})?)\s*s(?:ec)?)?")


def parse_length(text: str) -> int | None:
    """A song length as sheets and the command line write it (`3:30`, `210s`,
    `3m30s`, `3m`, or a bare number of seconds, ChordPro's `{duration: 210}`)."""
    value = text.strip().lower()
    clock = _CLOCK.fullmatch(value)
    if clock:
        minutes, seconds, frac = clock.groups()
        return int(minutes) * 60_000 + int(seconds) * 1000 + int((frac or "").ljust(3, "0"))
    if re.fullmatch(r"\d+(?:\.\d{1,3})?", value):
        return round(float(value) * 1000)
    units = _UNITS.fullmatch(value)
    if units and (units.group(1) or units.group(2)):
        return int(units.group(1) or 0) * 60_000 + round(float(units.group(2) or 0) * 1000)
    return None


# ---- what a sheet says about the whole song

Meta = Literal["title", "style", "negative", "bpm", "meter", "key", "duration", "person", "note"]

# A sheet's own settings, `Key: value` above its lyrics, as the tools that make sheets name them.
HEADER_KEYS: dict[str, Meta] = {
    **dict.fromkeys(("title", "song title", "song", "name"), "title"),
    **dict.fromkeys(("style", "styles", "style of music", "genre", "genres", "tags", "sound", "vibe",
                     "mood", "instruments", "vocals"), "style"),
    **dict.fromkeys(("exclude", "exclude styles", "excluded styles", "negative", "negative styles",
                     "negative tags", "avoid"), "negative"),
    **dict.fromkeys(("bpm", "tempo"), "bpm"),
    **dict.fromkeys(("time signature", "meter", "time"), "meter"),
    "key": "key",
    **dict.fromkeys(("length", "duration"), "duration"),
    **dict.fromkeys(("artist", "by", "singer", "band", "written by", "writer", "writers", "composer",
                     "lyricist", "lyrics by", "performed by", "in the style of", "sounds like"), "person"),
    **dict.fromkeys(("model", "version", "persona", "lyrics"), "note"),
}
_HEADER = re.compile(r"([A-Za-z][A-Za-z _-]{0,30}?)\s*:\s*(.*)")


def header_meta(text: str) -> tuple[Meta, str, str] | None:
    """A `Key: value` line that is one of the sheet's own settings: (what it sets,
    the key as written, the value); None for any other line."""
    match = _HEADER.fullmatch(text)
    meta = HEADER_KEYS.get(" ".join(match.group(1).lower().replace("_", " ").split())) if match else None
    return (meta, match.group(1).strip(), match.group(2)) if match and meta else None

_METER = re.compile(r"\s*(\d{1,2})\s*/\s*(\d{1,2})\s*")


def _carry(sheet: Sheet, meta: Meta, value: str) -> bool:
    if meta == "title":
        sheet.title = sheet.title or value
        return bool(value)
    if meta in ("style", "negative"):
        (sheet.styles if meta == "style" else sheet.negative).extend(split_styles(value))
        return True
    if meta == "bpm":
        sheet.bpm = tempo(value)
        return sheet.bpm is not None
    if meta == "meter":
        meter = _METER.fullmatch(value)
        if meter and int(meter.group(1)) > 0 and meter.group(2) in ("1", "2", "4", "8", "16", "32"):
            sheet.meter = f"{int(meter.group(1))}/{int(meter.group(2))}"
            return True
    if meta == "key":
        style = key_style(value)
        if style:
            sheet.styles.append(style)
            return True
    if meta == "duration":
        sheet.duration_ms = parse_length(value)
        return sheet.duration_ms is not None
    return False


# A style that names someone: the API refuses prompts that name artists.
_NAMES_SOMEONE = re.compile(r"(?i)\b(?:in the style of|style of|sounds? like|inspired by|à la|a la)\s+\S")


def _styles_without_names(sheet: Sheet, key: str, value: str, line: int, report: Report) -> str:
    kept = []
    for item in split_styles(value):
        if _NAMES_SOMEONE.search(item):
            _not_sent(sheet, "person", key, item, line, report)
        else:
            kept.append(item)
    return ", ".join(kept)


def apply_meta(sheet: Sheet, meta: Meta, key: str, value: str, line: int, report: Report) -> None:
    """Carry one of the sheet's own settings into ``sheet``; what cannot be
    carried is kept as a header comment and reported."""
    value = value.strip()
    if meta in ("style", "negative"):
        value = _styles_without_names(sheet, key, value, line, report)
    if not (_carry(sheet, meta, value) or (meta == "note" and not value)):  # `Lyrics:` only announces them
        _not_sent(sheet, meta, key, value, line, report)


def _not_sent(sheet: Sheet, meta: Meta, key: str, value: str, line: int, report: Report) -> None:
    sheet.comments.append(f"{key}: {value}")
    if meta == "person":
        warn(report, "I003", line, f"`{key}: {value}` kept as a comment, not sent",
             "the API refuses prompts that name artists: describe the sound instead "
             "(e.g. `+ raspy male vocals, 70s soul`)")
    elif meta != "note":
        warn(report, "I004", line, f"`{key}: {value}` is not a {meta} musicplan can use: kept as a comment",
             "set it by hand in the header if it matters")
