"""JSON (a request body, a music_v1 plan or a chunk plan) back to canonical .song text.

The JSON is read into the song model and checked by the same rules as a song;
strings that no .song text can hold exactly are normalised with a warning
(W006); then the model is laid out canonically and printed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from musicplan.analyse.durations import format_clock
from musicplan.analyse.misread import sung_field
from musicplan.base.diagnostics import Diagnostic, Report, Span
from musicplan.pipeline import Options, check_json
from musicplan.read.source import from_text
from musicplan.read.written import Blank, Field, Heading, Line, Lyric, SongModel, Source, StyleItem, StyleLine
from musicplan.spec import limits
from musicplan.spec.vocabulary import FIELDS
from musicplan.write.text import WS, print_song, style_item, style_rows

TYPE_CHECKING = False  # as typing's: true for type checkers; at run time typing is not imported (3 ms)
if TYPE_CHECKING:
    from musicplan.read.json_positions import JsonDoc

_BREAKS = re.compile(r"\r\n|\r|\n")
_SONG_ID = re.compile(r"[^ \t\r\n,]+")
_FIELD_ORDER = {key: index for index, key in enumerate(FIELDS)}


@dataclass
class Decompiled:
    text: str | None
    diagnostics: list[Diagnostic]
    kind: str | None = None  # body | plan | chunks


class _Normaliser:
    def __init__(self, report: Report) -> None:
        self.report = report

    def warn(self, span: Span, message: str) -> None:
        self.report.warning("W006", span, message,
                            "a .song line can't hold this exactly; check the result")

    def one_line(self, text: str, span: Span, what: str) -> str:
        if _BREAKS.search(text):
            self.warn(span, f"{what} holds a line break: its lines are joined with spaces")
            text = " ".join(part.strip(WS) for part in _BREAKS.split(text))
        return text

    def lyric(self, lyric: Lyric) -> Lyric | None:
        text = self.one_line(lyric.text, lyric.span, "a lyric line")
        if text != text.rstrip(WS):
            self.warn(lyric.span, "a lyric line ends in whitespace, which a line can't keep: it is trimmed")
            text = text.rstrip(WS)
        if not text:
            self.warn(lyric.span, "an empty lyric line can't be written (blank lines are not lyrics): it is dropped")
            return None
        lyric.text = text
        lyric.escaped = lyric.escaped or sung_field(text) is not None  # `\bpm: 120`: sung, not misread (W201)
        return lyric

    def refuse(self, span: Span, message: str) -> None:
        self.report.error("E507", span, message, "a song can't hold it: change the value in the JSON")

    def name(self, heading: Heading) -> None:
        name = self.one_line(heading.name, heading.span, "a section name")
        if name and not name.strip(WS):
            self.refuse(heading.span, "a section name of nothing but whitespace: a heading trims it to nothing")
        elif name != name.strip(WS):
            self.warn(heading.span, "a section name has surrounding whitespace, which headings trim")
            name = name.strip(WS)
        heading.name = heading.raw_name = name

    def style(self, item: StyleItem) -> None:
        item.text = self.one_line(item.text, item.span, "a style")

    def field(self, item: Field) -> None:
        if item.key != "prompt":
            value = self.one_line(item.value, item.value_span, f"`{item.key}`")
            if value and not value.strip(WS):
                self.refuse(item.value_span, f"`{item.key}` of nothing but whitespace: a field trims it to nothing")
                return
            if value != value.strip(WS):
                self.warn(item.value_span, f"`{item.key}` has surrounding whitespace, which a field can't keep: "
                          "it is trimmed")
            item.value = value.strip(WS)
            return
        lines = _BREAKS.split(item.value)
        kept = [line.strip(WS) for line in lines if line.strip(WS)]
        if not kept:
            self.refuse(item.value_span, "a prompt of nothing but whitespace")
            return
        if "\r" in item.value:
            self.warn(item.value_span, "the prompt breaks its lines with CR or CRLF: a song breaks them with LF")
        if kept != lines:
            self.warn(item.value_span, "a prompt line is empty or has surrounding whitespace: "
                      "it is trimmed (empty lines are dropped)")
        item.value = "\n".join(kept)

    def song_id(self, source: Source) -> bool:
        if _SONG_ID.fullmatch(source.song_id):
            return True
        self.report.error("E505", source.id_span, f"song id `{source.song_id}` can't be written in a song",
                          "song ids hold no spaces or commas")
        return False


def _normalise(song: SongModel, report: Report) -> None:
    norm = _Normaliser(report)
    for line in song.header:
        if isinstance(line, Field):
            norm.field(line)
        elif isinstance(line, StyleLine):
            for item in line.items:
                norm.style(item)
    for section in song.sections:
        norm.name(section.heading)
        kept: list[Line] = []
        for line in section.lines:
            if isinstance(line, Lyric):
                if norm.lyric(line) is None:
                    continue
            elif isinstance(line, StyleLine):
                for item in line.items:
                    norm.style(item)
            elif hasattr(line, "song_id"):
                norm.song_id(line)  # type: ignore[arg-type]
            kept.append(line)
        section.lines = kept


def _hoist_chunk_styles(song: SongModel) -> None:
    """Styles every generation chunk begins with become the song's global styles,
    when there are at least two generation chunks: a lone one keeps its styles, so
    that they do not seem to apply to the audio references around it."""
    generation = [s for s in song.sections if not s.of(Source) or s.heading.duration is not None]
    if len(generation) < 2:
        return
    hoisted: list[StyleLine] = []
    for positive in (True, False):
        lists = [[i for line in s.styles if line.positive == positive for i in line.items] for s in generation]
        common = 0
        while all(len(items) > common for items in lists) and \
                len({items[common].text for items in lists}) == 1:
            common += 1
        if not common:
            continue
        hoisted.append(StyleLine(positive, lists[0][:common], lists[0][0].span))
        for section in generation:
            kept: list[Line] = []
            dropped = 0
            for line in section.lines:
                if isinstance(line, StyleLine) and line.positive == positive:
                    rest = line.items[max(0, common - dropped):]
                    dropped += len(line.items) - len(rest)
                    if rest:
                        line.items = rest
                        kept.append(line)
                    continue
                kept.append(line)
            section.lines = kept
    index = next((i for i, line in enumerate(song.header) if isinstance(line, StyleLine)), len(song.header))
    song.header[index:index] = hoisted


def _canonical_header(song: SongModel, model: str) -> None:
    fields = sorted((line for line in song.header if isinstance(line, Field) and line.key != "model"),
                    key=lambda field: _FIELD_ORDER[field.key])
    # Always stated: the API's default is deprecated, and a reader should not have to know it.
    fields.insert(0, Field("model", "model", model, Span.at(1, 1), Span.at(1, 1)))
    for field in fields:
        if FIELDS[field.key].kind == "duration" and field.value.endswith("ms"):
            field.value = format_clock(int(field.value[:-2]))  # `length: 2:30`, as people write it
    styles = [line for line in song.header if isinstance(line, StyleLine)]
    song.header = [*fields, *([Blank(0)] if fields and styles else []), *styles]


def _wrapped(lines: list[Line]) -> list[Line]:
    """Style lines too long for one line (``text.style_rows``), split over several
    lines of the same sign (they add up in order, so the song means the same)."""
    out: list[Line] = []
    for line in lines:
        if not isinstance(line, StyleLine):
            out.append(line)
            continue
        items = iter(line.items)
        for row in style_rows([style_item(item.text) for item in line.items]) or [[]]:
            out.append(StyleLine(line.positive, [next(items) for _ in row], line.span))
    return out


def _dropped_strengths(doc: JsonDoc, report: Report) -> None:
    """`condition_strength` without `conditioning_ref` has no `.song` spelling."""
    from musicplan.read.json_reader import orphan_strengths

    for place, _ in orphan_strengths(doc.value):
        report.warning("W006", doc.span(place),
                       "`condition_strength` without `conditioning_ref` can't be written in a song "
                       "(it belongs to `@condition`): it is dropped",
                       "a .song line can't hold this exactly; check the result")


def decompile_text(text: str, path: str = "<json>", model: str | None = None) -> Decompiled:
    """Turn JSON text into .song text; errors leave ``text`` None. ``model`` is
    the model a bare plan is for (a chunk plan does not say which v2 model)."""
    report = Report(path)
    found = check_json(from_text(text, path), report, Options(model=model, lints=False))
    if found is None or report.has_errors:
        return Decompiled(None, report.sorted(), found.kind if found else None)
    song, kind, model = found.analysis.song, found.kind, found.analysis.settings.model
    _normalise(song, report)
    _dropped_strengths(found.doc, report)
    if report.has_errors:
        return Decompiled(None, report.sorted(), kind)
    if model in limits.CHUNK_MODELS:
        _hoist_chunk_styles(song)
    _canonical_header(song, model)
    song.header = _wrapped(song.header)
    for section in song.sections:
        section.lines = _wrapped(section.lines)
    return Decompiled(print_song(song, clock=True), report.sorted(), kind)
