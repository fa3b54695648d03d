"""A place in the document to what it means: a heading's start, end and length
(in ms and in bars at the song's tempo), what `@repeat` copies, what a field
sends and to which endpoints, what a directive does, and the documentation of
a diagnostic code."""

from __future__ import annotations

from fractions import Fraction

from lsprotocol import types
from pygls.workspace import PositionCodec

from musicplan.base.diagnostics import Span
from musicplan.lsp.docs import CODE, code_markdown
from musicplan.lsp.document import Placed, SongDocument, clock, seconds
from musicplan.lsp.positions import to_range
from musicplan.read.written import Field, Repeat
from musicplan.spec import limits
from musicplan.spec.vocabulary import BODY_KEYS, FIELDS

DIRECTIVES = {
    "@repeat": "`@repeat NAME` copies the local styles, lyric lines and (if this heading has none) the duration "
               "of the latest earlier section called NAME. This section may add style lines, but no lyrics.",
    "@source": "`@source SONG_ID RANGE [except RANGE, ...]` takes this section from an earlier song "
               "(inpainting): sent as `source_from`, the `except` ranges as `negative_ranges`.",
    "@adherence": f"`@adherence {'|'.join(limits.ADHERENCE_LEVELS)}` sets how closely this chunk follows "
                  "the song around it: "
                  f"`context_adherence`, for {' and '.join(limits.CHUNK_MODELS)} only.",
    "@condition": f"`@condition SONG_ID RANGE [strength {'|'.join(limits.CONDITION_STRENGTHS)}]` "
                  "conditions this chunk on a "
                  "stretch of an earlier song: `conditioning_ref` and `condition_strength`, "
                  f"for {' and '.join(limits.CHUNK_MODELS)} only.",
}

# What the fields that are not sent in the body do.
_NOT_SENT = {
    "title": "not sent: it names the output files",
    "format": "not sent in the body: the `output_format` query parameter of every audio endpoint",
    "bpm": "not sent: it times durations written in bars",
    "meter": "not sent: it times durations written in bars",
    "beat": "not sent: the note `bpm` counts, which times durations written in bars",
}
_SCOPE = {"both": "prompt songs and plan songs", "prompt": "prompt songs only", "plan": "plan songs only"}


def _number(value: Fraction | float) -> str:
    return f"{float(value):.2f}".rstrip("0").rstrip(".")


def heading_markdown(doc: SongDocument, placed: Placed) -> str:
    name = placed.section.name or "(no label)"
    parts = [f"**[{name}]** · section {placed.index + 1} of {len(doc.placed)}"]
    duration = placed.resolved.duration_ms
    if duration is None:
        parts.append(f"starts at {clock(placed.start_ms)}; no duration yet")
    else:
        timing = (f"starts at {clock(placed.start_ms)}, ends at {clock(placed.end_ms)}, "
                  f"lasts {seconds(duration)} ({duration} ms)")
        tempo = doc.analysis.settings.tempo if doc.analysis is not None else None
        if tempo is not None and tempo.bar_ms:
            beats, unit = tempo.meter
            timing += f", {_number(duration / tempo.bar_ms)} bars at {_number(tempo.bpm or 0)} bpm in {beats}/{unit}"
        parts.append(timing)
    if placed.resolved.repeats is not None:
        parts.append(repeat_markdown(doc, placed, placed.resolved.repeats.section.name))
    return "\n\n".join(parts)


def repeat_markdown(doc: SongDocument, placed: Placed, name: str) -> str:
    """What the `@repeat NAME` of section ``placed`` copies."""
    copies = placed.resolved.repeats
    target = doc.placed_of(copies) if copies is not None and copies.section.name == name else None
    if target is None:
        return f"`@repeat` copies an earlier section: none above is called `{name}`."
    resolved = target.resolved
    copied = [f"{len(resolved.lines)} lyric line{'s' if len(resolved.lines) != 1 else ''}"]
    if resolved.positive:
        copied.append("+ " + ", ".join(item.text for item in resolved.positive))
    if resolved.negative:
        copied.append("- " + ", ".join(item.text for item in resolved.negative))
    if resolved.duration_ms is not None:
        copied.append(f"its {seconds(resolved.duration_ms)} (unless this heading gives one)")
    return (f"copies **[{target.section.name}]** (line {target.section.heading.span.line}, "
            f"at {clock(target.start_ms)}): " + "; ".join(copied))


def field_markdown(item: Field) -> str:
    spec = FIELDS.get(item.key)
    if spec is None:
        return f"`{item.raw_key}` is not a field musicplan knows."
    if spec.body is None:
        return f"**{item.key}**: {_NOT_SENT.get(item.key, 'not sent')}"
    key = BODY_KEYS[spec.body]
    return (f"**{item.key}** → sent as `{key.name}` ({key.json_type}) in the request body, "
            f"for {_SCOPE[key.scope]}; endpoints: {', '.join(sorted(key.endpoints))}")


def _within(span: Span, line: int, column: int) -> bool:
    return span.line <= line <= span.end_line and (span.line < line or span.column <= column) and (
        line < span.end_line or column <= span.end_column)


def _word_at(text: str, column: int) -> tuple[str, int, int] | None:
    for match in CODE.finditer(text):
        if match.start() + 1 <= column <= match.end() + 1:
            return match.group(0), match.start() + 1, match.end() + 1
    return None


def hover(doc: SongDocument, line: int, column: int, codec: PositionCodec) -> types.Hover | None:
    parts: list[str] = []
    where: Span | None = None
    text = doc.line(line)
    word = _word_at(text, column)
    if word is not None and code_markdown(word[0]):
        parts.append(code_markdown(word[0]) or "")
        where = Span(line, word[1], line, word[2])
    heading = doc.heading_at(line)
    if heading is not None:
        parts.append(heading_markdown(doc, heading))
        where = where or heading.section.heading.span
    placed = doc.section_at(line)
    if placed is not None and heading is None:
        for directive in placed.section.directives:
            if directive.span.line == line:
                keyword = text.lstrip(" \t").split(None, 1)[0] if text.strip() else ""
                if keyword in DIRECTIVES:
                    parts.append(DIRECTIVES[keyword])
                if isinstance(directive, Repeat):
                    parts.append(repeat_markdown(doc, placed, directive.name))
                where = where or directive.span
    for item in doc.fields:
        if item.key_span.line == line:
            parts.append(field_markdown(item))
            where = where or item.span
    for diagnostic in doc.diagnostics:
        if _within(diagnostic.span, line, column) and (word is None or word[0] != diagnostic.code):
            parts.append(code_markdown(diagnostic.code) or f"**{diagnostic.code}** {diagnostic.message}")
    if not parts:
        return None
    return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value="\n\n---\n\n".join(parts)),
                       range=to_range(where, doc.lines, codec) if where is not None else None)
