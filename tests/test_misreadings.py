"""Warnings for what a writer did not mean (song-format.md): each at its line and
column, and none for the ordinary text that looks a little like it."""

from __future__ import annotations

import pytest
from songs import diagnostics, warnings


def codes(text: str, prefix: str = "W2") -> list[tuple[str, int, int]]:
    return [w for w in warnings(text, lints=True) if w[0].startswith(prefix)]


MISREAD = [
    ("bpm among the lyrics", "[V] 0:10\n+ x\nla la\nbpm: 120\n", ("W201", 4, 1)),
    ("seed among the lyrics", "[V] 0:10\n+ x\n  seed: 42\n", ("W201", 3, 3)),
    ("an API key among the lyrics", "[V] 0:10\n+ x\nmodel_id: music_v2\n", ("W201", 3, 1)),
    ("a boolean field", "[V] 0:10\n+ x\nInstrumental: yes\n", ("W201", 3, 1)),
    ("a name people reach for", "[V] 0:10\n+ x\ntempo: 96\n", ("W201", 3, 1)),
    ("a bulleted lyric", "[V] 0:10\n+ x\n- Walking down the street, feeling fine\n", ("W202", 3, 1)),
    ("a bulleted lyric with a pronoun", "[V] 0:10\n+ x\n- I love you, baby\n", ("W202", 3, 1)),
    ("a bulleted sentence", "[V] 0:10\n+ x\n-   we're dancing all night long\n", ("W202", 3, 1)),
    ("a bulleted line without a pronoun", "[V] 0:10\n+ x\n- Dancing in the dark\n", ("W202", 3, 1)),
    ("a bulleted plea", "[V] 0:10\n+ x\n- Baby, don't go\n", ("W202", 3, 1)),
    ("typographic quotes", "+ “big, layered vocals”, drums\n[V] 0:10\n", ("W203", 1, 3)),
    ("single quotes", "[V] 0:10\n+ pads, 'warm, soft', bass\n", ("W203", 2, 9)),
    ("guillemets", "- «harsh, loud» noise\n[V] 0:10\n+ x\n", ("W203", 1, 3)),
    ("a comment after a style", "+ tight drums  # verse only\n[V] 0:10\n", ("W204", 1, 16)),
    ("a comment after a local style", "[V] 0:10\n+ bass, pads # soft\n", ("W204", 2, 14)),
    ("chords in a lyric", "[V] 0:10\n+ x\nI [C]see the [G]light\n", ("W205", 3, 3)),
    ("slash chords", "[V] 0:10\n+ x\n\\[Am7]Rain [G/B]falls\n", ("W205", 3, 2)),
    ("sung tags in an instrumental prompt", "prompt: calm lo-fi, [Verse] soft\ninstrumental: yes\n",
     ("W206", 1, 21)),
    ("sung tags on a continuation", "prompt:\n  lo-fi beat\n  then a [Chorus 2] lift\ninstrumental: on\n",
     ("W206", 3, 10)),
]


@pytest.mark.parametrize("name,text,expected", MISREAD, ids=[c[0] for c in MISREAD])
def test_misreading_is_warned_where_it_stands(name, text, expected):
    found = codes(text)
    assert expected in found, found


MEANT = [
    ("a lyric with a colon", "[V] 0:10\n+ x\nLove: it hurts\n"),
    ("a field name with a lyric's value", "[V] 0:10\n+ x\nModel: she walks the runway\n"),
    ("tempo words", "[V] 0:10\n+ x\nbpm: my heart is racing\n"),
    ("a name", "[V] 0:10\n+ x\nName: Johnny B. Goode\n"),
    ("an escaped field-like line", "[V] 0:10\n+ x\n\\bpm: 120\n"),
    ("negative styles", "[V] 0:10\n+ x\n- drums, heavy guitar\n"),
    ("negative styles with articles", "[V] 0:10\n+ x\n- loud drums in the chorus, auto-tune\n"),
    ("a long negative style", "[V] 0:10\n+ x\n- Trap hi-hats in the style of the 2010s\n"),
    ("capitalised negative styles", "[V] 0:10\n+ x\n- Heavy Metal, Screaming Vocals\n"),
    ("a build described", "[V] 0:10\n+ x\n- Drums building up to a climax, fading out\n"),
    ("vocal styles described", "[V] 0:10\n+ x\n- Vocals that sound like a robot, auto-tune\n"),
    ("quoted negative styles", '[V] 0:10\n+ x\n- "I love you, baby"\n'),
    ("a bulleted-looking line in the header", "- walking down the street, feeling fine\n[V] 0:10\n+ x\n"),
    ("an apostrophe", "+ 80's synths, rock'n'roll drums\n[V] 0:10\n"),
    ("a quote closed in its own item", "+ “big vocals”, drums\n[V] 0:10\n"),
    ("a quoted hash", '+ "tight # drums", bass\n[V] 0:10\n'),
    ("a hash inside a word", "+ C#m pads, F# bass\n[V] 0:10\n"),
    ("brackets that are not chords", "[V] 0:10\n+ x\nI [really] see the [light]\n"),
    ("tags in a prompt with vocals", "prompt: calm lo-fi, [Verse] soft\n"),
    ("instrumental tags in an instrumental prompt", "prompt: lo-fi, [Intro] pads, [Outro] fade\ninstrumental: yes\n"),
]


@pytest.mark.parametrize("name,text", MEANT, ids=[c[0] for c in MEANT])
def test_what_was_meant_gets_no_misreading(name, text):
    assert codes(text) == []


def test_a_misreading_is_silenced_like_a_lint():
    assert codes("[V] 0:10\n+ x\n# musicplan: ignore W201\nbpm: 120\n") == []


def test_hints_give_the_fix():
    found = {d.code: d for d in diagnostics("+ “big, layered vocals”, drums\n[V] 0:10\n- I love you\n")}
    assert found["W203"].hint == 'only `"` quotes a style: write `"big, layered vocals"`'
    assert "`\\-`" in found["W202"].hint


@pytest.mark.parametrize("styles", ["- singing", "- singer", "- singing, melody", "+ spoken word\n- singing"])
def test_spoken_word_and_rap_under_no_singing_are_not_instrumental(styles):
    text = f"{styles}\n[Voiceover] 0:10\n+ calm narrator\nThe city never sleeps, and neither do I\n"
    assert [w for w in warnings(text, lints=True) if w[0] == "W102"] == []


@pytest.mark.parametrize("styles", ["- vocals", "- voice", "- Voices", "+ instrumental", "+ piano, no vocals"])
def test_what_asks_for_no_voice_still_does(styles):
    text = f"{styles}\n[V] 0:10\n+ x\nla la\n"
    assert ("W102", 4, 1) in warnings(text, lints=True)


def test_a_comment_after_a_headings_duration_is_an_error_with_the_same_hint():
    [found] = [d for d in diagnostics("[V] 0:10  # verse only\n+ x\n") if d.is_error]
    assert found.code == "E105" and found.hint.startswith("`#` starts a comment only at the start of a line")
