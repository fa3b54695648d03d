"""Text or JSON to the checked song: the stages chained once.

    bytes --read.source--> text --read.parse/build--> song as written
          --analyse.rules--> resolved song (Analysis) --analyse.lints--> warnings
          (song text only: --analyse.misread--> warnings for what was not meant)

JSON takes ``read.json_positions`` and ``read.json_reader`` to the same song as
written, and the same rules from there. The library face, every command,
``fmt``, ``decompile``, the language server and the benchmark come through
here, so what one of them reports every other reports too.
"""

from __future__ import annotations

import gc

from musicplan.analyse.lints import lint
from musicplan.analyse.misread import misreadings
from musicplan.analyse.rules import Analysis, analyze
from musicplan.analyse.silencing import may_silence, silence
from musicplan.base.diagnostics import Diagnostic, Report
from musicplan.base.record import Record
from musicplan.read.build import build
from musicplan.read.parse import parse_text
from musicplan.read.source import Source, decode

TYPE_CHECKING = False  # as typing's: true for type checkers; at run time typing is not imported (3 ms)
if TYPE_CHECKING:
    from musicplan.read.json_positions import JsonDoc

_NO_CODES: frozenset[str] = frozenset()


class Options(Record):
    """What a run asks of the checker, in one record: ``model`` overrides the
    song's own, ``ignore`` silences warning codes, ``enable`` turns on lints
    that are off by default; ``lints`` False runs the format's rules alone
    (``decompile`` reports only what stops or changes the song); ``strict``
    makes warnings fail the run. The command line and the settings file
    (``cli/config``) meet here."""

    model: str | None = None
    ignore: frozenset[str] = _NO_CODES
    enable: frozenset[str] = _NO_CODES
    lints: bool = True
    strict: bool = False


class Checked(Record):
    """One document after the pipeline: its analysis (None when it has errors
    or could not be read that far), ``kind`` (song | body | plan | chunks) and
    every diagnostic, in order."""

    path: str
    analysis: Analysis | None
    diagnostics: list[Diagnostic]
    kind: str = "song"

    @property
    def ok(self) -> bool:
        return self.analysis is not None and not any(d.is_error for d in self.diagnostics)


class collector_paused:  # noqa: N801 - used as the function it was
    """``with collector_paused():`` the pipeline makes many small objects and no
    cycles of its own; Python's cycle collector would walk them again and again
    (on a large song, more often the larger it is). It runs as usual after."""

    __slots__ = ("was_enabled",)

    def __enter__(self) -> None:
        self.was_enabled = gc.isenabled()
        gc.disable()

    def __exit__(self, *_: object) -> None:
        if self.was_enabled:
            gc.enable()


def analyse_text(source: Source, report: Report, options: Options) -> Analysis:
    """Song text through every stage, errors or not: lines that could not be
    parsed are set aside and the rules run on the rest, so one run reports
    every problem. (The benchmark compiles huge songs that break limits this way.)"""
    collecting = gc.isenabled()  # as collector_paused, without its calls (this runs once a song)
    gc.disable()
    try:
        lines = parse_text(source.text, report)
        written = build(lines, source.path, report)
        analysis = analyze(written, report, options.model)
        misreadings(analysis, report)
        if options.lints:
            lint(analysis, report, options.enable)
    finally:
        if collecting:
            gc.enable()
    silence(report, written if may_silence(source.text) else None, options.ignore, options.enable)
    return analysis


def check_text(source: Source, report: Report, options: Options) -> Analysis | None:
    """Song text through every stage; the analysis, or None when it has errors."""
    analysis = analyse_text(source, report, options)
    return None if report.has_errors else analysis


class JsonChecked(Record):
    analysis: Analysis
    kind: str  # body | plan | chunks
    doc: JsonDoc  # the JSON as read, with the place of every value


def check_json(source: Source, report: Report, options: Options) -> JsonChecked | None:
    """A JSON body or plan through the same rules as a song; None when it could
    not be read into a song (the reasons are in ``report``)."""
    from musicplan.read.json_positions import read
    from musicplan.read.json_reader import model_of, read_model

    doc = read(source.text, report)
    if doc is None:
        return None
    found = read_model(doc, source.path, report)
    if found is None:
        return None
    written, kind = found
    model = options.model or model_of(doc.value, kind, written, report)
    analysis = analyze(written, report, model)
    if options.lints and not report.has_errors:
        lint(analysis, report, options.enable)
    silence(report, None, options.ignore, options.enable)
    for diagnostic in report.diagnostics:
        # The rules' fixes are edits of song text; here they would land in the JSON.
        diagnostic.fix = ()
    return JsonChecked(analysis, kind, doc)


def is_json(path: str, data: bytes) -> bool:
    """JSON plans are told from songs by their name, or (on standard input) by a leading `{`."""
    if path.lower().endswith(".json"):
        return True
    if path.lower().endswith(".song"):
        return False
    return data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{"


def check_bytes(data: bytes, path: str, options: Options, *, documents: bool = False) -> Checked:
    """A file's bytes through the pipeline: song text, or with ``documents`` a
    JSON body or plan when the file is one."""
    report = Report(path)
    source = decode(data, path, report)
    if source is None:
        return Checked(path, None, report.sorted())
    return check_source(source, options, as_json=documents and is_json(path, data))


def check_source(source: Source, options: Options, *, as_json: bool) -> Checked:
    """Text through the pipeline, as a song or (``as_json``) a JSON body or plan;
    the analysis only when there is no error."""
    report = Report(source.path)
    if as_json:
        found = check_json(source, report, options)
        if found is None:
            return Checked(source.path, None, report.sorted(), "body")
        return Checked(source.path, None if report.has_errors else found.analysis, report.sorted(), found.kind)
    analysis = check_text(source, report, options)
    return Checked(source.path, analysis, report.sorted())
