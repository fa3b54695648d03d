"""Plain lyrics to a `Sheet`: stanzas set apart by blank lines become numbered
verses, a stanza that recurs becomes the chorus. A stanza may open with a
label of its own (`Chorus:`, `Verse 2`, `(Bridge)`), and `(Repeat Chorus)`
sings a labelled part again. A first line `Title: ...` names the song; lines
of chord names (`Am  G  C`) are left out, with a warning.
"""

from __future__ import annotations

from musicplan.base.diagnostics import Report
from musicplan.importers.sheet import (
    ChordLog,
    Item,
    Sheet,
    Stanza,
    apply_meta,
    header_meta,
    is_chord_line,
    name_stanzas,
    repeat_note,
    says_repeat,
    stanza_label,
    strip_bracket_chords,
)


def _blocks(lines: list[tuple[int, str]]) -> list[list[tuple[int, str]]]:
    blocks: list[list[tuple[int, str]]] = [[]]
    for number, line in lines:
        if line:
            blocks[-1].append((number, line))
        elif blocks[-1]:
            blocks.append([])
    return [block for block in blocks if block]


class _Reader:
    def __init__(self, report: Report) -> None:
        self.report = report
        self.stanzas: list[Stanza] = []
        self.label: tuple[str, int] | None = None  # for the next stanza with lines
        self.stanza = Stanza([])

    def finish(self) -> None:
        if self.stanza.lines:
            if self.label is not None:
                self.stanza.label, self.stanza.label_line = self.label
            self.stanzas.append(self.stanza)
            self.label = None
        self.stanza = Stanza([])

    def again(self, name: str, line: int, times: int) -> None:
        self.stanzas += [Stanza([], name, line, repeat_of=name) for _ in range(times)]

    def block(self, block: list[tuple[int, str]]) -> None:
        chords = ChordLog()
        more = 0  # `Chorus x2` above a chorus: sung once more after it
        for index, (number, line) in enumerate(block):
            again = repeat_note(line)
            label = stanza_label(line)
            if index == 0 and again is not None and len(block) > 1 and not says_repeat(line):
                (label, times), again = again, None
                more = times - 1
            if index == 0 and label is not None:
                if self.label is not None:  # two labels in a row: the first stood alone
                    self.stanzas.append(Stanza([], self.label[0], self.label[1]))
                self.label = (label, number)
            elif again is not None:
                self.finish()
                self.again(again[0], number, again[1])
            elif is_chord_line(line):
                chords.add(number, line.split())
            else:
                sung, found = strip_bracket_chords(line)
                if found:
                    chords.add(number, found, line.find("[") + 1)
                if sung:
                    self.stanza.lines.append(Item("lyric", sung, number))
        chords.report(self.report, f"the stanza at line {block[0][0]}")
        if not self.stanza.lines and self.label is not None and any(
                s.label and s.label.lower() == self.label[0].lower() for s in self.stanzas):
            # `Chorus` standing alone after a chorus was written out: sing it again.
            self.again(self.label[0], self.label[1], 1)
            self.label = None
        name = self.label
        self.finish()
        if more and name is not None:
            self.again(name[0], name[1], more)

    def read(self, text: str) -> Sheet:
        sheet = Sheet("text")
        lines = [(number, raw.strip()) for number, raw in enumerate(text.splitlines(), start=1)]
        # The sheet's own settings (`Title:`, `Style:`, `Artist:`...) on its first lines are not sung.
        for index, (number, line) in enumerate(lines):
            if not line:
                continue
            found = header_meta(line)
            if found is None:
                break
            apply_meta(sheet, found[0], found[1], found[2], number, self.report)
            lines[index] = (number, "")
        for block in _blocks(lines):
            self.block(block)
        if self.label is not None:
            self.stanzas.append(Stanza([], self.label[0], self.label[1]))
        sheet.sections = name_stanzas(self.stanzas)
        return sheet


def read(text: str, report: Report) -> Sheet:
    return _Reader(report).read(text)
