"""`musicplan fmt`: one canonical layout that never changes what a song means."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import chunk_body, hostile_text, messy, prompt_body, v1_body

import musicplan
from musicplan.base import files as atomic
from musicplan.base.diagnostics import SongError
from musicplan.cli import main
from musicplan.write.body import dumps
from musicplan.write.decompile import decompile_text
from musicplan.write.fmt import format_text

PROPERTY = settings()  # the profile (conftest.py) sets how many inputs

MESSY = """\
# A song   written in a hurry
Title :   Late Night
SEED:42
  + synthwave ,  "80s retro",   "female vocals"
-  acoustic guitar
[Intro]   8bars
bpm-less line? no: this is a lyric
[ Verse \\x  ]   0:20


\\Walking down the street
  \\# one in the city
# a comment about the next line
la la   {soft}



second stanza
\t[Chorus]  15s   \t
+ "big, layered vocals"
\t
@repeat   Verse \\x
"""

MESSY_FORMATTED = """\
# A song   written in a hurry
title: Late Night
seed: 42
+ synthwave, 80s retro, female vocals
- acoustic guitar

[Intro] 8 bars
bpm-less line? no: this is a lyric

[Verse \\x] 0:20
Walking down the street
\\# one in the city
# a comment about the next line
la la   {soft}

second stanza

[Chorus] 15s
+ "big, layered vocals"

