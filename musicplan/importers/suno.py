"""Suno-style sheets to a `Sheet`: `[Verse 2]` tags name sections, `[Guitar Solo]`
or `[Whispered]` tags are cues, `Style:` and `Title:` lines above the lyrics
set the song, `(backing vocals)` stay sung.

    Title: Paper Lanterns
    Style: dreamy indie pop, female vocals, 92 bpm

    [Verse 1]
    Paper lanterns on the river
    [Chorus: big drums, layered vocals]
    ...
"""

from __future__ import annotations

import re

from musicplan.base.diagnostics import Report
from musicplan.importers.sheet import (
    ChordLog,
    Item,
    Sheet,
    SheetSection,
    Stanza,
    apply_meta,
    bpm_in_styles,
    header_meta,
    is_chord_line,
    name_stanzas,
    names_a_section,
    split_styles,
    strip_bracket_chords,
    warn,
)

# `Key: value` lines above the lyrics, by what they set.
# Cues that close the song rather than open a part of it.
ENDINGS = {"end", "the end", "fade", "fade out", "fadeout", "fade-out", "stop"}
_DRESSED_TAG = re.compile(r"(?:#+\s*|[*_]{1,3})(\[[^\[\]]*\])[*_]{0,3}")
_TAG = re.compile(r"\[([^\[\]]*)\]\s*(.*)")
_INLINE_TAG = re.compile(r"\[([^\[\]]*)\]")


def _tag_parts(content: str) -> tuple[str, list[str]]:
    """`Verse 1: soft, whispered` is the name `Verse 1` with local styles."""
    name, *styles = re.split(r"[:|]", content, maxsplit=1)
    return name.strip(), split_styles(styles[0]) if styles else []


class _Reader:
    def __init__(self, report: Report) -> None:
        self.report = report
        self.sheet = Sheet("suno")
        self.section: SheetSection | None = None
        self.stanzas: list[Stanza] = []  # lyrics above the first tag
        self.chords = ChordLog()
        self.blank = True

    def close(self) -> None:
        where = f"`{self.section.name}`" if self.section else "the lyrics above the first tag"
        self.chords.report(self.report, where)
        if self.stanzas:
            self.sheet.sections += name_stanzas(self.stanzas)
            self.stanzas = []

    def start(self, name: str, line: int, styles: list[str]) -> None:
        self.close()
        self.section = SheetSection(name, line, styles=styles)
        self.sheet.sections.append(self.section)

    def add(self, item: Item) -> None:
        if self.section is not None:
            self.section.items.append(item)
            return
        if self.blank or not self.stanzas:
            self.stanzas.append(Stanza([]))
        self.stanzas[-1].lines.append(item)

    def header(self, text: str, number: int) -> bool:
        """A `Key: value` setting: above the lyrics, or (`Style:`, `Exclude:` only)
        opening a block below them, where some tools put the style prompt."""
        found = header_meta(text)
        if found is None:
            return False
        meta, key, value = found
        if (self.section is not None or self.stanzas) and not (self.blank and meta in ("style", "negative")):
            return False
        apply_meta(self.sheet, meta, key, value, number, self.report)
        return True

    def tag(self, text: str, number: int, after_blank: bool) -> bool:
        match = _TAG.fullmatch(text)
        if match is None or strip_bracket_chords(f"[{match.group(1)}]")[1]:
            return False  # `[Am]Walking home` starts with a chord, not a tag
        content, rest = match.group(1).strip(), match.group(2)
        name, styles = _tag_parts(content)
        if not content:
            warn(self.report, "I004", number, "an empty tag `[]` was dropped", "remove it, or name the section")
        elif names_a_section(name):
            self.start(name, number, styles)
        elif (self.section is None and not self.stanzas) or (after_blank and content.lower() not in ENDINGS):
            # A cue that opens a block (`[Guitar Solo]` or `[Spoken Word]` after a
            # blank line), or stands before any section, is a part of the song of
            # its own; inside a block it is a cue in place.
            self.start(content, number, [])
            self.add(Item("cue", content.lower(), number))
        else:
            self.add(Item("cue", content.lower(), number))
        if rest.strip():
            self.lyric(rest, number)
        return True

    def lyric(self, text: str, number: int) -> None:
        text, chords = strip_bracket_chords(text)
        if chords:
            self.chords.add(number, chords, text.find("[") + 1)
        # Bracketed words inside a line (`hold on [whispered] to me`) are cues in place.
        text = _INLINE_TAG.sub(lambda m: "{" + m.group(1).strip() + "}", text).strip()
        if text:
            self.add(Item("lyric", text, number))

    def read(self, text: str) -> Sheet:
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.strip()
            if not line:
                self.blank = True
                continue
            dressed = _DRESSED_TAG.fullmatch(line)  # `**[Chorus]**`, `## [Chorus]`, as chat tools write them
            line = dressed.group(1) if dressed else line
            if self.header(line, number) or self.tag(line, number, self.blank):
                pass
            elif is_chord_line(line):
                self.chords.add(number, line.replace("|", " ").split())
            else:
                self.lyric(line, number)
            self.blank = False
        self.close()
        self.sheet.bpm = self.sheet.bpm or bpm_in_styles(self.sheet.styles)
        return self.sheet


def read(text: str, report: Report) -> Sheet:
    return _Reader(report).read(text)
