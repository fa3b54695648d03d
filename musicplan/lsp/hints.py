"""A document to its inlay hints: the start time after each heading, what a
duration in bars lasts (`8 bars` → `= 16 s`), the duration a `@repeat` lends,
and the running total once the song nears its ten minutes."""

from __future__ import annotations

from lsprotocol import types
from pygls.workspace import PositionCodec

from musicplan.lsp.document import SongDocument, clock, seconds
from musicplan.lsp.positions import to_position
from musicplan.spec import limits

NEAR_LIMIT_MS = limits.SONG_MS_MAX * 9 // 10  # from 9:00 on, say how much of the 10:00 is used


def inlay_hints(doc: SongDocument, first: int, last: int, codec: PositionCodec) -> list[types.InlayHint]:
    """The hints on lines ``first`` to ``last`` (1-based)."""
    out: list[types.InlayHint] = []

    def hint(line: int, column: int, label: str) -> None:
        out.append(types.InlayHint(position=to_position(line, column, doc.lines, codec), label=label,
                                   padding_left=True))

    for placed in doc.placed:
        heading = placed.section.heading
        line = heading.span.line
        if not first <= line <= last:
            continue
        end = len(doc.line(line).rstrip(" \t")) + 1
        duration_ms = placed.resolved.duration_ms
        if heading.duration is not None and heading.duration.kind == "bars" and duration_ms is not None:
            hint(line, heading.duration.span.end_column, f"= {seconds(duration_ms)}")
        elif heading.duration is None and duration_ms is not None and placed.resolved.repeats is not None:
            hint(line, end, f"{seconds(duration_ms)} from [{placed.resolved.repeats.section.name}]")
        label = f"at {clock(placed.start_ms)}"
        if placed.end_ms >= NEAR_LIMIT_MS:
            label += f" · total {clock(placed.end_ms)} of {clock(limits.SONG_MS_MAX)}"
        hint(line, end, label)
    return out
