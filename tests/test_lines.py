"""Each line kind of song-format.md, on its own."""

from __future__ import annotations

import pytest
from songs import body, errors, first_error, plan, sections

import musicplan

SECTION = "[V] 0:10\n"


def lyrics(text: str) -> list[str]:
    return sections(SECTION + text)[0]["lines"]


def test_blank_lines_and_comments_are_ignored_everywhere():
    text = "# top\n\n  \t\ntitle: x\n# between\n[V] 0:10\n\n# inside\nla\n   \nla la\n"
    assert sections(text)[0]["lines"] == ["la", "la la"]


def test_fields_are_case_insensitive_and_trimmed():
    assert body("  SEED  :   7  \n" + SECTION)["seed"] == 7
    assert body("Model: music_v1\n" + SECTION)["model_id"] == "music_v1"


def test_field_value_may_hold_colons():
    assert body("finetune: ft:abc:1\n" + SECTION)["finetune_id"] == "ft:abc:1"


@pytest.mark.parametrize("word,value", [("yes", True), ("No", False), ("TRUE", True),
                                        ("false", False), ("on", True), ("Off", False)])
def test_booleans(word, value):
    assert body(f"inpainting: {word}\n" + SECTION)["store_for_inpainting"] is value


def test_global_and_local_style_lines_add_up_in_order():
    text = "+ a, b\n- x\n+ c\n[V] 0:10\n+ d\n- y, z\n+ e\n"
    p = plan(text)
    assert p["positive_global_styles"] == ["a", "b", "c"]
    assert p["negative_global_styles"] == ["x"]
    assert p["sections"][0]["positive_local_styles"] == ["d", "e"]
    assert p["sections"][0]["negative_local_styles"] == ["y", "z"]


def test_quoted_style_items_hold_commas_and_escapes():
    text = SECTION + '+ "big, layered vocals" , "say \\"hi\\"", "back\\\\slash", plain\n'
    assert sections(text)[0]["positive_local_styles"] == [
        "big, layered vocals", 'say "hi"', "back\\slash", "plain"]


def test_unquoted_style_items_are_literal():
    text = SECTION + "+ back\\slash, 80's, say \"hi\" now,  spaced out  \n"
    assert sections(text)[0]["positive_local_styles"] == [
        "back\\slash", "80's", 'say "hi" now', "spaced out"]


def test_heading_name_is_trimmed_and_unescaped():
    text = "[  Verse \\] one \\\\ two \\x  ] 0:10\n"
    assert sections(text)[0]["section_name"] == "Verse ] one \\ two \\x"


def test_heading_with_brackets_inside():
    assert sections("[a [b\\]] 0:10\n")[0]["section_name"] == "a [b]"


@pytest.mark.parametrize("line,text", [
    ("\\# one", "# one"), ("\\+1", "+1"), ("\\- ooh", "- ooh"), ("\\[x]", "[x]"),
    ("\\@home", "@home"), ("\\\\", "\\"), ("a \\# b", "a \\# b"), ("\\ lead", " lead"),
])
def test_lyric_escapes(line, text):
    assert lyrics(line + "\n") == [text]


def test_lyric_lines_are_stripped_and_indented_lyrics_are_lyrics():
    assert lyrics("   hello there   \n\t\\# tab\n") == ["hello there", "# tab"]


def test_directive_lines_start_with_at():
    assert errors(SECTION + "@nonsense x\n")[0][0] == "E408"


def test_prompt_continuation_lines():
    text = ("prompt:\n  first line\n  # a comment, skipped\n\t\\# escaped\n  second: colon\n"
            "length: 1:00\n")
    assert body(text)["prompt"] == "first line\n# escaped\nsecond: colon"


def test_prompt_on_one_line_and_continued():
    assert body("prompt: a\n  b\n")["prompt"] == "a\nb"


def test_blank_line_ends_a_continuation():
    assert first_error("prompt: a\n\n  b\n") == ("E111", 3, 3)


def test_only_prompt_continues():
    assert first_error("title: a\n  more\n" + SECTION) == ("E111", 2, 3)


def test_byte_order_mark_is_skipped():
    song = musicplan.loads("\ufefftitle: x\n" + SECTION)
    assert song.title == "x"


def test_byte_order_mark_in_bytes_and_crlf(tmp_path):
    path = tmp_path / "crlf.song"
    path.write_bytes(b"\xef\xbb\xbftitle: x\r\n+ a, b\r\n[V] 0:10\r\nla la  \r\n")
    song = musicplan.load(path)
    assert song.to_plan()["sections"][0]["lines"] == ["la la"]
    assert song.to_plan()["positive_global_styles"] == ["a", "b"]


def test_last_line_without_newline():
    assert lyrics("la") == ["la"]


def test_invalid_utf8_names_line_and_byte(tmp_path):
    path = tmp_path / "bad.song"
    path.write_bytes(b"title: x\n[V] 0:10\nla \xff la\n")
    with pytest.raises(musicplan.SongError) as info:
        musicplan.load(path)
    (d,) = info.value.diagnostics
    assert (d.code, d.span.line, d.span.column) == ("E001", 3, 4)
    assert "byte offset 21" in d.message


def test_stray_carriage_return():
    assert first_error(SECTION + "la\rla\n") == ("E109", 2, 3)


def test_positions_count_code_points():
    assert first_error("[Ünïcödé] 20\n") == ("E302", 1, 11)
