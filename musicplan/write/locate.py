"""From a place in the request body back to the song text that put it there.

The API's 422 replies name the offending value by its path in the body, e.g.
``["body", "composition_plan", "sections", 2, "duration_ms"]``; ``locate``
turns that into the span of the third section's duration in the .song file.
"""

from __future__ import annotations

from collections.abc import Sequence

from musicplan.analyse.rules import Analysis, Resolved
from musicplan.base.diagnostics import Span
from musicplan.read.written import Adherence, Condition, Source
from musicplan.spec.vocabulary import FIELD_OF_BODY_KEY

Loc = Sequence[str | int]

_START = Span.at(1, 1)


def _field(analysis: Analysis, key: str) -> Span | None:
    found = [f for f in analysis.song.fields if f.key == key]
    return found[0].span if found else None


def _item(items: list, index: object) -> Span | None:
    if isinstance(index, int) and 0 <= index < len(items):
        return items[index].span
    return None


def _directive(resolved: Resolved, kind: type) -> Span | None:
    found = resolved.section.of(kind)
    return found[0].span if found else None


def _section(analysis: Analysis, resolved: Resolved, rest: Loc) -> Span:
    heading = resolved.section.heading
    head = rest[0] if rest else None
    if head in ("duration_ms",):
        return heading.duration.span if heading.duration is not None else heading.span
    if head in ("positive_local_styles", "negative_local_styles", "positive_styles", "negative_styles"):
        items = resolved.positive if head.startswith("positive") else resolved.negative
        if head in ("positive_styles", "negative_styles"):
            items = (analysis.positive if head.startswith("positive") else analysis.negative) + items
        return _item(items, rest[1] if len(rest) > 1 else None) or heading.span
    if head == "lines":
        return _item(resolved.lines, rest[1] if len(rest) > 1 else None) or heading.span
    if head == "text":
        return resolved.lines[0].span if resolved.lines else heading.span
    if head in ("source_from", "song_id", "range"):
        return _directive(resolved, Source) or heading.span
    if head == "context_adherence":
        return _directive(resolved, Adherence) or heading.span
    if head in ("conditioning_ref", "condition_strength"):
        return _directive(resolved, Condition) or heading.span
    return heading.span


def locate(analysis: Analysis, loc: Loc) -> Span:
    """The span in the song of the body value at ``loc`` (the nearest one known)."""
    path = list(loc)
    if path and path[0] in ("body", "query"):
        if path[0] == "query":
            return _field(analysis, "format") or _START
        path = path[1:]
    if not path:
        return _START
    head = path[0]
    if head in FIELD_OF_BODY_KEY:
        return _field(analysis, FIELD_OF_BODY_KEY[head]) or _START
    if head != "composition_plan":
        return _START
    rest = path[1:]
    if not rest:
        return analysis.sections[0].section.heading.span if analysis.sections else _START
    if rest[0] in ("positive_global_styles", "negative_global_styles"):
        items = analysis.positive if rest[0].startswith("positive") else analysis.negative
        return _item(items, rest[1] if len(rest) > 1 else None) or _first_style(analysis) or _START
    if rest[0] in ("sections", "chunks") and len(rest) > 1 and isinstance(rest[1], int):
        if 0 <= rest[1] < len(analysis.sections):
            return _section(analysis, analysis.sections[rest[1]], rest[2:])
    return analysis.sections[0].section.heading.span if analysis.sections else _START


def _first_style(analysis: Analysis) -> Span | None:
    styles = analysis.song.global_styles
    return styles[0].span if styles else None

