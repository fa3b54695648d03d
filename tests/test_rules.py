"""One failing song per rule and limit of song-format.md: the code, line and column."""

from __future__ import annotations

import pytest
from songs import diagnostics, errors, warnings

V = "[V] 0:10\n"


def lyric_lines(n: int, width: int = 5) -> str:
    return "".join(f"{'x' * width}\n" for _ in range(n))


CASES = [
    # header, fields
    ("lyric in header", "title: x\nla la\n" + V, ("E101", 2, 1)),
    ("escaped lyric in header", "\\# x\n" + V, ("E101", 1, 1)),
    ("directive in header", "@repeat X\n" + V, ("E102", 1, 1)),
    ("field without key", ": x\n" + V, ("E103", 1, 1)),
    ("unknown key", "tempo: 120\n" + V, ("E200", 1, 1)),
    ("api field name", "force_instrumental: yes\nprompt: x\n", ("E200", 1, 1)),
    ("key twice", "seed: 1\nSeed: 2\n" + V, ("E201", 2, 1)),
    ("bad boolean", "inpainting: maybe\n" + V, ("E202", 1, 13)),
    ("negative seed", "seed: -1\n" + V, ("E203", 1, 7)),
    ("fractional seed", "seed: 1.5\n" + V, ("E203", 1, 7)),
    ("unknown model", "model: music_v3\n" + V, ("E204", 1, 8)),
    ("unknown format", "format: mp3_44100\n" + V, ("E205", 1, 9)),
    ("bad bpm", "bpm: 0\n" + V, ("E206", 1, 6)),
    ("bad meter", "meter: 4\n" + V, ("E207", 1, 8)),
    ("empty value", "title:\n" + V, ("E211", 1, 1)),
    ("c2pa with pcm", "format: pcm_44100\nc2pa: yes\n" + V, ("E210", 2, 1)),
    ("continuation after title", "title: x\n  more\n" + V, ("E111", 2, 3)),
    ("indented text with nothing to continue", "\n  more\n" + V, ("E111", 2, 3)),
    # prompt songs and plan songs
    ("heading in prompt song", "prompt: x\n\n[V] 0:10\n", ("E212", 3, 1)),
    ("style in prompt song", "+ rock\nprompt: x\n", ("E212", 1, 1)),
    ("length in plan song", "length: 1:00\n" + V, ("E208", 1, 1)),
    ("instrumental in plan song", "instrumental: yes\n" + V, ("E208", 1, 1)),
    ("seed in prompt song", "prompt: x\nseed: 3\n", ("E209", 2, 1)),
    ("respect_durations in prompt song", "prompt: x\nrespect_durations: no\n", ("E209", 2, 1)),
    ("empty prompt", "prompt:\nlength: 1:00\n", ("E213", 1, 1)),
    ("prompt too long", "prompt: " + "x" * 4101 + "\n", ("E213", 1, 1)),
    ("length too short", "prompt: x\nlength: 2.999s\n", ("E214", 2, 9)),
    ("length too long", "prompt: x\nlength: 10:00.001\n", ("E214", 2, 9)),
    ("no sections", "title: x\n", ("E215", 1, 1)),
    # headings
    ("unclosed heading", "[Verse 0:10\n", ("E104", 1, 1)),
    ("text after heading", "[V] 0:10 # note\n", ("E105", 1, 10)),
    ("range on heading", "[V] 0:10-0:20\n", ("E105", 1, 9)),
    ("empty name", "[] 0:10\n", ("E401", 1, 1)),
    ("blank name", "[   ] 0:10\n", ("E401", 1, 1)),
    ("name too long", f"[{'n' * 101}] 0:10\n", ("E401", 1, 1)),
    ("no duration", "[V]\nla\n", ("E402", 1, 1)),
    ("section too short", "[V] 2.999s\n", ("E403", 1, 5)),
    ("section too long", "[V] 2:00.001\n", ("E403", 1, 5)),
    ("31 sections", "".join(f"[S{i}] 0:10\n" for i in range(31)), ("E400", 31, 1)),
    ("song too long", "".join(f"[S{i}] 2:00\n" for i in range(6)), ("E404", 6, 1)),
    ("song too short", "[A] 0:01\n[B] 0:01\n", ("E404", 1, 1)),
    # lyrics
    ("31 lyric lines", V + lyric_lines(31), ("E405", 32, 1)),
    ("lyric too long", V + "x" * 201 + "\n", ("E406", 2, 201)),
    ("escaped lyric too long", V + "\\#" + "x" * 200 + "\n", ("E406", 2, 202)),
    ("lone backslash", V + "\\\n", ("E112", 2, 1)),
    # styles
    ("empty item", V + "+ a,,b\n", ("E106", 2, 5)),
    ("trailing comma", V + "+ a, b,\n", ("E106", 2, 8)),
    ("bare plus", V + "+\n", ("E106", 2, 2)),
    ("empty quoted item", V + '+ a, ""\n', ("E106", 2, 6)),
    ("unclosed quote", V + '+ "big, band\n', ("E107", 2, 3)),
    ("text after quote", V + '+ "big" band, x\n', ("E108", 2, 9)),
    ("51 global styles", "+ " + ", ".join(f"s{i}" for i in range(51)) + "\n" + V, ("E407", 1, 243)),
    ("51 local styles over two lines", V + "+ " + ", ".join(f"a{i}" for i in range(30)) + "\n- n\n+ "
     + ", ".join(f"b{i}" for i in range(21)) + "\n", ("E407", 4, 93)),
    # directives
    ("unknown directive", V + "@repeats V\n", ("E408", 2, 1)),
    ("repeat of nothing", V + "[W]\n@repeat X\n", ("E409", 3, 9)),
    ("repeat of a later section", "[A]\n@repeat B\n[B] 0:10\n", ("E409", 2, 9)),
    ("repeat with lyrics", V + "la\n[W]\n@repeat V\nla\n", ("E410", 5, 1)),
    ("two repeats", V + "[W]\n@repeat V\n@repeat V\n", ("E411", 4, 1)),
    ("two sources", V + "@source a 0:00-0:10\n@source b 0:00-0:10\n", ("E411", 3, 1)),
    ("repeat without name", V + "@repeat\n", ("E110", 2, 8)),
    ("source without range", V + "@source abc\n", ("E110", 2, 12)),
    ("source with bad range", V + "@source abc 0:10\n", ("E110", 2, 17)),
    ("except outside range", V + "@source a 0:10-0:20 except 0:05-0:12\n", ("E307", 2, 28)),
    ("second except outside range", V + "@source a 0:10-0:20 except 0:11-0:12, 0:15-0:21\n", ("E307", 2, 39)),
    ("adherence on v1", V + "@adherence high\n", ("E412", 2, 1)),
    ("condition on v1", V + "@condition a 0:00-0:05\n", ("E412", 2, 1)),
    ("unknown adherence", "model: music_v2\n" + V + "@adherence hi\n", ("E413", 3, 12)),
    ("unknown strength", "model: music_v2\n" + V + "@condition a 0:00-0:05 strength max\n", ("E413", 3, 33)),
]


