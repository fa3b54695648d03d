"""The language server: editor requests over stdio to the features in this
package, each a thin reading of one `SongDocument` (the one pipeline, run once
per version of the text)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from musicplan import __version__
from musicplan.lsp import actions, complete, diagnose, formatting, hints, hover, names, outline
from musicplan.lsp.document import SongDocument, path_of
from musicplan.lsp.positions import from_position
from musicplan.pipeline import Options

OptionsFor = Callable[[str], Options]

class SongServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("musicplan", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.documents: dict[str, SongDocument] = {}
        # The run options for a file (its settings file's, as `check` reads them); set by `serve`.
        self.options_for: OptionsFor = lambda path: Options()
        self.options: dict[str, Options] = {}

    def settings(self, uri: str) -> None:
        """Read the options for a document again (when it is opened or saved)."""
        try:
            self.options[uri] = self.options_for(path_of(uri))
        except Exception as exc:  # a broken settings file must not stop the checking
            self.options[uri] = Options()
            self.window_show_message(types.ShowMessageParams(
                type=types.MessageType.Error, message=f"musicplan: settings not used: {exc}"))

    def document(self, uri: str) -> SongDocument:
        """The checked document for the buffer's current text (checked again only when it changed)."""
        if uri not in self.workspace.text_documents:
            # A request about a file the editor never opened: pygls would read it from
            # disk (and fail if it is not there). Answer about an empty song instead.
            return SongDocument(uri, "", None, self.options.get(uri))
        buffer = self.workspace.get_text_document(uri)
        known = self.documents.get(uri)
        if known is not None and known.version == buffer.version and known.text == buffer.source:
            return known
        doc = SongDocument(uri, buffer.source, buffer.version, self.options.get(uri))
        self.documents[uri] = doc
        return doc

    def at(self, uri: str, position: types.Position) -> tuple[SongDocument, int, int]:
        """The document and the 1-based line and code-point column of a client position."""
        doc = self.document(uri)
        line, column = from_position(position, doc.lines, self.workspace.position_codec)
        return doc, line, column

    def publish(self, uri: str) -> None:
        doc = self.document(uri)
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
            uri=uri, version=doc.version, diagnostics=diagnose.diagnostics(doc, self.workspace.position_codec)))


server = SongServer()


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: SongServer, params: types.DidOpenTextDocumentParams) -> None:
    ls.settings(params.text_document.uri)
    ls.publish(params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: SongServer, params: types.DidSaveTextDocumentParams) -> None:
    ls.settings(params.text_document.uri)
    ls.documents.pop(params.text_document.uri, None)  # checked again with the settings as they now are
    ls.publish(params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: SongServer, params: types.DidChangeTextDocumentParams) -> None:
    ls.publish(params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: SongServer, params: types.DidCloseTextDocumentParams) -> None:
    ls.documents.pop(params.text_document.uri, None)
    ls.options.pop(params.text_document.uri, None)
    ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[]))


@server.feature(types.TEXT_DOCUMENT_FORMATTING)
def format_document(ls: SongServer, params: types.DocumentFormattingParams) -> list[types.TextEdit]:
    return formatting.format_edits(ls.document(params.text_document.uri), ls.workspace.position_codec)


@server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
def document_symbols(ls: SongServer, params: types.DocumentSymbolParams) -> list[types.DocumentSymbol]:
    return outline.symbols(ls.document(params.text_document.uri), ls.workspace.position_codec)


@server.feature(types.TEXT_DOCUMENT_FOLDING_RANGE)
def folding_ranges(ls: SongServer, params: types.FoldingRangeParams) -> list[types.FoldingRange]:
    return outline.folds(ls.document(params.text_document.uri))


@server.feature(types.TEXT_DOCUMENT_HOVER)
def hover_at(ls: SongServer, params: types.HoverParams) -> types.Hover | None:
    doc, line, column = ls.at(params.text_document.uri, params.position)
    return hover.hover(doc, line, column, ls.workspace.position_codec)


@server.feature(types.TEXT_DOCUMENT_INLAY_HINT)
def inlay_hints(ls: SongServer, params: types.InlayHintParams) -> list[types.InlayHint]:
    doc = ls.document(params.text_document.uri)
    return hints.inlay_hints(doc, params.range.start.line + 1, params.range.end.line + 1,
                             ls.workspace.position_codec)


@server.feature(types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(trigger_characters=complete.TRIGGERS))
def completion(ls: SongServer, params: types.CompletionParams) -> types.CompletionList:
    doc, line, column = ls.at(params.text_document.uri, params.position)
    return types.CompletionList(is_incomplete=False,
                                items=complete.complete(doc, line, column, ls.workspace.position_codec))


@server.feature(types.TEXT_DOCUMENT_CODE_ACTION,
                types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]))
def code_actions(ls: SongServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    doc = ls.document(params.text_document.uri)
    return actions.code_actions(doc, params.range.start.line + 1, params.range.end.line + 1,
                                ls.workspace.position_codec)


@server.feature(types.TEXT_DOCUMENT_DEFINITION)
def definition(ls: SongServer, params: types.DefinitionParams) -> types.Location | None:
    doc, line, column = ls.at(params.text_document.uri, params.position)
    return names.definition(doc, line, column, ls.workspace.position_codec)


@server.feature(types.TEXT_DOCUMENT_REFERENCES)
def references(ls: SongServer, params: types.ReferenceParams) -> list[types.Location]:
    doc, line, column = ls.at(params.text_document.uri, params.position)
    return names.references(doc, line, column, params.context.include_declaration, ls.workspace.position_codec)


@server.feature(types.TEXT_DOCUMENT_PREPARE_RENAME)
def prepare_rename(ls: SongServer, params: types.PrepareRenameParams) -> types.Range | None:
    doc, line, column = ls.at(params.text_document.uri, params.position)
    return names.prepare_rename(doc, line, column, ls.workspace.position_codec)


@server.feature(types.TEXT_DOCUMENT_RENAME)
def rename(ls: SongServer, params: types.RenameParams) -> types.WorkspaceEdit | None:
    doc, line, column = ls.at(params.text_document.uri, params.position)
    return names.rename(doc, line, column, params.new_name, ls.workspace.position_codec)


def serve(options_for: OptionsFor | None = None) -> None:
    """Speak the protocol on standard input and output until the client says exit.
    ``options_for`` gives a file's run options (the command line reads its settings file)."""
    if options_for is not None:
        server.options_for = options_for
    # pygls closes the streams it is given when it stops: give it copies, so that the
    # command's own standard output stays open until the command ends.
    stdin = os.fdopen(os.dup(sys.stdin.fileno()), "rb")
    stdout = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    server.start_io(stdin, stdout)
