"""`fmt`: a song's canonical text, proved to mean the same before it is used.

Like gdtoolkit's formatter, the result is parsed again and compared with the
original (request body, every setting, every comment in order); if anything
differs the original is kept and the mismatch is reported as our bug.
"""

from __future__ import annotations

from dataclasses import dataclass

from musicplan.analyse.rules import Analysis
from musicplan.base.diagnostics import Diagnostic, Report
from musicplan.pipeline import Options, check_text
from musicplan.read.source import Source, from_text
from musicplan.write.body import body
from musicplan.write.text import print_song


class FormatChangedMeaning(Exception):
    """The formatted text would not mean what the original means (a musicplan bug)."""


@dataclass
class Formatted:
    text: str | None  # None when the song has errors
    diagnostics: list[Diagnostic]


def _meaning(analysis: Analysis) -> tuple:
    return (body(analysis), analysis.settings, [c.text for c in analysis.song.comments])


def format_source(source: Source) -> Formatted:
    report = Report(source.path)
    song = check_text(source, report, Options())
    if song is None:
        return Formatted(None, report.sorted())
    newline = "\r\n" if "\r\n" in source.text else "\n"
    text = print_song(song.song, newline=newline)
    again = check_text(from_text(text, source.path), Report(source.path), Options())
    if again is None or _meaning(again) != _meaning(song):
        raise FormatChangedMeaning(source.path)
    return Formatted(text, report.sorted())


def format_text(text: str, path: str = "<string>") -> str:
    """The canonical text of a song (SongError if it has errors)."""
    from musicplan.base.diagnostics import SongError

    result = format_source(from_text(text, path))
    if result.text is None:
        raise SongError(result.diagnostics)
    return result.text
