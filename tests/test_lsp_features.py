"""Every language-server feature on hostile and half-written text, without a
client: no feature may raise, whatever the buffer holds (a traceback in an
editor is a bug, as on the command line)."""

from __future__ import annotations

import random

import pytest
from lsp_support import EXAMPLES, FEATURES
from pygls.workspace import PositionCodec

from musicplan.lsp import actions, complete, formatting, hints, hover, names, outline
from musicplan.lsp.diagnose import diagnostics
from musicplan.lsp.document import SongDocument

HOSTILE = [
    "", "\n", "[", "[]", "[\\", "@", "@repeat", "@repeat ", ":", "::\n:", "+", "-", "\\", "\ufeff[Verse] 20",
    "[Verse] 20\r\n+ a\r\n@repeat Verse\r\n", "\x00\x01[\udcff]", "prompt:\n  x\n[V] 0:20\n",
    "[A] 0:20\n@repeat A\n[A] 0:10\n@repeat A\n@repeat A\n", "title: 😀😀😀\n[😀] 😀\n😀 {😀\n",
    "bpm: 0\n[Intro] 8 bars\n", "meter: 0/0\nbpm: 120\n[Intro] 8 bars\n", "[x] 99999999999999999999s\n",
]


def texts() -> list[str]:
    rng = random.Random(12)
    found = list(HOSTILE) + [FEATURES]
    for path in EXAMPLES:
        text = path.read_text(encoding="utf-8")
        found.append(text)
        # Half-written versions, as while typing: cut anywhere, or a character dropped.
        for _ in range(3):
            cut = rng.randrange(len(text))
            found.append(text[:cut])
            found.append(text[:cut] + text[cut + 1:])
    return found


@pytest.mark.parametrize("text", texts())
def test_no_feature_raises(text: str) -> None:
    codec = PositionCodec()
    doc = SongDocument("file:///fuzz.song", text)
    diagnostics(doc, codec)
    formatting.format_edits(doc, codec)
    outline.symbols(doc, codec)
    outline.folds(doc)
    hints.inlay_hints(doc, 1, len(doc.lines), codec)
    actions.code_actions(doc, 1, len(doc.lines), codec)
    for number, line in enumerate(doc.lines, start=1):
        for column in sorted({1, len(line) // 2 + 1, len(line) + 1}):
            hover.hover(doc, number, column, codec)
            complete.complete(doc, number, column, codec)
            names.definition(doc, number, column, codec)
            names.references(doc, number, column, True, codec)
            names.prepare_rename(doc, number, column, codec)
            names.rename(doc, number, column, "New name ]", codec)


def test_a_rename_to_a_name_with_a_bracket_escapes_it_in_the_heading_only() -> None:
    from lsp_support import apply_edits, line_of

    codec = PositionCodec()
    doc = SongDocument("file:///rename.song", FEATURES)
    edit = names.rename(doc, line_of(FEATURES, "[Chorus]") + 1, 3, "Big ] one", codec)
    assert edit is not None and edit.changes is not None
    renamed = apply_edits(FEATURES, edit.changes[doc.uri], "utf-16")
    assert "[Big \\] one] 15s" in renamed and "@repeat Big ] one" in renamed
    again = SongDocument("file:///rename.song", renamed)
    assert not [d for d in again.diagnostics if d.is_error]
    (chorus_2,) = [p for p in again.placed if p.section.name == "Chorus 2"]
    assert chorus_2.resolved.repeats is not None and chorus_2.resolved.repeats.section.name == "Big ] one"


@pytest.mark.parametrize("new_name", ["", "   ", "Two\nlines", "a\rb"])
def test_a_rename_to_an_empty_or_broken_name_is_refused(new_name: str) -> None:
    from lsp_support import line_of
    from pygls.exceptions import JsonRpcInvalidParams

    doc = SongDocument("file:///rename.song", FEATURES)
    with pytest.raises(JsonRpcInvalidParams):
        names.rename(doc, line_of(FEATURES, "[Chorus]") + 1, 3, new_name, PositionCodec())
