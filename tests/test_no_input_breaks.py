"""No input breaks the checker: a diagnostic, never a traceback, never minutes."""

from __future__ import annotations

import time

import pytest
from songs import diagnostics, errors

from musicplan.spec import limits

HUGE = "9" * 5000  # past the 4,300 digits Python's int() converts


@pytest.mark.parametrize("text,expected", [
    (f"[V] {HUGE}s\n+ x\n", ("E308", 1, 5)),
    (f"[V] {HUGE}:00\n+ x\n", ("E308", 1, 5)),
    (f"[V] {HUGE}ms\n+ x\n", ("E308", 1, 5)),
    (f"[V] {HUGE}m\n+ x\n", ("E308", 1, 5)),
    (f"[V] 1m{HUGE}s\n+ x\n", ("E308", 1, 5)),
    (f"[V] {HUGE}\n+ x\n", ("E308", 1, 5)),
    (f"bpm: 120\n[V] {HUGE} bars\n+ x\n", ("E308", 2, 5)),
    (f"bpm: 120\n[V] 1.{HUGE} bars\n+ x\n", ("E308", 2, 5)),
    (f"seed: {HUGE}\n[V] 0:10\n+ x\n", ("E217", 1, 7)),  # above 2147483647, however long
    (f"bpm: {HUGE}\n[V] 4 bars\n+ x\n", ("E206", 1, 6)),
    (f"bpm: 0.{'0' * 5000}1\n[V] 0:10\n+ x\n", ("E206", 1, 6)),
    (f"meter: {HUGE}/4\n[V] 0:10\n+ x\n", ("E207", 1, 8)),
    (f"meter: 4/{HUGE}\n[V] 0:10\n+ x\n", ("E207", 1, 8)),
    (f"beat: 1/{HUGE}\n[V] 0:10\n+ x\n", ("E216", 1, 7)),
    (f"prompt: x\nlength: {HUGE}s\n", ("E308", 2, 9)),
    (f"[V] 0:10\n+ x\n@source abc 0:00-{HUGE}s\n", ("E308", 3, 18)),
    (f"model: music_v2\n[V] 0:10\n+ x\n@condition abc {HUGE}s-0:05\n", ("E308", 4, 16)),
])
def test_numbers_of_thousands_of_digits_are_diagnostics(text, expected):
    started = time.perf_counter()
    found = errors(text)
    assert expected in found
    assert time.perf_counter() - started < 5
    assert all(len(d.message) <= 400 for d in diagnostics(text))  # the 5,000 digits are cut short


def test_computed_durations_that_grow_huge_are_refused_not_printed():
    # The smallest tempo a field takes, times the most bars a duration writes:
    # about 10**63 ms, which no message should print in full.
    text = f"bpm: 0.{'0' * 28}1\n[V] {'9' * 29} bars\n+ x\n"
    found = [d for d in diagnostics(text) if d.is_error]
    assert [(d.code, d.span.line) for d in found] == [("E308", 2)]
    assert len(found[0].message) < 100


def test_plan_length_of_thousands_of_digits(capsys):
    from musicplan.cli import main

    assert main(["plan", "--length", HUGE + "s", "a song"]) == 2
    err = capsys.readouterr().err
    assert "far longer than any song" in err


def test_repeat_and_source_in_a_chunk_section_without_a_duration():
    # An AssertionError before: the duration came from @repeat, not the heading.
    text = "model: music_v2\n[A] 0:10\n+ x\n[B]\n@repeat A\n@source abc 0:00-0:05\n"
    assert errors(text) == [("E414", 5, 1)]


def _chain(count: int, grow: bool) -> str:
    parts = ["[S0] 0:10\n+ a0\nla la\n"]
    parts += [f"[S{i}]\n@repeat S{i - 1}\n" + (f"+ a{i}\n" if grow else "") for i in range(1, count)]
    return "".join(parts)


def test_repeat_chains_copy_a_bounded_amount():
    from musicplan.base.diagnostics import Report
    from musicplan.pipeline import Options, analyse_text
    from musicplan.read.source import from_text

    report = Report("t.song")
    analysis = analyse_text(from_text(_chain(400, grow=True), "t.song"), report, Options())
    assert analysis is not None
    sizes = [len(r.positive) for r in analysis.sections]
    assert sizes[:limits.STYLES_PER_LIST_MAX] == list(range(1, limits.STYLES_PER_LIST_MAX + 1))
    # past the limit (reported once, where it is passed) a copy stands for the list
    assert max(sizes) <= limits.STYLES_PER_LIST_MAX + 2
    assert sorted(d.code for d in report.diagnostics if d.is_error) == ["E400", "E404", "E407"]


@pytest.mark.slow
@pytest.mark.parametrize("grow", [True, False])
def test_ten_thousand_chained_repeats_take_seconds(grow):
    started = time.perf_counter()
    found = diagnostics(_chain(10_000, grow))
    assert time.perf_counter() - started < 20  # 22 s and 450 MB before, on a faster machine
    assert {d.code for d in found if d.is_error} <= {"E400", "E404", "E407"}


def test_every_message_and_hint_is_trimmed():
    songs = [
        "format: mp3_44100\n[Chorus]\n+ x\n[B] 0:10\n+ y\n@repeat Chorsu\n",
        "[A] 0:10\n+ x\n[B] 0:10\n@repeat Nothing Like It\n",
        "[V] 1:5\n+ x\n", "bpm: 120bpm\n[V] 4 bars\n+ x\n",
    ]
    for text in songs:
        for d in diagnostics(text):
            assert d.message == d.message.strip() and d.hint == d.hint.strip(), d


def test_hints_point_the_right_way():
    found = {d.code: d for d in diagnostics("format: mp3_44100\n[Chorus\\] 2]\n+ x\n")}
    assert "`mp3_44100_128`" in found["E205"].hint
    assert "`[Chorus\\] 2] 0:20`" in found["E402"].hint
    found = {d.code: d for d in diagnostics("bpm: 90\n[Bridge]\n+ x\n")}
    assert found["E402"].hint == "write one after the heading, e.g. `[Bridge] 0:20` or `[Bridge] 8 bars`"


@pytest.mark.parametrize("text", [
    "prompt: " + "[verse " * 40_000 + "\ninstrumental: yes\n",   # a tag that never closes, 40,000 times
    "+ " + "‘a," * 40_000 + "b’\n[V] 0:10\n",                      # quotes that one far item closes
    "[V] 0:10\n+ x\n- I " + "a" * 40_000 + " b c\n",               # a word with no -ing to find
    "[V] 0:10\n+ x\nb" + " a" * 40_000 + ":\n",                    # a lyric that almost reads as a field
    "[V] 0:10\n+ x\n" + "[C" * 40_000 + "\n",                       # chords that never close
])
def test_misreadings_are_looked_for_in_linear_time(text):
    started = time.perf_counter()
    found = diagnostics(text)
    assert time.perf_counter() - started < 5  # the first of these took 40 s
    assert all(len(d.message) <= 400 for d in found)


def test_global_styles_are_checked_once_not_once_per_chunk():
    styles = ",".join(f"s{i}" for i in range(20_000))
    text = f"model: music_v2\n+ {styles}\n- s7\n" + "".join(f"[S{i}] 0:10\nla\n+ s3, own\n" for i in range(3_000))
    started = time.perf_counter()
    found = diagnostics(text)
    assert time.perf_counter() - started < 10  # 41 s before
    codes = [d.code for d in found]
    assert codes.count("W001") == 3_000  # each chunk's `s3` repeats a global style
    assert codes.count("E407") == 1 and codes.count("W002") == 1  # the global list, once
