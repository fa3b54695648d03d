"""Section names used by `@repeat` to their heading and back: go to definition,
find references and rename, by the rule the checker resolves them with (the
latest earlier section of that name, kept in ``Resolved.repeats``)."""

from __future__ import annotations

from lsprotocol import types
from pygls.workspace import PositionCodec

from musicplan.base.diagnostics import Span
from musicplan.lsp.document import Placed, SongDocument
from musicplan.lsp.positions import to_range
from musicplan.read.written import Repeat
from musicplan.write.text import heading_name


def _name_span(placed: Placed) -> Span:
    """The name between the brackets of a heading."""
    span = placed.section.heading.span
    return Span(span.line, span.column + 1, span.end_line, span.end_column - 1)


def _inside(span: Span, line: int, column: int) -> bool:
    return span.line == line and span.column <= column <= span.end_column


def _repeats(placed: Placed) -> list[Repeat]:
    return [line for line in placed.section.lines if isinstance(line, Repeat)]


def section_at(doc: SongDocument, line: int, column: int) -> tuple[Placed, Span] | None:
    """The section named under the cursor (on its heading, or in a `@repeat`) and the name's span there."""
    heading = doc.heading_at(line)
    if heading is not None and _inside(heading.section.heading.span, line, column):
        return heading, _name_span(heading)
    placed = doc.section_at(line)
    if placed is None:
        return None
    for repeat in _repeats(placed):
        if _inside(repeat.name_span, line, column) and placed.resolved.repeats is not None:
            target = doc.placed_of(placed.resolved.repeats)
            if target is not None and target.section.name == repeat.name:
                return target, repeat.name_span
    return None


def uses(doc: SongDocument, target: Placed) -> list[Span]:
    """The `@repeat` names that resolve to ``target``."""
    found = []
    for placed in doc.placed:
        if placed.resolved.repeats is target.resolved:
            found += [repeat.name_span for repeat in _repeats(placed) if repeat.name == target.section.name]
    return found


def definition(doc: SongDocument, line: int, column: int, codec: PositionCodec) -> types.Location | None:
    found = section_at(doc, line, column)
    if found is None:
        return None
    return types.Location(uri=doc.uri, range=to_range(_name_span(found[0]), doc.lines, codec))


def references(doc: SongDocument, line: int, column: int, declaration: bool,
               codec: PositionCodec) -> list[types.Location]:
    found = section_at(doc, line, column)
    if found is None:
        return []
    spans = ([_name_span(found[0])] if declaration else []) + uses(doc, found[0])
    return [types.Location(uri=doc.uri, range=to_range(span, doc.lines, codec)) for span in spans]


def prepare_rename(doc: SongDocument, line: int, column: int, codec: PositionCodec) -> types.Range | None:
    found = section_at(doc, line, column)
    return to_range(found[1], doc.lines, codec) if found is not None else None


def rename(doc: SongDocument, line: int, column: int, new_name: str,
           codec: PositionCodec) -> types.WorkspaceEdit | None:
    found = section_at(doc, line, column)
    if found is None:
        return None
    new_name = new_name.strip()
    if not new_name or "\n" in new_name or "\r" in new_name:
        # An empty or broken name would break the heading and every @repeat of it.
        from pygls.exceptions import JsonRpcInvalidParams

        raise JsonRpcInvalidParams("a section name is one line of text, and not empty")
    edits = [types.TextEdit(range=to_range(_name_span(found[0]), doc.lines, codec), new_text=heading_name(new_name))]
    edits += [types.TextEdit(range=to_range(span, doc.lines, codec), new_text=new_name)
              for span in uses(doc, found[0])]
    return types.WorkspaceEdit(changes={doc.uri: edits})
