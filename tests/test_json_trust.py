"""JSON that the API refuses is refused by `check`; `decompile` refuses or warns,
never silently writes a song that differs; lone surrogates end in a diagnostic."""

from __future__ import annotations

import json

import pytest

from musicplan.base.diagnostics import Report
from musicplan.cli import main
from musicplan.pipeline import Options, check_json
from musicplan.read.source import from_text
from musicplan.write.decompile import decompile_text


def _check(text: str) -> list[tuple[str, str]]:
    report = Report("b.json")
    check_json(from_text(text, "b.json"), report, Options())
    return [(d.severity, d.code) for d in report.sorted()]


def _plan(**section: object) -> str:
    base = {"section_name": "A", "positive_local_styles": ["x"], "negative_local_styles": [],
            "duration_ms": 10_000, "lines": ["la"]}
    return json.dumps({"composition_plan": {"positive_global_styles": [], "negative_global_styles": [],
                                            "sections": [{**base, **section}]}, "model_id": "music_v1"})


def _chunks(*chunks: dict) -> str:
    return json.dumps({"model_id": "music_v2", "composition_plan": {"chunks": list(chunks)}})


CHUNK = {"text": "[A]\nla", "duration_ms": 10_000, "positive_styles": ["x"]}


@pytest.mark.parametrize("text", [
    '{"prompt": "\\ud800 x"}',
    '{"prompt": "x", "model_id": "\\udfff"}',
    '{"\\ud800": 1, "prompt": "x"}',
    _plan(lines=["la \\ud83c"]).replace("\\\\ud83c", "\\ud83c"),
])
def test_a_lone_surrogate_is_an_error_and_breaks_nothing(text, capsys, tmp_path):
    assert ("error", "E003") in _check(text)
    result = decompile_text(text, "b.json")
    assert result.text is None and any(d.code == "E003" for d in result.diagnostics)
    path = tmp_path / "b.json"
    path.write_text(text, encoding="utf-8")
    for command in (["check"], ["check", "--format", "json"], ["check", "--format", "github"], ["decompile"]):
        assert main([*command, str(path)]) == 1
        out, err = capsys.readouterr()
        (out + err).encode("utf-8")  # every message that quotes the string can be written


def test_a_negative_range_is_refused():
    text = _plan(source_from={"song_id": "abc", "range": {"start_ms": -5000, "end_ms": 3000}})
    assert ("error", "E309") in _check(text)
    assert decompile_text(text).text is None


@pytest.mark.parametrize("chunk", [
    {**CHUNK, "condition_strength": "ultra"},
    {**CHUNK, "conditioning_ref": {"song_id": "s", "range": {"start_ms": 0, "end_ms": 5000}},
     "condition_strength": "ultra"},
])
def test_an_unknown_condition_strength_is_refused(chunk):
    assert ("error", "E413") in _check(_chunks(chunk))


def _decompiled(text: str) -> tuple[str | None, list[tuple[str, str]]]:
    result = decompile_text(text)
    return result.text, [(d.severity, d.code) for d in result.diagnostics]


@pytest.mark.parametrize("text", [
    json.dumps({"prompt": "  \n\t "}),
    _plan(section_name="   "),
])
def test_decompile_refuses_what_a_song_cannot_hold(text):
    song, found = _decompiled(text)
    assert song is None and ("error", "E507") in found


@pytest.mark.parametrize("text,fragment", [
    (json.dumps({"prompt": "x", "finetune_id": " ft_1 "}), "finetune: ft_1"),
    (json.dumps({"prompt": "calm\r\nlo-fi\rbeat"}), "  calm\n  lo-fi\n  beat"),
    (_chunks({**CHUNK, "condition_strength": "high"}, CHUNK), "[A] 0:10"),
])
def test_decompile_warns_where_the_song_differs(text, fragment):
    song, found = _decompiled(text)
    assert song is not None and fragment in song
    assert ("warning", "W006") in found


def test_a_lyric_that_reads_as_a_field_is_written_escaped():
    song, found = _decompiled(_plan(lines=["bpm: 120", "seed: 42"]))
    assert song is not None and "\\bpm: 120\n\\seed: 42\n" in song
    from songs import diagnostics

    assert [d.code for d in diagnostics(song)] == []  # no W201: the escape says it is sung


def test_a_number_of_thousands_of_digits_is_found_where_it_stands():
    text = '{"prompt": "x",\n "music_length_ms": ' + "9" * 5000 + "}"
    report = Report("b.json")
    assert check_json(from_text(text, "b.json"), report, Options()) is None
    [found] = report.diagnostics
    assert (found.code, found.span.line, found.span.column) == ("E002", 2, 21)
    assert "5000 digits" in found.message and "set_int_max_str_digits" not in found.message + found.hint
