"""A `#` after a field's value is part of the value: said where it matters."""

from __future__ import annotations

import musicplan


def _found(text: str) -> list[tuple[int, int, str, str]]:
    return [(d.span.line, d.span.column, d.code, d.hint) for d in musicplan.check(text) if d.code != "W103"]


def test_a_comment_after_a_title_is_a_warning_at_the_hash():
    found = _found("title: Number One   # the working title\nmodel: music_v1\n[A] 0:10\nla\n")
    assert [(line, column, code) for line, column, code, _ in found] == [(1, 21, "W207")]
    assert "start of a line" in found[0][3]


def test_a_hash_in_a_title_without_a_space_after_it_is_a_title():
    assert _found("title: Song #2\nmodel: music_v1\n[A] 0:10\nla\n") == []
    assert musicplan.loads("title: Song #2\nmodel: music_v1\n[A] 0:10\nla\n").title == "Song #2"


def test_typed_values_with_a_comment_get_a_hint_that_names_the_value_meant():
    for text, code, meant in (
        ("model: music_v2_5 # newest\n[A] 0:10\nla\n", "E204", "music_v2_5"),
        ("bpm: 120 # fast\nmodel: music_v1\n[A] 4 bars\nla\n", "E206", "120"),
        ("model: music_v1\ntimestamps: yes  # for the lrc\n[A] 0:10\nla\n", "E202", "yes"),
    ):
        found = [f for f in _found(text) if f[2] == code]
        assert found, text
        assert "start of a line" in found[0][3] and f"`{meant}`" in found[0][3]


def test_a_prompt_may_hold_a_hash():
    assert _found("model: music_v1\nprompt: a #1 hit # of the summer\nlength: 0:30\n") == []
