"""The fuzzing that found issue 10's crashes, in its quick form: hostile text and
JSON (huge numbers, lone surrogates, controls, `@repeat` chains, misreadings)
end in diagnostics that can be printed, never in a traceback."""

from __future__ import annotations

import json

from hypothesis import given, settings
from strategies import hostile_json, hostile_text, repeat_chains

import musicplan
from musicplan.base.diagnostics import Report
from musicplan.base.terminal import printable
from musicplan.cli.report import SNIPPET_WIDTH, format_text, write_json
from musicplan.pipeline import Options, check_json
from musicplan.read.source import from_text
from musicplan.write.decompile import decompile_text

PROPERTY = settings()  # the profile (conftest.py) sets how many inputs


def _printable_everywhere(diagnostics: list, lines: list[str]) -> None:
    import io

    stream = io.StringIO()
    write_json(diagnostics, stream)
    stream.getvalue().encode("utf-8")  # JSON output can be written
    for d in diagnostics:
        assert d.message == d.message.strip() and d.hint == d.hint.strip(), d  # no trailing spaces
        line = lines[d.span.line - 1] if d.span.line <= len(lines) else ""
        shown = format_text(d, line)
        shown.encode("utf-8")
        for row in shown.rstrip("\n").split("\n"):
            assert printable(row) == row, row  # nothing a terminal would act on
        snippet = shown.split("\n")[2]
        assert len(snippet) <= len(str(d.span.line)) + 3 + 4 * (SNIPPET_WIDTH + 2)


@PROPERTY
@given(hostile_text)
def test_hostile_text_gives_printable_diagnostics(text):
    found = musicplan.check(text, "t.song")
    _printable_everywhere(found, text.split("\n"))


@PROPERTY
@given(repeat_chains())
def test_repeat_chains_resolve_or_say_why(text):
    found = musicplan.check(text, "t.song")
    if not any(d.is_error for d in found):
        body = musicplan.loads(text).to_body()
        assert body["model_id"] in ("music_v1", "music_v2")


@PROPERTY
@given(hostile_json())
def test_hostile_json_is_checked_and_decompiled_without_a_traceback(text):
    report = Report("b.json")
    check_json(from_text(text, "b.json"), report, Options())
    _printable_everywhere(report.sorted(), text.split("\n"))
    result = decompile_text(text, "b.json")
    _printable_everywhere(result.diagnostics, text.split("\n"))
    if result.text is None:
        assert any(d.is_error for d in result.diagnostics)
        return
    # What decompile writes compiles; where it differs from the JSON it said so (W006).
    song = musicplan.loads(result.text)
    if not any(d.code == "W006" for d in result.diagnostics):
        document = json.loads(text)
        compiled = song.to_body()
        if "composition_plan" in document or "prompt" in document:
            assert compiled.get("prompt") == document.get("prompt") or "prompt" not in document
