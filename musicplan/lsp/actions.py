"""Diagnostics to quick fixes: one action for each diagnostic that carries a
fix (``Diagnostic.fix``, the edits `check --fix` applies), and for a duration
without a unit, where two readings are possible, one action for each reading."""

from __future__ import annotations

from lsprotocol import types
from pygls.workspace import PositionCodec

from musicplan.analyse.durations import bare_number_readings
from musicplan.base.diagnostics import Diagnostic, Edit, Span
from musicplan.lsp.diagnose import to_lsp
from musicplan.lsp.document import SongDocument
from musicplan.lsp.positions import to_range


def _text_at(doc: SongDocument, span: Span) -> str:
    if span.line != span.end_line:
        return ""
    return doc.line(span.line)[span.column - 1: span.end_column - 1]


def _title(doc: SongDocument, diagnostic: Diagnostic) -> str:
    if len(diagnostic.fix) == 1:
        edit = diagnostic.fix[0]
        old = _text_at(doc, edit.span)
        if not old:
            return f"Insert `{edit.text}`"
        if not edit.text:
            return f"Remove `{old}`"
        return f"Replace `{old}` with `{edit.text}`"
    return f"Fix {diagnostic.code}: {diagnostic.hint or diagnostic.message}"


def _action(doc: SongDocument, codec: PositionCodec, title: str, diagnostic: Diagnostic,
            edits: tuple[Edit, ...], preferred: bool) -> types.CodeAction:
    changes = [types.TextEdit(range=to_range(edit.span, doc.lines, codec), new_text=edit.text) for edit in edits]
    return types.CodeAction(title=title, kind=types.CodeActionKind.QuickFix, is_preferred=preferred,
                            diagnostics=[to_lsp(diagnostic, doc, codec)],
                            edit=types.WorkspaceEdit(changes={doc.uri: changes}))


def _overlaps(span: Span, first: int, last: int) -> bool:
    return span.line <= last and span.end_line >= first


def code_actions(doc: SongDocument, first: int, last: int, codec: PositionCodec) -> list[types.CodeAction]:
    """The fixes for the diagnostics on lines ``first`` to ``last`` (1-based)."""
    out = []
    for diagnostic in doc.diagnostics:
        if not _overlaps(diagnostic.span, first, last):
            continue
        if diagnostic.fix:
            out.append(_action(doc, codec, _title(doc, diagnostic), diagnostic, diagnostic.fix, True))
        elif diagnostic.code == "E302":
            number = _text_at(doc, diagnostic.span)
            for reading in bare_number_readings(number) if number else ():
                out.append(_action(doc, codec, f"Write `{reading}`", diagnostic,
                                   (Edit(diagnostic.span, reading),), False))
    return out
