"""musicplan's positions (1-based lines, columns in code points) to the protocol's
(0-based, columns in the code units the client negotiated: UTF-16 unless it asked
for UTF-8 or UTF-32), and back."""

from __future__ import annotations

from lsprotocol import types
from pygls.workspace import PositionCodec

from musicplan.base.diagnostics import Span


def to_range(span: Span, lines: list[str], codec: PositionCodec) -> types.Range:
    return types.Range(start=to_position(span.line, span.column, lines, codec),
                       end=to_position(span.end_line, span.end_column, lines, codec))


def to_position(line: int, column: int, lines: list[str], codec: PositionCodec) -> types.Position:
    index = max(line - 1, 0)
    if index >= len(lines):
        return types.Position(line=index, character=0)
    text = lines[index]
    return types.Position(line=index, character=codec.client_num_units(text[: max(column - 1, 0)]))


def from_position(position: types.Position, lines: list[str], codec: PositionCodec) -> tuple[int, int]:
    """The 1-based line and code-point column of a client position."""
    if position.line >= len(lines):
        return position.line + 1, 1
    text = lines[position.line]
    units = 0
    for index, char in enumerate(text):
        if units >= position.character:
            return position.line + 1, index + 1
        units += codec.client_num_units(char)
    return position.line + 1, len(text) + 1
