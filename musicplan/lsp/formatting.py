"""A document to the edit that makes it `musicplan fmt`'s text: one edit for the
whole document, none when the song has errors or is already canonical."""

from __future__ import annotations

import logging

from lsprotocol import types
from pygls.workspace import PositionCodec

from musicplan.base.diagnostics import Span
from musicplan.lsp.document import SongDocument
from musicplan.lsp.positions import to_range
from musicplan.read.source import from_text
from musicplan.write.fmt import FormatChangedMeaning, format_source


def formatted(doc: SongDocument) -> str | None:
    """fmt's text for the document, or None when there is nothing to do."""
    if doc.has_errors:
        return None
    try:
        result = format_source(from_text(doc.text, doc.path))
    except FormatChangedMeaning:
        # fmt keeps the original too: say so where the editor shows the server's log.
        logging.getLogger(__name__).error("musicplan bug: fmt would change what %s means; not formatted", doc.path)
        return None
    if result.text is None or result.text == doc.text:
        return None
    return result.text


def format_edits(doc: SongDocument, codec: PositionCodec) -> list[types.TextEdit]:
    text = formatted(doc)
    if text is None:
        return []
    last = len(doc.lines)
    whole = Span(1, 1, last, len(doc.lines[-1]) + 1)
    return [types.TextEdit(range=to_range(whole, doc.lines, codec), new_text=text)]
