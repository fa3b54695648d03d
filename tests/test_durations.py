"""Every duration form, its value and its mistakes."""

from __future__ import annotations

import pytest
from songs import first_error, sections


def ms(duration: str, header: str = "") -> int:
    return sections(f"{header}[V] {duration}\n")[0]["duration_ms"]


@pytest.mark.parametrize("text,value", [
    ("0:20", 20_000), ("1:05.5", 65_500), ("1:05.25", 65_250), ("1:05.125", 65_125),
    ("0:03", 3_000), ("2:00", 120_000), ("00:10", 10_000),
    ("20s", 20_000), ("1.25s", 1_250 + 0 if False else 1_250) if False else ("3.25s", 3_250),
    ("20000ms", 20_000), ("2m", 120_000), ("1m30s", 90_000), ("1m7.5s", 67_500),
    ("0m45s", 45_000),
])
def test_time_forms(text, value):
    assert ms(text) == value


@pytest.mark.parametrize("text,header,value", [
    ("8 bars", "bpm: 120\n", 16_000),           # 8 x 4 x 0.5 s
    ("1 bar", "bpm: 30\n", 8_000),
    ("4.5 bars", "bpm: 120\n", 9_000),
    ("8bars", "bpm: 120\n", 16_000),
    ("6 bars", "bpm: 120\nmeter: 3/4\n", 9_000),  # 6 x 3 x 0.5 s
    # 6/8 counts dotted quarters (song-format.md, revision 2026-11-22; it was
    # eighths, 16 s): 4 bars x 2 beats x 2/3 s = 5.333 s
    ("4 bars", "bpm: 90\nmeter: 6/8\n", 5_333),
    ("4 bars", "bpm: 104\n", 9_231),             # 9230.77 rounds up
    ("2 bars", "bpm: 96.5\n", 4_974),            # 4974.09 rounds down
])
def test_bars(text, header, value):
    assert ms(text, header) == value


def test_halves_round_up():
    # 3 bars at bpm 64 in 5/4: 3 x 5 x 60/64 s = 14.0625 s -> 14063 ms (half up)
    assert ms("3 bars", "bpm: 64\nmeter: 5/4\n") == 14_063


def test_bare_number_suggests_units():
    code, line, column = first_error("[V] 20\n")
    assert (code, line, column) == ("E302", 1, 5)
    from songs import diagnostics

    hint = next(d.hint for d in diagnostics("[V] 20\n") if d.code == "E302")
    assert "20s" in hint and "0:20" in hint


@pytest.mark.parametrize("text,code", [
    ("0:60", "E301"), ("0:5", "E301"), ("1.2345s", "E303"), ("0:10.1234", "E303"),
    ("20x", "E300"), ("20 s", "E300"), ("8 bars", "E305"),  # `20 s`: the space is named (issue 10)
])
def test_duration_mistakes(text, code):
    assert first_error(f"[V] {text}\n")[0] == code


def test_bars_need_bpm_and_point_at_the_duration():
    assert first_error("[V] 8 bars\n") == ("E305", 1, 5)


def test_ranges_refuse_bars_and_backwards():
    base = "inpainting: yes\nbpm: 120\n[V] 0:10\n"
    assert first_error(base + "@source abc 2 bars-0:10\n") == ("E304", 4, 13)
    assert first_error(base + "@source abc 0:10-0:05\n") == ("E306", 4, 13)
    assert first_error(base + "@source abc 0:10-0:10\n") == ("E306", 4, 13)


def test_range_spaces_around_dash():
    text = "[V] 0:10\n@source abc 0:10 - 0:30.5\n"
    assert sections(text)[0]["source_from"]["range"] == {"start_ms": 10_000, "end_ms": 30_500}


def test_length_field_takes_every_time_form():
    from songs import body

    assert body("prompt: x\nlength: 1m30s\n")["music_length_ms"] == 90_000
    assert body("prompt: x\nlength: 20000ms\n")["music_length_ms"] == 20_000
    assert first_error("prompt: x\nlength: 90\n") == ("E302", 2, 9)
    assert first_error("prompt: x\nlength: soon\n") == ("E300", 2, 9)


@pytest.mark.parametrize("header,bar_ms", [
    ("bpm: 120\nmeter: 6/8\n", 1_000),               # two dotted quarters of 0.5 s: a jig
    ("bpm: 120\nmeter: 6/8\nbeat: 1/4\n", 1_500),    # three quarters, as most DAWs count
    ("bpm: 120\nmeter: 6/8\nbeat: 1/8\n", 3_000),    # six eighths
    ("bpm: 120\nmeter: 6/8\nbeat: 3/8\n", 1_000),    # the default, said outright
    ("bpm: 120\nmeter: 9/8\n", 1_500),               # three dotted quarters
    ("bpm: 120\nmeter: 12/8\n", 2_000),
    ("bpm: 60\nmeter: 6/4\n", 2_000),                # two dotted halves of 1 s
    ("bpm: 120\nmeter: 3/4\n", 1_500),               # 3 is simple: three quarters
    ("bpm: 120\nmeter: 3/8\n", 1_500),               # three eighths counted as beats
    ("bpm: 120\nmeter: 2/2\n", 1_000),               # two halves
    ("bpm: 120\nbeat: 1/2\n", 1_000),                # 4/4 counted in halves
])
def test_a_bar_counts_the_beat_of_its_meter(header, bar_ms):
    assert ms("4 bars", header) == 4 * bar_ms


def test_tempo_fields_may_follow_the_length_that_uses_them():
    from songs import body

    assert body("prompt: x\nlength: 8 bars\nbpm: 120\n")["music_length_ms"] == 16_000


@pytest.mark.parametrize("header,code,column", [
    ("bpm: 120\nbeat: quarter\n", "E216", 7), ("bpm: 120\nbeat: 0/4\n", "E216", 7),
    ("bpm: 120\nmeter: 6/0\n", "E207", 8),
])
def test_unreadable_tempo_fields(header, code, column):
    from songs import errors

    assert errors(header + "[V] 4 bars\n+ x\n") == [(code, 2, column)]  # and nothing about the bars


def test_bpm_with_its_unit_is_one_error_not_two():
    from songs import diagnostics

    found = [d for d in diagnostics("bpm: 120bpm\n[V] 4 bars\n+ x\n") if d.is_error]
    assert [(d.code, d.span.line) for d in found] == [("E206", 1)]
    assert "`bpm: 120`" in found[0].hint


@pytest.mark.parametrize("text,hint", [
    ("1:5", "`1:05`"), ("0:90", "`1:30`"), ("2:75", "`3:15`"),
])
def test_clock_hints_say_what_was_meant(text, hint):
    from songs import diagnostics

    found = [d for d in diagnostics(f"[V] {text}\n+ x\n") if d.code == "E301"]
    assert found and hint in found[0].hint and "90 seconds" not in found[0].hint
