"""JSON back to .song: compile(decompile(j)) == j, and diagnostics at JSON positions."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from strategies import chunk_body, chunk_plan, prompt_body, v1_body, v1_plan

import musicplan
from musicplan.cli import main
from musicplan.write.body import dumps
from musicplan.write.decompile import decompile_text

PROPERTY = settings()  # the profile (conftest.py) sets how many inputs


def song_of(value) -> str:
    result = decompile_text(dumps(value))
    assert result.text is not None, [d.message for d in result.diagnostics]
    assert [d for d in result.diagnostics if d.code == "W006"] == []
    return result.text


def recompile(text: str, plan: bool):
    song = musicplan.loads(text)
    return song.to_plan() if plan else song.to_body()


@PROPERTY
@given(v1_body() | prompt_body() | chunk_body())
def test_bodies_round_trip(body):
    text = song_of(body)
    assert recompile(text, plan=False) == body, text


@PROPERTY
@given(v1_plan() | chunk_plan())
def test_bare_plans_round_trip(plan):
    text = song_of(plan)
    assert recompile(text, plan=True) == plan, text


def test_durations_are_written_as_clock_times():
    plan = {"positive_global_styles": [], "negative_global_styles": [], "sections": [
        {"section_name": "A", "positive_local_styles": [], "negative_local_styles": [],
         "duration_ms": 65_250, "lines": []},
        {"section_name": "B", "positive_local_styles": [], "negative_local_styles": [],
         "duration_ms": 3_000, "lines": []}]}
    assert song_of(plan) == "model: music_v1\n\n[A] 1:05.250\n\n[B] 0:03\n"


def test_hostile_strings_are_escaped_and_quoted():
    plan = {"positive_global_styles": ['a, b', '"q"', "back\\", " pad"], "negative_global_styles": [],
            "sections": [{"section_name": "x]y\\", "positive_local_styles": [], "negative_local_styles": [],
                          "duration_ms": 10_000, "lines": ["# hash", "+ plus", "- minus", "[br]", "@at",
                                                           "\\bs", " lead", "plain"]}]}
    text = song_of(plan)
    assert text == ('model: music_v1\n\n+ "a, b", "\\"q\\"", back\\, " pad"\n\n[x\\]y\\\\] 0:10\n\\# hash\n\\+ plus\n'
                    '\\- minus\n\\[br]\n\\@at\n\\\\bs\n\\ lead\nplain\n')
    assert musicplan.loads(text).to_plan() == plan


def test_chunk_labels_become_headings_and_shared_styles_global():
    plan = {"chunks": [
        {"text": "[Verse]\nla\n{solo}", "duration_ms": 10_000, "positive_styles": ["g", "a"],
         "negative_styles": ["n"]},
        {"text": "[]\nno label", "duration_ms": 10_000, "positive_styles": ["g"], "negative_styles": ["n", "m"]},
        {"song_id": "abc", "range": {"start_ms": 0, "end_ms": 5_000}},
    ]}
    assert song_of(plan) == ("model: music_v2\n\n+ g\n- n\n\n[Verse] 0:10\n+ a\nla\n{solo}\n\n"
                             "[] 0:10\n- m\n\\[]\nno label\n\n[]\n@source abc 0:00-0:05\n")


def test_strings_a_song_cannot_hold_are_normalised_with_warnings():
    plan = {"positive_global_styles": ["two\nlines"], "negative_global_styles": [],
            "sections": [{"section_name": " padded ", "positive_local_styles": [], "negative_local_styles": [],
                          "duration_ms": 10_000, "lines": ["trailing  ", "", "ok"]}]}
    text = json.dumps(plan, indent=2)
    result = decompile_text(text)
    assert result.text == 'model: music_v1\n\n+ two lines\n\n[padded] 0:10\ntrailing\nok\n'
    lines = text.split("\n")
    expected = [lines.index(next(line for line in lines if needle in line)) + 1
                for needle in ('"two\\nlines"', '" padded "', '"trailing  "', '""')]
    assert [(d.code, d.span.line) for d in result.diagnostics] == [("W006", n) for n in expected]


def test_a_missing_model_id_means_music_v1():
    body = {"composition_plan": {"positive_global_styles": [], "negative_global_styles": [],
            "sections": [{"section_name": "A", "positive_local_styles": [], "negative_local_styles": [],
                          "duration_ms": 10_000, "lines": []}]}}
    assert musicplan.loads(song_of(body)).to_body() == {**body, "model_id": "music_v1"}


def test_invalid_plans_get_diagnostics_at_the_json_value():
    text = json.dumps({"composition_plan": {"positive_global_styles": [], "negative_global_styles": [],
                       "sections": [{"section_name": "A", "positive_local_styles": [],
                                     "negative_local_styles": [], "duration_ms": 200000, "lines": []}]},
                       "model_id": "music_v1"}, indent=2)
    result = decompile_text(text)
    assert result.text is None
    (d,) = result.diagnostics
    line = text.split("\n").index('        "duration_ms": 200000,') + 1
    assert (d.code, d.span.line, d.span.column) == ("E403", line, 24)


def test_plan_of_the_wrong_shape_for_the_model():
    body = {"composition_plan": {"chunks": [{"text": "x", "duration_ms": 5000, "positive_styles": []}]},
            "model_id": "music_v1"}
    assert "E504" in [d.code for d in decompile_text(json.dumps(body)).diagnostics]


def test_unwritable_song_id_is_an_error():
    plan = {"chunks": [{"song_id": "has space", "range": {"start_ms": 0, "end_ms": 5000}}]}
    assert [d.code for d in decompile_text(json.dumps(plan)).diagnostics] == ["E505"]


def test_decompile_command(tmp_path, capsys):
    source = tmp_path / "plan.json"
    song = "model: music_v1\n\n[A] 0:10\nla\n"
    source.write_text(musicplan.loads(song).to_json(), encoding="utf-8")
    assert main(["decompile", str(source)]) == 0
    assert capsys.readouterr().out == song
    out = tmp_path / "plan.song"
    assert main(["decompile", str(source), "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == song
    bad = tmp_path / "bad.json"
    bad.write_text('{"sections": [}', encoding="utf-8")
    assert main(["decompile", str(bad), "-o", str(tmp_path / "bad.song")]) == 1
    assert not (tmp_path / "bad.song").exists()
    assert "E002" in capsys.readouterr().err


@pytest.mark.parametrize("value,code", [
    ('{"sections": 3, "positive_global_styles": [], "negative_global_styles": []}', "E500"),
    ('{"positive_global_styles": [], "negative_global_styles": []}', "E501"),
    ('{"prompt": "x", "colour": "red"}', "E502"),
    ('{"hello": 1}', "E503"),
    ('[1, 2]', "E503"),
    ('{"prompt": "x", "prompt": "y"}', "E201"),
    ('{"prompt": NaN}', "E002"),
])
def test_json_shape_errors(value, code):
    assert code in [d.code for d in decompile_text(value).diagnostics]


def test_decompile_and_import_wrap_style_lines_at_the_one_width(monkeypatch):
    from musicplan.importers.to_song import import_text
    from musicplan.write import text

    monkeypatch.setattr(text, "STYLE_LINE_WIDTH", 40)
    styles = [f"style number {n}" for n in range(8)]
    plan = {"positive_global_styles": styles, "negative_global_styles": [],
            "sections": [{"section_name": "Verse", "positive_local_styles": [], "negative_local_styles": [],
                          "duration_ms": 10_000, "lines": ["la la"]}]}
    decompiled = decompile_text(json.dumps({"composition_plan": plan, "model_id": "music_v1"}))
    imported = import_text("Style: " + ", ".join(styles) + "\n\n[Verse]\nla la\n", "x.txt")
    for song in (decompiled.text, imported.text):
        assert song is not None
        lines = [line for line in song.splitlines() if line.startswith("+ ")]
        assert len(lines) > 1 and all(len(line) <= 40 for line in lines), lines
