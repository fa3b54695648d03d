"""Word timestamps matched to lyric lines → enhanced LRC and SRT; `musicplan lyrics`."""

from __future__ import annotations

import json
import re
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from musicplan.cli import main
from musicplan.write.lyrics import (
    Word,
    lrc_time,
    plan_lines,
    read_words,
    srt_time,
    timed_lines,
    to_lrc,
    to_srt,
)

LINES = ["Walking down the neon street", "Lights are flashing at my feet", "Neon nights!"]


def heard(*texts: str, step: int = 300) -> list[Word]:
    return [Word(text, i * step, i * step + step - 50) for i, text in enumerate(texts)]


def test_words_are_grouped_by_the_lines_they_were_sung_in():
    words = heard("walking", "down", "the", "neon", "street", "lights", "are", "flashing", "at", "my", "feet",
                  "Neon", "nights")
    lines = timed_lines(words, LINES)
    assert [line.text for line in lines] == ["walking down the neon street", "lights are flashing at my feet",
                                             "Neon nights"]
    assert lines[1].start_ms == 1500 and lines[1].end_ms == 10 * 300 + 250


def test_mishears_extra_and_missing_words_stay_on_their_lines():
    # "flashin'" for "flashing", an extra "oh" between the lines, "at my" never heard.
    words = heard("Walking", "down", "the", "neon", "street", "oh", "lights", "are", "flashin'", "feet", "neon",
                  "nights")
    words[5] = Word("oh", 1450, 1500)  # right after "street", long before "lights"
    lines = timed_lines(words, LINES)
    assert [line.text for line in lines] == ["Walking down the neon street oh", "lights are flashin' feet",
                                             "neon nights"]


def test_a_repeated_chorus_lines_up_in_order():
    lines = timed_lines(heard("la", "la", "go", "la", "la", "go"), ["La la", "go", "La la", "go"])
    assert [(line.text, line.start_ms) for line in lines] == [("la la", 0), ("go", 600), ("la la", 900),
                                                              ("go", 1500)]


def test_without_lyric_lines_pauses_break_lines():
    words = [Word("a", 0, 100), Word("b", 200, 300), Word("c", 2000, 2100)]
    assert [line.text for line in timed_lines(words, [])] == ["a b", "c"]


def test_plan_lines_of_both_shapes():
    v1 = {"sections": [{"lines": ["One", "Two"]}, {"lines": []}, {"lines": ["..."]}]}
    v2 = {"chunks": [{"text": "[Verse]\nOne {whisper}\n{guitar solo}\nTwo"}, {"song_id": "x", "range": {}}]}
    assert plan_lines(v1) == ["One", "Two"]
    assert plan_lines(v2) == ["One", "Two"]
    assert plan_lines(None) == [] and plan_lines({"chunks": "no"}) == []


def test_times_are_formatted_as_lrc_and_srt_count():
    assert lrc_time(0) == "00:00.00" and lrc_time(83_456) == "01:23.45" and lrc_time(599_999) == "09:59.99"
    assert srt_time(3_723_004) == "01:02:03,004"


def test_lrc_and_srt_text():
    lines = timed_lines([Word("Hi", 1000, 1400), Word("there", 1500, 2000), Word("Bye", 5000, 5600)], ["Hi there",
                                                                                                      "Bye"])
    assert to_lrc(lines, "A [b]") == ("[ti:A (b)]\n[re:musicplan]\n"
                                      "[00:01.00] <00:01.00> Hi <00:01.50> there <00:02.00>\n"
                                      "[00:05.00] <00:05.00> Bye <00:05.60>\n")
    assert to_srt(lines) == ("1\n00:00:01,000 --> 00:00:02,000\nHi there\n\n"
                             "2\n00:00:05,000 --> 00:00:05,600\nBye\n")


def test_malformed_words_are_left_out_and_named():
    words, problems = read_words([{"word": "ok", "start_ms": 1, "end_ms": 2}, {"word": 3}, "x",
                                  {"word": "n", "start_ms": True, "end_ms": 1}, {"word": "  ", "start_ms": 1,
                                                                                 "end_ms": 2}])
    assert words == [Word("ok", 1, 2)]
    assert problems == ["`words_timestamps[1]` is not {word, start_ms, end_ms}",
                        "`words_timestamps[2]` is not {word, start_ms, end_ms}",
                        "`words_timestamps[3]` is not {word, start_ms, end_ms}"]
    assert read_words({"no": 1}) == ([], ["`words_timestamps` is not a list"])


@given(st.lists(st.text(alphabet="ab c", min_size=1, max_size=8), max_size=6),
       st.lists(st.tuples(st.sampled_from(["a", "b", "ab", "c", "x", "!"]), st.integers(0, 400)), max_size=30))
def test_every_heard_word_appears_once_in_time_order(lines, spoken):
    words, at = [], 0
    for text, gap in spoken:
        words.append(Word(text, at + gap, at + gap + 100))
        at += gap + 100
    timed = timed_lines(words, lines)
    flat = [word for line in timed for word in line.words]
    assert flat == words
    assert all(a.start_ms <= b.start_ms for a, b in zip(timed, timed[1:], strict=False))


