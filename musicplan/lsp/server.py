"""The language server: editor requests over stdio to the features in this
package, each a thin reading of one `SongDocument` (the one pipeline, run once
per version of the text)."""

from __future__ import annotations

import logging

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from musicplan import __version__
from musicplan.lsp import diagnose, formatting
from musicplan.lsp.document import SongDocument

log = logging.getLogger(__name__)


class SongServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("musicplan", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.documents: dict[str, SongDocument] = {}

    def document(self, uri: str) -> SongDocument:
        """The checked document for the buffer's current text (checked again only when it changed)."""
        buffer = self.workspace.get_text_document(uri)
        known = self.documents.get(uri)
        if known is not None and known.version == buffer.version and known.text == buffer.source:
            return known
        doc = SongDocument(uri, buffer.source, buffer.version)
        self.documents[uri] = doc
        return doc

    def publish(self, uri: str) -> None:
        doc = self.document(uri)
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
            uri=uri, version=doc.version, diagnostics=diagnose.diagnostics(doc, self.workspace.position_codec)))


server = SongServer()


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: SongServer, params: types.DidOpenTextDocumentParams) -> None:
    ls.publish(params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: SongServer, params: types.DidChangeTextDocumentParams) -> None:
    ls.publish(params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: SongServer, params: types.DidCloseTextDocumentParams) -> None:
    ls.documents.pop(params.text_document.uri, None)
    ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[]))


@server.feature(types.TEXT_DOCUMENT_FORMATTING)
def format_document(ls: SongServer, params: types.DocumentFormattingParams) -> list[types.TextEdit]:
    return formatting.format_edits(ls.document(params.text_document.uri), ls.workspace.position_codec)


def serve() -> None:
    """Speak the protocol on standard input and output until the client says exit."""
    server.start_io()
