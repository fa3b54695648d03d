"""The library's face: load a song, check it, turn it into a request body."""

from __future__ import annotations

import gc
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from .record import Record
from . import compiler
from .builder import build
from .checks import Analysis, analyze
from .diagnostics import Diagnostic, Report, SongError
from .lints import lint, silence
from .model import SongModel
from .source import Source, decode, from_text
from .syntax import parse_text


class Song(Record):
    """A checked song. ``warnings`` holds what was found that is not an error."""

    model: SongModel
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


@contextmanager
def collector_paused() -> Iterator[None]:
    # The pipeline makes many small objects and no cycles of its own; Python's
    # cycle collector would walk them again and again (on a large song, more
    # often the larger it is). It runs as usual once the song is built.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def check_source(source: Source, report: Report, model: str | None = None, *,
                 ignore: frozenset[str] = frozenset(), enable: frozenset[str] = frozenset()) -> Song | None:
    """Run the whole pipeline on one source; the Song, or None when it has errors.
    ``ignore`` silences warning codes; ``enable`` turns on lints that are off by default."""
    with collector_paused():
        lines = parse_text(source.text, report)
        if lines is None:
            return None
        song_model = build(lines, source.path, report)
        analysis = analyze(song_model, report, model)
        lint(analysis, report, enable)
    silence(report, song_model.comments, ignore, enable)
    if report.has_errors:
        return None
    return Song(song_model, analysis, report.sorted())


def check_bytes(data: bytes, path: str, model: str | None = None, *, ignore: frozenset[str] = frozenset(),
                enable: frozenset[str] = frozenset()) -> tuple[Song | None, list[Diagnostic]]:
    report = Report(path)
    source = decode(data, path, report)
    song = check_source(source, report, model, ignore=ignore, enable=enable) if source is not None else None
    return song, report.sorted()


def is_json(path: str, data: bytes) -> bool:
    """JSON plans are told from songs by their name, or (on standard input) by a leading `{`."""
    if path.lower().endswith(".json"):
        return True
    if path.lower().endswith(".song"):
        return False
    return data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{"


def check_document(data: bytes, path: str, model: str | None = None, *, ignore: frozenset[str] = frozenset(),
                   enable: frozenset[str] = frozenset()) -> tuple[Song | None, list[Diagnostic]]:
    """Check a song, or a JSON body or plan by the same rules."""
    if not is_json(path, data):
        return check_bytes(data, path, model, ignore=ignore, enable=enable)
    from .decompiler import analyse_json

    report = Report(path)
    source = decode(data, path, report)
    found = analyse_json(source.text, path, report) if source is not None else None
    if found is not None and not report.has_errors:
        lint(found[3], report, enable)
    silence(report, [], ignore, enable)
    return None, report.sorted()


def loads(text: str, path: str = "<string>", *, model: str | None = None) -> Song:
    """Parse and check song text; raise SongError with every diagnostic if it has errors."""
    report = Report(path)
    song = check_source(from_text(text, path), report, model)
    if song is None:
        raise SongError(report.sorted())
    return song


def load(path: str | Path, *, model: str | None = None) -> Song:
    """Read, parse and check a .song file (OSError if it can't be read)."""
    data = Path(path).read_bytes()
    song, diagnostics = check_bytes(data, str(path), model)
    if song is None:
        raise SongError(diagnostics)
    return song


def check(text: str, path: str = "<string>") -> list[Diagnostic]:
    """Every diagnostic for song text, errors and warnings, without raising."""
    report = Report(path)
    check_source(from_text(text, path), report)
    return report.sorted()
