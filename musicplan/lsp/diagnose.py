"""musicplan's diagnostics to the protocol's: the same code, message, hint,
severity and place as `check` reports, the place in the client's code units,
and a link to the code's documentation."""

from __future__ import annotations

from lsprotocol import types
from pygls.workspace import PositionCodec

from musicplan.base.diagnostics import Diagnostic
from musicplan.lsp.docs import code_link
from musicplan.lsp.document import SongDocument
from musicplan.lsp.positions import to_range

SOURCE = "musicplan"
_SEVERITY = {"error": types.DiagnosticSeverity.Error, "warning": types.DiagnosticSeverity.Warning}


def message_of(diagnostic: Diagnostic) -> str:
    """The message, and the hint on the line below it (editors show the first line inline)."""
    return f"{diagnostic.message}\n{diagnostic.hint}" if diagnostic.hint else diagnostic.message


def to_lsp(diagnostic: Diagnostic, doc: SongDocument, codec: PositionCodec) -> types.Diagnostic:
    link = code_link(diagnostic.code)
    return types.Diagnostic(
        range=to_range(diagnostic.span, doc.lines, codec),
        severity=_SEVERITY[diagnostic.severity],
        code=diagnostic.code,
        code_description=types.CodeDescription(href=link) if link else None,
        source=SOURCE,
        message=message_of(diagnostic),
        data={"fix": [edit.to_dict() for edit in diagnostic.fix]} if diagnostic.fix else None,
    )


def diagnostics(doc: SongDocument, codec: PositionCodec) -> list[types.Diagnostic]:
    return [to_lsp(d, doc, codec) for d in doc.diagnostics]
