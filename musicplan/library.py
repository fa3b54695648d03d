"""The library's face: a song's text, file or JSON to a checked ``Song`` and
its request body; formatting and decompiling as plain functions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from musicplan.analyse.rules import Analysis
from musicplan.base.diagnostics import Diagnostic, Report, SongError
from musicplan.base.record import Record
from musicplan.pipeline import Options, check_bytes, check_text
from musicplan.read.source import from_text
from musicplan.write import body as compiler


class Song(Record):
    """A checked song. ``warnings`` holds what was found that is not an error."""

    analysis: Analysis
    warnings: list[Diagnostic]

    @property
    def title(self) -> str | None:
        return self.analysis.settings.title

    @property
    def model_id(self) -> str:
        return self.analysis.settings.model

    @property
    def output_format(self) -> str | None:
        return self.analysis.settings.output_format

    @property
    def is_prompt(self) -> bool:
        return self.analysis.is_prompt

    def to_body(self) -> dict[str, Any]:
        """The request body for /v1/music, /v1/music/detailed and /v1/music/stream."""
        return compiler.body(self.analysis)

    def to_plan(self) -> dict[str, Any]:
        """The bare ``composition_plan``; a prompt song has none."""
        if self.is_prompt:
            raise ValueError("a prompt song has no composition plan")
        return compiler.plan(self.analysis)

    def to_json(self, *, plan: bool = False) -> str:
        return compiler.dumps(self.to_plan() if plan else self.to_body())


def loads(text: str, path: str = "<string>", *, model: str | None = None) -> Song:
    """Parse and check song text; raise SongError with every diagnostic if it has errors."""
    report = Report(path)
    analysis = check_text(from_text(text, path), report, Options(model=model))
    if analysis is None:
        raise SongError(report.sorted())
    return Song(analysis, report.sorted())


def load(path: str | Path, *, model: str | None = None) -> Song:
    """Read, parse and check a .song file (OSError if it can't be read)."""
    checked = check_bytes(Path(path).read_bytes(), str(path), Options(model=model))
    if checked.analysis is None:
        raise SongError(checked.diagnostics)
    return Song(checked.analysis, checked.diagnostics)


def check(text: str, path: str = "<string>") -> list[Diagnostic]:
    """Every diagnostic for song text, errors and warnings, without raising."""
    report = Report(path)
    check_text(from_text(text, path), report, Options())
    return report.sorted()


def format(text: str, path: str = "<string>") -> str:  # noqa: A001 - the public name, as black's
    """The canonical text of a song (SongError if it has errors)."""
    from musicplan.write.fmt import format_text

    return format_text(text, path)


def decompile(plan: str | dict[str, Any], path: str = "<json>") -> str:
    """A request body or plan (JSON text or a dict) as canonical .song text
    (SongError if it breaks the format's rules)."""
    from musicplan.write.decompile import decompile_text

    text = plan if isinstance(plan, str) else json.dumps(plan, ensure_ascii=False)
    result = decompile_text(text, path)
    if result.text is None:
        raise SongError(result.diagnostics)
    return result.text
