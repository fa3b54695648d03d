"""music_v2 and music_v2_5: chunk plans, their limits at the right line, one song both ways."""

from __future__ import annotations

import pytest
from songs import body, errors, warnings

import musicplan
from musicplan.spec.models import ChunkPlan, MusicRequest

V2 = "model: music_v2\n"


def chunks(text: str) -> list[dict]:
    return body(text)["composition_plan"]["chunks"]


@pytest.mark.parametrize("model", ["music_v2", "music_v2_5"])
def test_both_chunk_models_compile_to_chunks(model):
    b = body(f"model: {model}\n[A] 0:10\nla\n")
    assert b["model_id"] == model
    assert b["composition_plan"] == {"chunks": [{"text": "[A]\nla", "duration_ms": 10000, "positive_styles": []}]}
    ChunkPlan.model_validate(b["composition_plan"])
    MusicRequest.model_validate(b)


def test_global_styles_come_first_and_empty_negatives_are_left_out():
    c = chunks(V2 + "+ g1, g2\n[A] 0:10\n+ l\n[B] 0:10\n- n\n")
    assert c[0] == {"text": "[A]", "duration_ms": 10000, "positive_styles": ["g1", "g2", "l"]}
    assert c[1]["negative_styles"] == ["n"]


def test_repeat_works_in_chunks_too():
    c = chunks(V2 + "[A] 0:10\n+ x\nla\n[B]\n@repeat A\n")
    assert c[1] == {"text": "[B]\nla", "duration_ms": 10000, "positive_styles": ["x"]}


def test_audio_reference_chunk_takes_its_duration_from_the_range():
    c = chunks(V2 + "[Ref]\n@source abc 0:10-0:25\n[A] 0:10\n")
    assert c[0] == {"song_id": "abc", "range": {"start_ms": 10000, "end_ms": 25000}}
    assert chunks(V2 + "[Ref] 0:15\n@source abc 0:10-0:25\n")[0]["range"]["end_ms"] == 25000


LIMIT_CASES = [
    ("31 chunks", V2 + "".join(f"[S{i}] 0:10\n" for i in range(31)), ("E400", 32, 1)),
    ("name of 101", V2 + f"[{'n' * 101}] 0:10\n", ("E401", 2, 1)),
    ("chunk too short", V2 + "[A] 2s\n[B] 0:10\n", ("E403", 2, 5)),
    ("chunk too long", V2 + "[A] 2:01\n", ("E403", 2, 5)),
    ("song too long", V2 + "".join(f"[S{i}] 2:00\n" for i in range(6)), ("E404", 7, 1)),
    ("31 lyric lines", V2 + "[A] 0:10\n" + "la\n" * 31, ("E405", 33, 1)),
    ("lyric of 201", V2 + "[A] 0:10\n" + "y" * 201 + "\n", ("E406", 3, 201)),
    ("51 styles after globals", V2 + "+ " + ", ".join(f"g{i}" for i in range(40)) + "\n[A] 0:10\n+ "
     + ", ".join(f"l{i}" for i in range(11)) + "\n", ("E407", 4, 3 + 10 * 4)),
    ("reference with except", V2 + "[R]\n@source a 0:00-0:10 except 0:01-0:02\n", ("E414", 3, 28)),
    ("reference with lyrics", V2 + "[R]\n@source a 0:00-0:10\nla\n", ("E414", 4, 1)),
    ("reference with styles", V2 + "[R]\n+ x\n@source a 0:00-0:10\n", ("E414", 3, 1)),
    ("reference duration differs", V2 + "[R] 0:05\n@source a 0:00-0:10\n", ("E414", 2, 5)),
    ("reference too short", V2 + "[R]\n@source a 0:00-0:00.049\n[B] 0:10\n", ("E414", 3, 11)),
    ("unknown adherence", V2 + "[A] 0:10\n@adherence strong\n", ("E413", 3, 12)),
    ("two adherences", V2 + "[A] 0:10\n@adherence low\n@adherence high\n", ("E411", 4, 1)),
    ("adherence on v1", "[A] 0:10\n@adherence low\n", ("E412", 2, 1)),
    ("condition on v1", "[A] 0:10\n@condition s 0:00-0:05\n", ("E412", 2, 1)),
    ("empty heading on v1", "[] 0:10\n", ("E401", 1, 1)),
]


@pytest.mark.parametrize("name,text,expected", LIMIT_CASES, ids=[c[0] for c in LIMIT_CASES])
def test_chunk_limits(name, text, expected):
    assert expected in errors(text), errors(text)


def test_empty_heading_and_inline_directions_are_fine_for_chunk_models():
    assert chunks(V2 + "[] 0:10\n{guitar solo}\nla\n")[0]["text"] == "{guitar solo}\nla"
    assert warnings(V2 + "[] 0:10\n{guitar solo}\n") == []


def test_respect_durations_is_warned_as_ignored():
    assert warnings(V2 + "respect_durations: yes\n[A] 0:10\n") == [("W005", 2, 1)]


def test_one_song_compiles_to_both_shapes():
    text = "+ rock\n[Verse] 0:20\n+ bass\nla la\n"
    v1 = musicplan.loads(text).to_body()
    v2 = musicplan.loads(text, model="music_v2_5").to_body()
    assert v1["composition_plan"]["sections"][0]["positive_local_styles"] == ["bass"]
    assert v2["model_id"] == "music_v2_5"
    assert v2["composition_plan"]["chunks"] == [
        {"text": "[Verse]\nla la", "duration_ms": 20000, "positive_styles": ["rock", "bass"]}]


def test_the_docs_show_one_song_both_ways():
    from pathlib import Path

    docs = (Path(__file__).resolve().parent.parent / "docs" / "language.md").read_text(encoding="utf-8")
    assert "--model music_v2" in docs and '"chunks"' in docs and '"sections"' in docs
