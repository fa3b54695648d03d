"""`fmt`: a song's canonical text, proved to mean the same before it is used.

Like gdtoolkit's formatter, the result is parsed again and compared with the
original (request body, every setting, every comment in order); if anything
differs the original is kept and the mismatch is reported as our bug.
"""

from __future__ import annotations

from dataclasses import dataclass

from .builder import build
from .checks import Analysis, analyze
from .compiler import body
from .diagnostics import Diagnostic, Report
from .model import SongModel
from .printer import print_song
from .source import Source, from_text
from .syntax import parse_text


class FormatChangedMeaning(Exception):
    """The formatted text would not mean what the original means (a musicplan bug)."""


@dataclass
class Formatted:
    text: str | None  # None when the song has errors
    diagnostics: list[Diagnostic]


def _analyse(source: Source, report: Report) -> tuple[SongModel, Analysis] | None:
    lines = parse_text(source.text, report)
    if lines is None:
        return None
    song = build(lines, source.path, report)
    return song, analyze(song, report)


def _meaning(song: SongModel, analysis: Analysis) -> tuple:
    return (body(analysis), analysis.settings, [c.text for c in song.comments])


def format_source(source: Source) -> Formatted:
    report = Report(source.path)
    found = _analyse(source, report)
    if found is None or report.has_errors:
        return Formatted(None, report.sorted())
    song, analysis = found
    newline = "\r\n" if "\r\n" in source.text else "\n"
    text = print_song(song, newline=newline)
    again = _analyse(from_text(text, source.path), Report(source.path))
    if again is None or _meaning(*again) != _meaning(song, analysis):
        raise FormatChangedMeaning(source.path)
    return Formatted(text, report.sorted())


def format_text(text: str, path: str = "<string>") -> str:
    """The canonical text of a song (SongError if it has errors)."""
    from .diagnostics import SongError

    result = format_source(from_text(text, path))
    if result.text is None:
        raise SongError(result.diagnostics)
    return result.text
