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
    # the limits of the 2026-11-22 revision, each at the place song-format.md names
    ("seed above 32 bits", "seed: 2147483648\n" + V, ("E217", 1, 7)),
    ("seed of 5000 digits", "seed: " + "9" * 5000 + "\n" + V, ("E217", 1, 7)),
    ("finetune too long", "finetune: " + "f" * 101 + "\n" + V, ("E218", 1, 11)),
    ("source song id too long", V + "@source " + "s" * 101 + " 0:00-0:10\n", ("E415", 2, 9)),
    ("condition song id too long", "model: music_v2\n" + V + "@condition " + "s" * 101 + " 0:00-0:05\n",
     ("E415", 3, 12)),
    ("11 except ranges", V + "@source a 0:00-1:00 except "
     + ", ".join(f"0:{2 * i:02d}-0:{2 * i + 1:02d}" for i in range(11)) + "\n", ("E416", 2, 28 + 10 * 11)),
    ("condition range under 50 ms", "model: music_v2\n" + V + "@condition a 0:00-0:00.049\n", ("E417", 3, 14)),
    ("condition range over 30 s", "model: music_v2_5\n" + V + "@condition a 1:00-1:30.001 strength low\n",
     ("E417", 3, 14)),
    ("audio reference under 50 ms", "model: music_v2\n[R]\n@source a 0:10-0:10.049\n" + V, ("E414", 3, 11)),
    ("chunk text over 6000 characters", "model: music_v2\n" + V + lyric_lines(29, 200) + "x" * 168 + "\n",
     ("E418", 2, 1)),
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


def test_the_revised_limits_at_their_edges_pass():
    assert errors("seed: 2147483647\nfinetune: " + "f" * 100 + "\n" + V) == []
    assert errors(V + "@source " + "s" * 100 + " 0:00-1:00 except "
                  + ", ".join(f"0:{2 * i:02d}-0:{2 * i + 1:02d}" for i in range(10)) + "\n") == []
    v2 = "model: music_v2\n"
    assert errors(v2 + V + "@condition a 0:00-0:00.050\n[W] 0:10\n@condition b 0:00-0:30\n") == []
    assert errors(v2 + "[R]\n@source a 0:10-0:10.050\n" + V) == []
    # Exactly 6000: "[V]", a line break, 29 lines of 200 with their breaks, and a line of 167.
    assert errors(v2 + V + lyric_lines(29, 200) + "x" * 167 + "\n") == []


def test_chunk_text_counts_a_repeated_sections_lyrics():
    text = "model: music_v2\n" + V + lyric_lines(29, 200) + "x" * 167 + "\n[W] 0:10\n@repeat V\n"
    assert errors(text) == []
    assert errors(text.replace("[W] 0:10", "[Wider] 0:10")) == [("E418", 33, 1)]


def test_revised_limits_apply_to_json_at_the_json_position():
    from musicplan.pipeline import Options, check_bytes

    body = ('{"composition_plan": {"chunks": [\n'
            '  {"text": "[A]", "duration_ms": 10000, "positive_styles": [],\n'
            '   "conditioning_ref": {"song_id": "", "range": {"start_ms": 0, "end_ms": 40000}}},\n'
            '  {"song_id": "x", "range": {"start_ms": 0, "end_ms": 10}}]},\n'
            ' "model_id": "music_v2", "seed": 4294967296, "finetune_id": "' + "f" * 101 + '"}\n')
    found = {(d.code, d.span.line, d.span.column) for d in check_bytes(body.encode(), "b.json", Options(),
                                                                       documents=True).diagnostics}
    lines = body.split("\n")
    assert ("E415", 3, lines[2].index('""') + 1) in found
    # A range in JSON is reported at its start.
    assert ("E417", 3, lines[2].index('0, "end_ms": 40000') + 1) in found
    assert ("E414", 4, lines[3].index('0, "end_ms": 10}') + 1) in found
    assert ("E217", 5, lines[4].index("4294967296") + 1) in found
    assert ("E218", 5, lines[4].index('"fff') + 1) in found
    assert ("W008", 5, lines[4].index('"finetune_id"') + 1) in found
    items = ", ".join(f'{{"start_ms": {i}, "end_ms": {i + 1}}}' for i in range(11))
    v1 = ('{"positive_global_styles": [], "negative_global_styles": [], "sections": [{"section_name": "A",'
          ' "positive_local_styles": [], "negative_local_styles": [], "duration_ms": 10000, "lines": [],'
          ' "source_from": {"song_id": "s", "range": {"start_ms": 0, "end_ms": 100},\n'
          ' "negative_ranges": [' + items + ']}}]}\n')
    found = {(d.code, d.span.line, d.span.column) for d in check_bytes(v1.encode(), "p.json", Options(),
                                                                       documents=True).diagnostics}
    assert found == {("E416", 2, v1.split("\n")[1].index('{"start_ms": 10,') + 14)}
    long_text = "[A]\\n" + "\\n".join(["y" * 200] * 30)
    chunks = '{"chunks": [{"text": "' + long_text + '", "duration_ms": 10000, "positive_styles": []}]}'
    found = {(d.code, d.span.line, d.span.column) for d in check_bytes(chunks.encode(), "c.json", Options(),
                                                                       documents=True).diagnostics}
    assert found == {("E418", 1, chunks.index('"[A]') + 1)}


def test_a_song_without_model_gets_the_deprecation_warning():
    assert warnings("title: x\n" + V, model_unset=True) == [("W007", 1, 1)]
    assert warnings("# a comment\n\n" + V, model_unset=True) == [("W007", 3, 1)]
    assert warnings("prompt: calm piano\n", model_unset=True) == [("W007", 1, 1)]
    hint = next(d.hint for d in diagnostics(V) if d.code == "W007")
    assert "model: music_v2_5" in hint and "model: music_v1" in hint


def test_the_api_name_of_the_field_is_one_error_not_also_the_warning():
    found = diagnostics("model_id: music_v2\n" + V + "+ x\n")
    assert [d.code for d in found] == ["E200"]


def test_stating_the_model_silences_the_deprecation_warning():
    for model in ("music_v1", "music_v2", "music_v2_5"):
        assert warnings(f"model: {model}\n" + V, model_unset=True) == []


def test_compile_model_states_the_model():
    from musicplan.pipeline import Options, check_bytes

    found = check_bytes((V + "+ x\n").encode(), "s.song", Options(model="music_v2")).diagnostics
    assert [d.code for d in found] == []


def test_finetune_with_a_chunk_model_warns():
    assert warnings("model: music_v2\nfinetune: abc\n" + V) == [("W008", 2, 1)]
    assert warnings("model: music_v2_5\nFinetune: abc\n" + V) == [("W008", 2, 1)]
    assert warnings("model: music_v1\nfinetune: abc\n" + V) == []


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
