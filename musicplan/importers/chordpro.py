"""ChordPro songbook files to a `Sheet`: `{title}`, `{tempo}`, `{time}`, `{key}`
and `{duration}` set the song; `{start_of_verse}` ... `{end_of_verse}` (and the
chorus, bridge and any labelled part) are sections; `{chorus}` sings the
chorus again; `{comment}` is a local style, or a label when it names the
stanza below it; `[Am]` chords are taken out of the sung text.

    {title: Harbour Lights}
    {tempo: 84}
    {start_of_verse: Verse 1}
    The [Am]boats come home at [F]evening
    {end_of_verse}
"""

from __future__ import annotations

import re

from musicplan.base.diagnostics import Report
from musicplan.importers.sheet import (
    ChordLog,
    Item,
    Meta,
    Sheet,
    Stanza,
    apply_meta,
    is_chord_line,
    name_stanzas,
    repeat_note,
    says_repeat,
    split_styles,
    stanza_label,
    strip_bracket_chords,
    warn,
)

_DIRECTIVE = re.compile(r"\{\s*([A-Za-z_][\w-]*)\s*(?:[:\s]\s*(.*?))?\s*\}")
_LABEL_ATTRIBUTE = re.compile(r"""label\s*=\s*(?:"([^"]*)"|'([^']*)'|(\S+))""")

META: dict[str, Meta] = {
    **dict.fromkeys(("title", "t"), "title"),
    **dict.fromkeys(("artist", "composer", "lyricist", "arranger"), "person"),
    **dict.fromkeys(("subtitle", "st", "album", "year", "copyright", "sorttitle", "capo"), "note"),
    "tempo": "bpm",
    "time": "meter",
    "key": "key",
    "duration": "duration",
}
COMMENTS = {"comment", "c", "comment_italic", "ci", "comment_box", "cb", "highlight"}
SHORT = {"soc": "start_of_chorus", "eoc": "end_of_chorus", "sov": "start_of_verse", "eov": "end_of_verse",
         "sob": "start_of_bridge", "eob": "end_of_bridge", "sot": "start_of_tab", "eot": "end_of_tab",
         "sog": "start_of_grid", "eog": "end_of_grid"}
# Blocks that hold no singing: their content is left out, with one warning.
UNSUNG = {"tab", "grid", "abc", "ly", "svg", "textblock"}


def _label(value: str) -> str:
    """`Verse 2` or ChordPro 6's `label="Verse 2"`."""
    match = _LABEL_ATTRIBUTE.search(value)
    if match:
        return next(group for group in match.groups() if group is not None).strip()
    return value.strip()


