"""An editor's text to what every feature reads: the one pipeline's analysis (kept
even when the song has errors, so the outline and hovers stay useful while typing),
its diagnostics as `check` reports them, and each section's place on the timeline.

Pure Python: no pygls here, so the benchmark and the tests can use it directly.
"""

from __future__ import annotations

from functools import cached_property
from urllib.parse import unquote, urlparse

from musicplan.analyse.durations import format_clock
from musicplan.analyse.rules import Analysis, Resolved
from musicplan.base.diagnostics import Diagnostic, Report
from musicplan.pipeline import Options, analyse_text
from musicplan.read.source import from_text
from musicplan.read.written import Field, Section
from musicplan.write.timeline import Row, rows


def clock(ms: int) -> str:
    return format_clock(ms)


def seconds(ms: int) -> str:
    """Milliseconds as seconds for people: `15 s`, `16.5 s`."""
    return f"{ms / 1000:.3f}".rstrip("0").rstrip(".") + " s"


def path_of(uri: str) -> str:
    """The file path a `file:` URI names (the URI itself for unsaved buffers)."""
    parsed = urlparse(uri)
    if parsed.scheme != "file":
        return uri
    return unquote(parsed.path)




class Placed:
    """One section with its place on the timeline."""

    __slots__ = ("index", "resolved", "row")

    def __init__(self, resolved: Resolved, row: Row, index: int) -> None:
        self.resolved, self.row, self.index = resolved, row, index

    @property
    def section(self) -> Section:
        return self.resolved.section

    @property
    def start_ms(self) -> int:
        return self.row.start_ms

    @property
    def end_ms(self) -> int:
        return self.row.start_ms + self.row.duration_ms


class SongDocument:
    """One version of an open `.song` buffer, checked once."""

    def __init__(self, uri: str, text: str, version: int | None = None, options: Options | None = None) -> None:
        self.uri, self.text, self.version = uri, text, version
        self.path = path_of(uri)
        source = from_text(text, self.path)
        report = Report(self.path)
        options = options or Options()
        # Lines that do not parse are set aside by the pipeline itself, so the outline,
        # hovers and completion work while a line is half written (`@repeat ` before its name).
        self.analysis: Analysis = analyse_text(source, report, options)
        self.diagnostics: list[Diagnostic] = report.sorted()
        # The pipeline reads the text without a byte-order mark: so do positions.
        self.lines: list[str] = source.text.split("\n")

    @property
    def has_errors(self) -> bool:
        return any(d.is_error for d in self.diagnostics)

    def line(self, number: int) -> str:
        """Line ``number`` (1-based) without its line end; "" past the end."""
        if 1 <= number <= len(self.lines):
            return self.lines[number - 1].rstrip("\r")
        return ""

    @cached_property
    def placed(self) -> list[Placed]:
        if self.analysis.is_prompt:
            return []
        return [Placed(resolved, row, index)
                for index, (resolved, row) in enumerate(zip(self.analysis.sections, rows(self.analysis), strict=True))]

    @cached_property
    def fields(self) -> list[Field]:
        return self.analysis.song.fields

    def placed_of(self, resolved: Resolved) -> Placed | None:
        return next((placed for placed in self.placed if placed.resolved is resolved), None)

    def heading_at(self, line: int) -> Placed | None:
        """The section whose heading is on ``line``."""
        return next((placed for placed in self.placed if placed.section.heading.span.line == line), None)

    def section_at(self, line: int) -> Placed | None:
        """The section whose heading is at or above ``line`` (1-based)."""
        found = None
        for placed in self.placed:
            if placed.section.heading.span.line > line:
                break
            found = placed
        return found

    def section_end(self, placed: Placed) -> int:
        """The last non-blank line of a section (1-based)."""
        following = self.placed[placed.index + 1].section.heading.span.line if placed.index + 1 < len(
            self.placed) else len(self.lines) + 1
        last = following - 1
        while last > placed.section.heading.span.line and not self.line(last).strip():
            last -= 1
        return last

    def first_heading_line(self) -> int | None:
        """The line of the first heading as the text now stands (1-based), whatever the analysis."""
        for number, text in enumerate(self.lines, start=1):
            if text.lstrip(" \t").startswith("["):
                return number
        return None

