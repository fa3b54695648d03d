"""Laws that hold for any input, checked with hypothesis."""

from __future__ import annotations

from hypothesis import given, settings
from strategies import hostile_text, prompt_body, v1_body

import musicplan
from musicplan.base.diagnostics import SongError
from musicplan.spec import openapi
from musicplan.spec.models import MusicRequest
from musicplan.write.body import dumps
from musicplan.write.decompile import decompile_text

PROPERTY = settings()  # the profile (conftest.py) sets how many inputs


@PROPERTY
@given(hostile_text)
def test_any_text_gives_a_song_or_diagnostics_never_a_crash(text):
    try:
        song = musicplan.loads(text)
    except SongError as exc:
        assert exc.errors, "a SongError carries at least one error"
        for d in exc.diagnostics:
            assert d.span.line >= 1 and d.span.column >= 1
            assert d.message and d.hint and d.code[0] in "EW"
        return
    song.to_json()


@PROPERTY
@given(hostile_text)
def test_check_never_raises(text):
    for d in musicplan.check(text):
        assert d.severity in ("error", "warning")


def _round_trip(body):
    result = decompile_text(dumps(body))
    text = result.text
    assert text is not None
    assert [d for d in result.diagnostics if d.is_error or d.code == "W006"] == []
    try:
        song = musicplan.loads(text)
    except SongError as exc:  # pragma: no cover - shows the text on failure
        raise AssertionError(f"{exc}\n---\n{text}") from exc
    return text, song.to_body()


@PROPERTY
@given(v1_body())
def test_generated_plan_songs_compile_to_schema_valid_bodies(body):
    # Songs are generated as request bodies and printed as .song text by the decompiler.
    text, compiled = _round_trip(body)
    assert compiled == body, text
    assert openapi.body_errors(compiled, openapi.DETAILED) == []
    assert openapi.body_errors(compiled, openapi.STREAM) == []
    MusicRequest.model_validate(compiled)


@PROPERTY
@given(prompt_body())
def test_generated_prompt_songs_compile_back(body):
    text, compiled = _round_trip(body)
    assert compiled == body, text
    MusicRequest.model_validate(compiled)
    if compiled["model_id"] == "music_v1":
        assert openapi.body_errors(compiled) == []