class _Reader:
    def __init__(self, report: Report) -> None:
        self.report = report
        self.sheet = Sheet("chordpro")
        self.stanzas: list[Stanza] = []
        self.open: Stanza | None = None  # the stanza lines go to now
        self.environment: str | None = None  # inside {start_of_X}: X
        self.unsung: str | None = None  # inside a tab or grid block
        self.pending: list[str] = []  # styles for the next stanza
        self.label: tuple[str, int] | None = None  # a `{c: Chorus}` label for the next stanza
        self.chords = ChordLog()
        self.chorus = "Chorus"  # the name the latest chorus was given: what `{chorus}` sings again

    def new_stanza(self, label: str | None, line: int) -> Stanza:
        self.close_stanza()
        if label is None and self.label is not None:
            label, line = self.label
        stanza = Stanza([], label, line, self.pending)
        self.pending, self.label = [], None
        self.stanzas.append(stanza)
        self.open = stanza
        return stanza

    def close_stanza(self) -> None:
        if self.open is not None:
            where = f"the {self.open.label or 'stanza'} at line {self.open.label_line}"
            self.chords.report(self.report, where)
        self.open = None

    def flush_label(self) -> None:
        """A label with no stanza of its own (`{c: Chorus}` then another label):
        the sheet means "sing it again here"."""
        if self.label is not None:
            label, line = self.label
            self.label = None
            self.new_stanza(label, line).repeat_of = label
            self.close_stanza()

    def comment(self, text: str, number: int) -> None:
        again = repeat_note(text) if self.environment is None else None
        if again is not None and (says_repeat(text) or any(
                stanza.label and stanza.label.lower() == again[0].lower() for stanza in self.stanzas)):
            # `{c: Repeat Chorus}`, `{c: Chorus x2}` once a chorus was written out.
            self.flush_label()
            for _ in range(again[1]):
                stanza = self.new_stanza(again[0], number)
                stanza.repeat_of = again[0]
            self.close_stanza()
            return
        label = stanza_label(again[0] if again else text) if self.environment is None else None
        if label is not None and (self.open is None or not self.open.lines):
            self.flush_label()
            self.label = (label, number)
        elif self.open is not None:
            self.open.styles += split_styles(text)
        else:
            self.pending += split_styles(text)

    def directive(self, name: str, value: str, number: int, text: str) -> None:
        name = SHORT.get(name, name)
        if name.startswith("start_of_"):
            kind = name[len("start_of_"):]
            if kind in UNSUNG:
                self.unsung = kind
                warn(self.report, "I002", number, f"the {kind} block from line {number} is left out: it is not sung",
                     "describe what it plays in a style, e.g. `+ fingerpicked guitar intro`")
                return
            self.environment = kind
            default = kind.replace("_", " ").capitalize()
            self.new_stanza(_label(value) or default, number).label_line = number
            if kind == "chorus":
                self.chorus = _label(value) or default
        elif name.startswith("end_of_"):
            self.unsung = None
            self.environment = None
            self.close_stanza()
        elif name == "chorus":
            stanza = self.new_stanza(_label(value) or None, number)
            stanza.repeat_of, stanza.label_line = self.chorus, number
            self.close_stanza()
        elif name in COMMENTS:
            self.comment(value, number)
        elif name == "meta" and value.split(None, 1)[0:1]:
            key, _, rest = value.partition(" ")
            self.directive(key.lower(), rest, number, text)
        elif name in META:
            apply_meta(self.sheet, META[name], name, value, number, self.report)
        else:
            warn(self.report, "I002", number, f"`{text}` is not carried over",
                 "ChordPro's layout and chord-diagram directives mean nothing to the Music API")

    def lyric(self, text: str, number: int) -> None:
        sung, chords = strip_bracket_chords(text)
        if not chords and is_chord_line(text):
            sung, chords = "", text.split()
        if chords:
            if self.open is None:
                self.new_stanza(None, number)
            self.chords.add(number, chords, text.find("[") + 1)
        if sung:
            if self.open is None:
                self.new_stanza(None, number)
            assert self.open is not None
            self.open.lines.append(Item("lyric", sung, number))

    def read(self, text: str) -> Sheet:
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.strip()
            directive = _DIRECTIVE.fullmatch(line)
            if directive:
                name = directive.group(1).lower().split("-")[0]  # `{textsize-piano}`: a selector
                if self.unsung is None or name.startswith("end_of_") or name in ("eot", "eog"):
                    self.directive(name, directive.group(2) or "", number, line)
            elif self.unsung is not None:
                continue
            elif raw.startswith("#"):
                self.note(line[1:].strip(), number)
            elif not line:
                if self.environment is None:
                    self.close_stanza()
            else:
                self.lyric(line, number)
        self.close_stanza()
        self.flush_label()
        self.sheet.sections = name_stanzas(self.stanzas)
        return self.sheet

    def note(self, text: str, number: int) -> None:
        """A `#` comment: kept where it stands (or in the header above the first stanza)."""
        if self.open is None and not self.stanzas:
            self.sheet.comments.append(text)
        elif self.open is not None:
            self.open.lines.append(Item("comment", text, number))
        else:
            self.stanzas[-1].lines.append(Item("comment", text, number))


def read(text: str, report: Report) -> Sheet:
    return _Reader(report).read(text)
