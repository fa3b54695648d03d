"""The library's face: a song's text, file or JSON to a checked ``Song`` and
its request body; formatting and decompiling as plain functions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from musicplan.analyse.rules import Analysis
from musicplan.base.diagnostics import Diagnostic, SongError
from musicplan.base.record import Record
from musicplan.pipeline import Checked, Options, check_bytes, check_source
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


def _checked(text: str, path: str, options: Options) -> Checked:
    """Song text, or a JSON body or plan (text that starts with `{`), through the pipeline."""
    source = from_text(text, path)
    return check_source(source, options, as_json=source.text.lstrip(" \t\r\n").startswith("{"))


def loads(text: str, path: str = "<string>", *, model: str | None = None) -> Song:
    """Check song text, or a JSON request body or plan (bare ``music_v1`` or
    chunk plan); raise SongError with every diagnostic if it has errors."""
    checked = _checked(text, path, Options(model=model))
    if checked.analysis is None:
        raise SongError(checked.diagnostics)
    return Song(checked.analysis, checked.diagnostics)


def load(path: str | Path, *, model: str | None = None) -> Song:
    """Read and check a .song file, or a .json request body or plan (OSError if
    it can't be read; SongError with every diagnostic if it has errors)."""
    checked = check_bytes(Path(path).read_bytes(), str(path), Options(model=model), documents=True)
    if checked.analysis is None:
        raise SongError(checked.diagnostics)
    return Song(checked.analysis, checked.diagnostics)


def check(text: str, path: str = "<string>") -> list[Diagnostic]:
    """Every diagnostic for song text (or a JSON body or plan), errors and warnings, without raising."""
    return _checked(text, path, Options()).diagnostics


def format(text: str, path: str = "<string>") -> str:  # noqa: A001 - the public name, as black's
    """The canonical text of a song (SongError if it has errors)."""
    from musicplan.write.fmt import format_text

    return format_text(text, path)


def fix(text: str, path: str = "<string>") -> str:
    """Song text with every certain fix applied (``tittle:`` -> ``title:``,
    ``20 sec`` -> ``20s``), checked again until nothing more applies; comments and
    every line no fix is about are kept. Text with nothing to fix comes back
    as it was; what cannot be fixed is left for ``check`` to report."""
    from musicplan.write.fix import fix_text

    return fix_text(text, path)


def decompile(plan: str | dict[str, Any], path: str = "<json>", *, model: str | None = None) -> str:
    """A request body or plan (JSON text or a dict) as canonical .song text
    (SongError if it breaks the format's rules); ``model`` overrides the model
    the JSON implies (a bare chunk plan reads as music_v2)."""
    from musicplan.write.decompile import decompile_text

    text = plan if isinstance(plan, str) else json.dumps(plan, ensure_ascii=False)
    result = decompile_text(text, path, model)
    if result.text is None:
        raise SongError(result.diagnostics)
    return result.text
