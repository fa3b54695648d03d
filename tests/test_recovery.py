"""Every problem in one run (song-format.md): lines that cannot be parsed are
reported and set aside, the rest is checked, and nothing that depends on a
set-aside line is reported again. Also the syntax messages that name the slip."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st
from songs import diagnostics, errors, warnings
from strategies import hostile_text, v1_body

from musicplan.pipeline import Options, check_bytes
from musicplan.write.body import dumps
from musicplan.write.decompile import decompile_text

V = "[V] 0:10\nla\n"


def test_a_broken_duration_does_not_hide_the_rules_elsewhere():
    text = "tittle: x\nbpm: 120\n[Verse] 0:20\nla\n\n[Chorus] 0:1O\nla\n[Bridge]\nla\n"
    assert errors(text) == [("E200", 1, 1), ("E300", 6, 10), ("E402", 8, 1)]


def test_a_field_without_a_name_does_not_hide_four_field_errors():
    text = ": orphan\ntempo: 120\nseeed: 1\ninpainting: maybe\nmodel: music_v9\n" + V
    assert errors(text) == [("E103", 1, 1), ("E200", 2, 1), ("E200", 3, 1), ("E202", 4, 13), ("E204", 5, 8)]


def test_several_independent_mistakes_and_none_of_their_consequences():
    text = ("title: x\n"
            "bpm 120\n"             # set aside: bars below do not "need a tempo"
            "seed: 1\n"
            "[Intro] 4 bars\n"
            "+ ambient\n"
            "[Chorus 0:10\n"        # set aside: `@repeat Chorus` below is not "no earlier section"
            "la\n"
            "[Chorus 2]\n"
            "@repeat Chorus\n"
            "[Verse]\n"             # really has no duration
            "la\n"
            "[Outro] 0:10\n"
            "@repeat\n"             # set aside: it might have lent a duration
            "+ a,,b\n")
    assert errors(text) == [("E101", 2, 1), ("E104", 6, 1), ("E402", 10, 1), ("E110", 13, 8), ("E106", 14, 5)]


def test_an_unreadable_tempo_is_reported_once():
    # The example: `bpm` is set, so "needs a tempo" would be wrong.
    assert errors("bpm: 120bpm\n[V] 4 bars\nla\n") == [("E206", 1, 6)]
    assert errors("bpm: 120\nmeter: 4\n[V] 4 bars\nla\n") == [("E207", 2, 8)]
    # ... while a song that never set one still hears about it.
    assert errors("[V] 4 bars\nla\n") == [("E305", 1, 5)]


def test_a_section_whose_content_was_set_aside_is_not_called_empty():
    assert [w for w in warnings("[V] 0:10\nla\rla\n", lints=True) if w[0] == "W103"] == []
    assert ("W103", 1, 1) in warnings("[V] 0:10\n", lints=True)


def test_an_unknown_model_does_not_make_v2_directives_errors():
    assert errors("model: music_v9\n[V] 0:10\n@adherence high\nla\n") == [("E204", 1, 8)]


def test_a_set_aside_repeat_does_not_invent_a_missing_duration():
    assert errors("[A] 0:10\nla\n[B]\n@repeat\n") == [("E110", 4, 8)]


def test_a_repeat_of_another_name_is_still_checked_after_a_set_aside_heading():
    found = errors("[Chorus 0:10\nla\n[B]\n@repeat Verse\n")
    assert found == [("E104", 1, 1), ("E409", 4, 9)]


def test_the_parser_runs_once_however_many_lines_are_bad(monkeypatch):
    from musicplan.read import lark_parser, table_parser

    calls: list[str] = []
    real, real_tables = lark_parser.parse, table_parser.parse

    def counting(text, start, on_error=None):
        calls.append(start)
        return real(text, start, on_error)

    def counting_tables(text, start, maker):
        calls.append("tables " + start)
        return real_tables(text, start, maker)

    monkeypatch.setattr(lark_parser, "parse", counting)
    monkeypatch.setattr(table_parser, "parse", counting_tables)
    good = "[S{0}] 0:10\nla la\n+ rock, pop\n"
    bad = "[S{0}] 0:10\n+ a,,b\nla\r la\n"
    text = "".join((bad if i % 2 else good).format(i) for i in range(50))
    found = errors(text)
    assert len([e for e in found if e[0] == "E106"]) == 25
    assert len([e for e in found if e[0] == "E109"]) == 25
    # The tables once, then Lark once for the whole file, not once per mistake.
    assert calls.count("tables start") == 1 and calls.count("start") == 1


# ---- messages that name the slip (golden positions)

def first(text: str):
    d = next(d for d in diagnostics(text) if d.is_error)
    return d.code, d.span.line, d.span.column, d.message, d.hint


def test_a_space_inside_a_duration_is_named():
    code, line, column, message, hint = first("[V] 1m 30s\nla\n")
    assert (code, line, column) == ("E300", 1, 7)  # the space
    assert "space" in message and "`1m30s`" in hint
    code, line, column, message, hint = first("prompt: x\nlength: 1m 30s\n")
    assert (code, line, column) == ("E300", 2, 11)
    assert "space" in message and "`1m30s`" in hint


def test_units_in_capitals_are_named():
    for text, column, fix in (("[V] 8 Bars\nla\n", 5, "`8 bars`"), ("[V] 20S\nla\n", 5, "`20s`"),
                              ("prompt: x\nlength: 2M\n", 9, "`2m`")):
        code, line, got, message, hint = first(text)
        assert (code, line, got) == ("E300", 2 if text.startswith("prompt") else 1, column), text
        assert "lower case" in message and fix in hint, (message, hint)


def test_a_stray_carriage_return_is_shown_escaped():
    code, line, column, message, _ = first("[V] 0:10\nla\rla\n")
    assert (code, line, column) == ("E109", 2, 3)
    assert "\r" not in message and "la\\rla" in message


# ---- JSON: a value of the wrong shape does not hide the rest

def check_json(value: object) -> list[tuple[str, str]]:
    found = check_bytes(json.dumps(value).encode(), "x.json", Options(), documents=True)
    return [(d.code, d.message) for d in found.diagnostics if d.is_error]


SECTION = {"section_name": "A", "positive_local_styles": [], "negative_local_styles": [],
           "duration_ms": 10000, "lines": ["la"]}


def test_json_shape_errors_do_not_hide_limits_and_rules():
    plan = {"positive_global_styles": [1, "rock"], "negative_global_styles": ["rock"],
            "sections": [{**SECTION, "duration_ms": "10s"}, {**SECTION, "section_name": "B", "duration_ms": 200000},
                         {**SECTION, "section_name": 4}, {**SECTION, "lines": ["x" * 201]}]}
    codes = [code for code, _ in check_json({"composition_plan": plan, "model_id": "music_v1", "seed": "7"})]
    assert sorted(codes) == ["E403", "E406", "E500", "E500", "E500", "E500"]


def test_json_chunk_with_a_bad_reference_is_still_checked():
    plan = {"chunks": [{"song_id": 5, "range": {"start_ms": 0, "end_ms": 10}},
                       {"text": "[A]\nla", "duration_ms": 1000, "positive_styles": []}]}
    assert [code for code, _ in check_json(plan)] == ["E500", "E403"]


def test_a_json_model_of_the_wrong_type_does_not_misjudge_the_plan():
    codes = [code for code, _ in check_json({"model_id": 3, "composition_plan": {"chunks": [
        {"text": "[A]", "duration_ms": 10000, "positive_styles": ["x"]}]}})]
    assert codes == ["E500"]


# ---- properties

PROPERTY = settings()  # the profile (conftest.py) sets how many inputs
BAD_LINES = [("+ a,,b", "E106"), ("[Verse 0:10", "E104"), ("@source abc", "E110"), ("[X] 1m 30s", "E300"),
             ("+ \"open", "E107")]


@PROPERTY
@given(v1_body(), st.data())
def test_a_bad_line_anywhere_in_a_valid_song_is_the_one_error(body, data):
    text = decompile_text(dumps(body)).text
    assert text is not None
    lines = text.split("\n")
    first_heading = next(i for i, line in enumerate(lines) if line.startswith("["))
    # Anywhere from the first heading on: in the header a heading would start the sections.
    at = data.draw(st.integers(first_heading + 1, len(lines) - 1))
    bad, code = data.draw(st.sampled_from(BAD_LINES))
    broken = "\n".join(lines[:at] + [bad] + lines[at:])
    assert [(c, line) for c, line, _ in errors(broken)] == [(code, at + 1)], broken


@PROPERTY
@given(hostile_text)
def test_any_text_is_parsed_in_one_pass_with_every_diagnostic_inside_the_file(text):
    from musicplan.base.diagnostics import Report
    from musicplan.read.parse import parse_text

    report = Report("t.song")
    lines = parse_text(text, report)
    assert isinstance(lines, list)
    last = text.count("\n") + 1
    for d in report.diagnostics + diagnostics(text):
        assert 1 <= d.span.line <= last and d.span.column >= 1, d
        assert d.is_error or d.code.startswith("W")


def test_the_lexer_reads_each_character_about_once_however_many_lines_are_bad(monkeypatch):
    # Linear recovery, shown without a clock: the characters the lexer moves over.
    from lark.lexer import LineCounter

    from musicplan.base.diagnostics import Report
    from musicplan.read.parse import parse_text

    moved = [0]
    feed = LineCounter.feed

    def counting(self, token, test_newline=True):
        moved[0] += len(token)
        return feed(self, token, test_newline)

    monkeypatch.setattr(LineCounter, "feed", counting)
    # Lyrics where none may stand (each an error), runs of lines that are one token, bad lines in sections.
    text = "la la la\n" * 300 + "[V] 0:10\n" + ("la\n" * 5 + "+ a,,b\n[W 0:10\n") * 100
    report = Report("t.song")
    parse_text(text, report)
    assert len(report.diagnostics) == 300 + 200
    assert moved[0] <= 2 * len(text)


def test_a_model_line_set_aside_is_not_called_unset():
    found = [(d.code, d.span.line) for d in diagnostics("model music_v2\n[V] 0:10\n@adherence high\nla\n")]
    assert found == [("E101", 1)]


def test_json_of_the_wrong_shape_inside_a_source_is_a_diagnostic_not_a_traceback():
    import musicplan

    plan = ('{"sections":[{"section_name":"a","duration_ms":3000,"lines":[],"positive_local_styles":[],'
            '"negative_local_styles":[],"source_from":{"song_id":"x","range":{"start_ms":5,"end_ms":9000},'
            '"negative_ranges":"abc"}}],"positive_global_styles":[],"negative_global_styles":[]}')
    assert [d.code for d in musicplan.check(plan, "x.json")] == ["E500"]


def test_a_model_id_of_the_wrong_type_is_one_error_not_two():
    import musicplan

    for model in ("0", "false", "[]", "{}"):
        body = ('{"model_id": ' + model + ', "composition_plan": {"chunks": [{"text": "[A]", "duration_ms": 5000, '
                '"positive_styles": ["x"]}]}}')
        assert [d.code for d in musicplan.check(body, "x.json")] == ["E500"], model


def test_a_set_aside_heading_hides_only_a_repeat_of_a_name_it_may_have_had():
    # `Verse 1` is inside `[Verse 10 0:10`, but no heading could have been called that.
    assert errors("[Verse 10 0:10\nla\n[B]\n@repeat Verse 1\n") == [("E104", 1, 1), ("E409", 4, 9)]
    for name in ("erse", "Verse  10", "Verse 10 0"):  # a part, spaces it was not written with, half a word
        assert errors(f"[Verse 10 0:10\nla\n[B]\n@repeat {name}\n") == [("E104", 1, 1), ("E409", 4, 9)], name
    for name in ("Verse", "Verse 10", "Verse 10 0:10"):
        assert errors(f"[Verse 10 0:10\nla\n[B]\n@repeat {name}\n") == [("E104", 1, 1)], name