@repeat Verse \\x
"""


def test_canonical_layout():
    text = MESSY.replace("[Intro]   8bars", "[Intro]   8bars").replace("SEED:42", "SEED:42\nbpm: 120")
    expected = MESSY_FORMATTED.replace("seed: 42\n", "seed: 42\nbpm: 120\n")
    assert format_text(text) == expected


def test_comment_directly_above_a_heading_moves_with_it():
    text = "[A] 0:10\nla\n# about B\n[B] 0:10\n"
    assert format_text(text) == "[A] 0:10\nla\n\n# about B\n[B] 0:10\n"


def test_prompt_continuation_layout():
    text = "PROMPT:\n   first\n# note\n\t\\+ second\nlength : 1:00\n"
    assert format_text(text) == "prompt:\n  first\n  # note\n  \\+ second\nlength: 1:00\n"


def test_durations_stay_as_written_only_spacing_changes():
    text = "bpm: 60\n[A] 1 bar\n[B] 4.5\tbars\n[C] 20000ms\n[D] 1m7.5s\n[E] 3.25s\n[F] 2m\n"
    out = format_text(text)
    assert out == "bpm: 60\n\n[A] 1 bar\n\n[B] 4.5 bars\n\n[C] 20000ms\n\n[D] 1m7.5s\n\n[E] 3.25s\n\n[F] 2m\n"


def test_quotes_and_escapes_only_where_needed():
    text = '[A] 0:10\n+ "plain", "with, comma", "\\"starts with quote", "back\\\\slash", " padded "\n\\plain\n\\\\x\n'
    assert format_text(text) == (
        '[A] 0:10\n+ plain, "with, comma", "\\"starts with quote", back\\slash, " padded "\nplain\n\\\\x\n')


def test_an_escape_that_says_a_field_like_line_is_sung_is_kept():
    # `\\bpm: 120` is the writer's answer to W201; `bpm: 120` unescaped stays as written, warned.
    text = "model: music_v1\n\n[A] 0:10\n+ x\n\\bpm: 120\nseed: 42\n\\model: she walks\n"
    out = format_text(text)
    assert out == "model: music_v1\n\n[A] 0:10\n+ x\n\\bpm: 120\nseed: 42\nmodel: she walks\n"
    assert [d.code for d in musicplan.check(out)] == ["W201"]


def test_crlf_files_stay_crlf():
    assert format_text("title: x\r\n[A] 0:10\r\nla\r\n") == "title: x\r\n\r\n[A] 0:10\r\nla\r\n"


def test_a_song_with_errors_is_not_formatted():
    with pytest.raises(SongError):
        format_text("[A] 20\n")


def test_examples_are_formatted(examples):
    for path in examples:
        text = path.read_text(encoding="utf-8")
        assert format_text(text) == text, path


# ---- the laws

def _laws(text: str) -> None:
    once = format_text(text)
    assert format_text(once) == once
    assert musicplan.loads(once).to_body() == musicplan.loads(text).to_body()
    def comments(song: str) -> list[str]:
        lines = (line.strip(" \t\r") for line in song.split("\n"))
        return [line for line in lines if line.startswith("#")]

    assert comments(once) == comments(text)


@PROPERTY
@given(st.data(), v1_body() | prompt_body())
def test_laws_on_untidy_songs(data, body):
    canonical = decompile_text(dumps(body)).text
    assert canonical is not None
    _laws(data.draw(messy(canonical)))


@PROPERTY
@given(hostile_text)
def test_fmt_refuses_any_text_with_errors_and_keeps_the_laws_on_the_rest(text):
    try:
        musicplan.loads(text)
    except SongError:
        with pytest.raises(SongError):
            format_text(text)
        return
    _laws(text)


@PROPERTY
@given(st.data(), v1_body() | prompt_body() | chunk_body())
def test_laws_on_untidy_songs_with_hostile_comments_and_line_ends(data, body):
    canonical = decompile_text(dumps(body)).text
    assert canonical is not None
    text = data.draw(messy(canonical))
    comment = "# " + data.draw(st.text(alphabet=st.characters(blacklist_categories=("Cs",),
                                                              blacklist_characters="\r\n"), max_size=30))
    lines = text.split("\n")
    lines.insert(data.draw(st.integers(0, len(lines))), comment)
    text = "\n".join(lines)
    if data.draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    _laws(text)


@PROPERTY
@given(st.data(), v1_body() | prompt_body())
def test_decompile_of_compile_is_fmt_for_songs_without_comments_repeats_or_bars(data, body):
    canonical = decompile_text(dumps(body)).text
    song = data.draw(messy(canonical, comments=False, blanks=False))
    again = decompile_text(musicplan.loads(song).to_json()).text
    assert again == format_text(song)


def test_laws_on_examples(examples):
    for path in examples:
        _laws(path.read_text(encoding="utf-8"))


# ---- the command

UNTIDY = "TITLE: x\n[A]   0:10\nla\n"
TIDY = "title: x\n\n[A] 0:10\nla\n"


@pytest.fixture
def untidy(tmp_path: Path) -> Path:
    path = tmp_path / "u.song"
    path.write_text(UNTIDY, encoding="utf-8")
    return path


def test_fmt_rewrites_in_place(untidy, capsys):
    assert main(["fmt", str(untidy)]) == 0
    assert untidy.read_text(encoding="utf-8") == TIDY
    assert "reformatted" in capsys.readouterr().err
    assert main(["fmt", str(untidy)]) == 0  # nothing left to do
    assert sorted(p.name for p in untidy.parent.iterdir()) == ["u.song"]


def test_fmt_keeps_the_file_mode(untidy):
    os.chmod(untidy, 0o640)
    main(["fmt", str(untidy)])
    assert untidy.stat().st_mode & 0o777 == 0o640


def test_fmt_check_names_files_and_changes_nothing(untidy, capsys):
    assert main(["fmt", "--check", str(untidy)]) == 1
    assert capsys.readouterr().out == f"would reformat {untidy}\n"
    assert untidy.read_text(encoding="utf-8") == UNTIDY


def test_fmt_diff_prints_a_unified_diff_and_changes_nothing(untidy, capsys):
    assert main(["fmt", "--diff", str(untidy)]) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"--- {untidy}\n+++ {untidy}\n")
    assert "-TITLE: x\n" in out and "+title: x\n" in out
    assert untidy.read_text(encoding="utf-8") == UNTIDY


def test_fmt_stdin_to_stdout(monkeypatch, capsys):
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(UNTIDY.encode())))
    assert main(["fmt", "-"]) == 0
    assert capsys.readouterr().out == TIDY


def test_fmt_leaves_a_song_with_errors_untouched(tmp_path, capsys):
    path = tmp_path / "bad.song"
    path.write_text("TITLE: x\n[A] 20\n", encoding="utf-8")
    assert main(["fmt", str(path)]) == 1
    assert path.read_text(encoding="utf-8") == "TITLE: x\n[A] 20\n"
    assert "E302" in capsys.readouterr().err


def test_an_interrupted_write_leaves_the_original(untidy, monkeypatch):
    def fail(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(atomic.os, "replace", fail)
    with pytest.raises(KeyboardInterrupt):
        atomic.write_atomic(untidy, TIDY)
    assert untidy.read_text(encoding="utf-8") == UNTIDY
    assert sorted(p.name for p in untidy.parent.iterdir()) == ["u.song"]


def test_a_format_that_would_change_meaning_is_refused(untidy, monkeypatch, capsys):
    from musicplan.write import fmt as formatter

    monkeypatch.setattr(formatter, "print_song", lambda song, newline="\n": "[Other] 0:10\n")
    assert main(["fmt", str(untidy)]) == 3
    assert untidy.read_text(encoding="utf-8") == UNTIDY
    assert "bug in musicplan" in capsys.readouterr().err


def test_fmt_that_cannot_write_reports_and_keeps_the_file(untidy, capsys, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    import tempfile

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    assert main(["fmt", str(untidy)]) == 1
    assert untidy.read_text(encoding="utf-8") == UNTIDY
    assert "cannot rewrite" in capsys.readouterr().err


def test_fmt_diff_over_several_files_with_warnings_and_errors_prints_no_traceback(tmp_path, capsys):
    tidy = tmp_path / "a.song"
    tidy.write_text("[A] 0:10\nla\n", encoding="utf-8")
    untidy = tmp_path / "b.song"
    untidy.write_text("TITLE:  x\n[A]   0:10\nla\n", encoding="utf-8")
    warned = tmp_path / "c.song"  # W101: far too many words for three seconds
    warned.write_text("[A]  0:03\n" + "words " * 30 + "\n", encoding="utf-8")
    broken = tmp_path / "d.song"
    broken.write_text("[A] 20\n", encoding="utf-8")
    code = main(["fmt", "--diff", str(tidy), str(untidy), str(warned), str(broken)])
    out, err = capsys.readouterr()
    assert code == 1
    assert "Traceback" not in out + err
    assert f"+++ {untidy}" in out and "+title: x" in out
    assert "E302" in err  # the broken file's error, with its snippet
    assert untidy.read_text(encoding="utf-8") == "TITLE:  x\n[A]   0:10\nla\n"  # --diff writes nothing
