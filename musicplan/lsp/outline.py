"""A document to its outline and folds: the header, then one symbol per section
with its place on the timeline (`0:20–0:35 · 15 s`), so the outline reads as
the song's timeline."""

from __future__ import annotations

from lsprotocol import types
from pygls.workspace import PositionCodec

from musicplan.base.diagnostics import Span
from musicplan.lsp.document import Placed, SongDocument, clock, seconds
from musicplan.lsp.positions import to_range


def time_span(placed: Placed) -> str:
    if placed.resolved.duration_ms is None:
        return f"{clock(placed.start_ms)}–? · no duration"
    return f"{clock(placed.start_ms)}–{clock(placed.end_ms)} · {seconds(placed.resolved.duration_ms)}"


def _header_end(doc: SongDocument) -> int:
    first = doc.first_heading_line()
    last = (first - 1) if first is not None else len(doc.lines)
    while last >= 1 and not doc.line(last).strip():
        last -= 1
    return last


def _lines(doc: SongDocument, first: int, last: int) -> Span:
    return Span(first, 1, last, len(doc.line(last)) + 1)


def symbols(doc: SongDocument, codec: PositionCodec) -> list[types.DocumentSymbol]:
    out: list[types.DocumentSymbol] = []
    header_end = _header_end(doc)
    if header_end >= 1:
        fields = [types.DocumentSymbol(
            name=item.key, detail=item.full_value.split("\n")[0], kind=types.SymbolKind.Property,
            range=to_range(_lines(doc, item.key_span.line, item.key_span.line), doc.lines, codec),
            selection_range=to_range(item.key_span, doc.lines, codec))
            for item in doc.fields if item.key_span.line <= header_end]
        settings = doc.analysis.settings if doc.analysis is not None else None
        detail = " · ".join(part for part in (settings.title, settings.model) if part) if settings else ""
        out.append(types.DocumentSymbol(
            name="header", detail=detail, kind=types.SymbolKind.Module,
            range=to_range(_lines(doc, 1, header_end), doc.lines, codec),
            selection_range=to_range(Span(1, 1, 1, 1), doc.lines, codec), children=fields))
    for placed in doc.placed:
        heading = placed.section.heading
        out.append(types.DocumentSymbol(
            name=placed.section.name or "(no label)", detail=time_span(placed), kind=types.SymbolKind.Namespace,
            range=to_range(_lines(doc, heading.span.line, doc.section_end(placed)), doc.lines, codec),
            selection_range=to_range(heading.span, doc.lines, codec)))
    return out


def folds(doc: SongDocument) -> list[types.FoldingRange]:
    """The header and each section, as the editor's fold regions (0-based lines)."""
    out = []
    header_end = _header_end(doc)
    if header_end > 1:
        out.append(types.FoldingRange(start_line=0, end_line=header_end - 1, kind=types.FoldingRangeKind.Region))
    for placed in doc.placed:
        first, last = placed.section.heading.span.line, doc.section_end(placed)
        if last > first:
            out.append(types.FoldingRange(start_line=first - 1, end_line=last - 1,
                                          kind=types.FoldingRangeKind.Region))
    return out