def _sidecar(tmp_path: Path, **extra) -> Path:
    meta = {"audio_file": "Neon.mp3", "request": {"composition_plan": {"sections": [{"lines": LINES[:1]}]}},
            "composition_plan": {"sections": [{"lines": ["Walking down", "the neon street"]}]},
            "song_metadata": {"title": "Neon"},
            "words_timestamps": [{"word": w, "start_ms": i * 500, "end_ms": i * 500 + 400}
                                 for i, w in enumerate(["Walking", "down", "the", "neon", "street"])]}
    meta.update(extra)
    path = tmp_path / "Neon.mp3.json"
    path.write_text(json.dumps(meta), encoding="utf-8")
    return path


def test_the_lyrics_command_writes_lrc_and_srt_beside_the_audio(tmp_path: Path, capsys):
    sidecar = _sidecar(tmp_path)
    assert main(["lyrics", str(sidecar), "--lrc", "--srt"]) == 0
    lrc = (tmp_path / "Neon.mp3.lrc").read_text(encoding="utf-8")
    assert lrc.splitlines()[2:] == ["[00:00.00] <00:00.00> Walking <00:00.50> down <00:00.90>",
                                    "[00:01.00] <00:01.00> the <00:01.50> neon <00:02.00> street <00:02.40>"]
    assert (tmp_path / "Neon.mp3.srt").read_text(encoding="utf-8").startswith("1\n00:00:00,000 --> 00:00:00,900\n")
    assert main(["lyrics", str(sidecar)]) == 2  # exists
    assert main(["lyrics", str(sidecar), "--srt", "-o", "-"]) == 0
    assert capsys.readouterr().out.startswith("1\n")


def test_the_lyrics_command_on_bad_sidecars(tmp_path: Path, capsys):
    broken = tmp_path / "b.mp3.json"
    broken.write_text('{"words_timestamps": [\n  {,}]}', encoding="utf-8")
    assert main(["lyrics", str(broken)]) == 1
    assert f"{broken}:2:4: error: not JSON" in capsys.readouterr().err
    assert main(["lyrics", str(_sidecar(tmp_path, words_timestamps=None))]) == 1
    assert "timestamps: yes" in capsys.readouterr().err
    assert main(["lyrics", str(tmp_path / "missing.json")]) == 2
    assert main(["lyrics", str(_sidecar(tmp_path)), "--lrc", "--srt", "-o", "x"]) == 2
    err = capsys.readouterr().err
    assert "cannot read" in err and "Traceback" not in err
    assert not re.search(r"\.lrc|\.srt", " ".join(p.name for p in tmp_path.iterdir()))


def test_the_lyrics_command_reads_standard_input_and_writes_to_standard_output(tmp_path: Path, monkeypatch,
                                                                                capsys):
    import io
    import sys

    data = _sidecar(tmp_path).read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    assert main(["lyrics", "-", "--srt"]) == 0
    assert capsys.readouterr().out.startswith("1\n00:00:00,000 --> 00:00:00,900\n")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    assert main(["lyrics", "-", "-o", str(tmp_path / "from-stdin.lrc")]) == 0
    assert "Walking" in (tmp_path / "from-stdin.lrc").read_text(encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    assert main(["lyrics", "-", "--lrc", "--srt"]) == 2  # two formats, one standard output
    assert "give --lrc or --srt" in capsys.readouterr().err


def test_a_sidecar_that_is_not_utf8_is_an_error_in_the_file_not_a_usage_error(tmp_path: Path, capsys):
    # As for every command that checks a file (README: exit codes): E001 at its byte, exit 1.
    sidecar = tmp_path / "Neon.mp3.json"
    sidecar.write_bytes(b'{"words_timestamps": [],\n "x": "\xff"}')
    assert main(["lyrics", str(sidecar)]) == 1
    assert f"{sidecar}:2:8: error[E001]" in capsys.readouterr().err
    assert not (tmp_path / "Neon.mp3.lrc").exists()


def test_the_lyrics_command_reads_no_more_than_any_command(tmp_path: Path, monkeypatch, capsys):
    from musicplan.cli import common

    sidecar = _sidecar(tmp_path)
    monkeypatch.setattr(common, "MAX_INPUT_BYTES", sidecar.stat().st_size - 1)
    assert main(["lyrics", str(sidecar)]) == 2
    assert "too large" in capsys.readouterr().err
    assert not (tmp_path / "Neon.mp3.lrc").exists()



def test_the_lyrics_command_writes_into_a_fifo_as_compile_does(tmp_path: Path):
    from fifos import read_fifo

    sidecar = _sidecar(tmp_path)
    with read_fifo(tmp_path / "pipe") as got:
        assert main(["lyrics", str(sidecar), "-o", str(tmp_path / "pipe")]) == 0
    assert b"Walking" in got[0]