@pytest.mark.parametrize("name,text,expected", CASES, ids=[c[0] for c in CASES])
def test_rule(name, text, expected):
    found = errors(text)
    assert expected in found, found
    # Nothing is reported before the mistake the rule is about.
    assert min(line for _, line, _ in found) >= expected[1], found


def test_song_too_short_is_reported_at_the_first_heading():
    found = errors("[A] 0:01\n[B] 0:01\n")
    assert ("E404", 1, 1) in found


def test_song_passes_ten_minutes_at_the_heading_where_it_does():
    text = "".join(f"[S{i}] 1:40\n" for i in range(7))  # 6 x 1:40 = 10:00 exactly, the 7th passes
    assert errors(text) == [("E404", 7, 1)]


def test_exactly_ten_minutes_is_fine():
    assert errors("".join(f"[S{i}] 2:00\n" for i in range(5))) == []


def test_limits_at_their_edges_pass():
    text = ("+ " + ", ".join(f"s{i}" for i in range(50)) + "\n"
            f"[{'n' * 100}] 0:03\n" + ("y" * 200 + "\n") * 30 + "[W] 2:00\n")
    assert errors(text) == []


def test_several_syntax_errors_are_all_reported():
    text = "title: x\nla la\n[V 0:10\n[W] 0:10\n+ a,,b\n"
    assert [e[:2] for e in errors(text)] == [("E101", 2), ("E104", 3), ("E106", 5)]


def test_syntax_messages_speak_plain_english():
    bad = ["title x\n", "[V] 0:10 0:20\n", "[V] 0:10\n+ ,\n", "[V] 0:10\n@source\n",
           "[V] 0:10\n@condition a\n", "[V]] 0:10\n", '[V] 0:10\n+ "a\n', ":\n", "[V] 1:1:1\n",
           "[V] 0:10\n@source a 0:00-0:05 except\n", "[V] 0:10\n@source a 0:00-0:05 except 0:01-\n"]
    for text in bad:
        found = diagnostics(text)
        assert found, text
        for d in found:
            blob = d.message + d.hint
            assert "__" not in blob and "ANON" not in blob and "Token(" not in blob, blob
            for terminal in ("_NL", "KEY", "VALUE", "LYRIC", "WORD", "QUOTED", "CLOCK", "$END"):
                assert terminal not in blob.split(), blob
            assert d.hint, d


# ---- warnings

def test_duplicate_style_in_one_list_warns():
    assert warnings("+ rock, Rock\n" + V) == [("W001", 1, 9)]


def test_style_both_positive_and_negative_warns():
    assert warnings("+ rock\n- pop, rock\n" + V) == [("W002", 2, 8)]
    assert warnings(V + "+ drums\n- drums\n") == [("W002", 3, 3)]


def test_global_positive_and_local_negative_is_an_override_not_a_conflict():
    assert warnings("+ drums\n[Intro] 0:10\n- drums\n") == []


def test_repeat_adding_a_copied_style_warns_at_the_added_one():
    assert warnings("[A] 0:10\n+ x\n[B]\n@repeat A\n+ x\n") == [("W001", 5, 3)]


def test_seed_above_32_bits_warns():
    assert warnings("seed: 2147483648\n" + V) == [("W003", 1, 7)]
    assert warnings("seed: 2147483647\n" + V) == []


def test_inline_directions_warn_in_v1_only():
    assert warnings(V + "la {guitar solo} la\n") == [("W004", 2, 4)]
    assert warnings("model: music_v2\n" + V + "la {guitar solo} la\n") == []


def test_respect_durations_warns_for_chunk_models():
    assert warnings("model: music_v2_5\nrespect_durations: no\n" + V) == [("W005", 2, 1)]


def test_suggestions():
    hints = {d.code: d.hint for d in diagnostics("titel: x\n[Chorus] 0:10\n[B]\n@repeat Chorsu\n@sorce x\n")}
    assert "`title`" in hints["E200"]
    assert "`Chorus`" in hints["E409"]
    assert "`@source`" in hints["E408"]
    api = diagnostics("music_length_ms: 3000\nprompt: x\n")[0]
    assert "`length:`" in api.hint
