"""`musicplan lsp` end to end over stdio (pytest-lsp), as VS Code and as Neovim
would start it: each feature, diagnostics equal to `check --format json`,
formatting equal to `fmt`."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import pytest_lsp
from lsp_support import (
    BROKEN,
    EXAMPLES,
    SERVER,
    apply_edits,
    check_json,
    expected_range,
    fmt_text,
)
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

CLIENTS = ["visual-studio-code", "neovim"]
pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_lsp.fixture(scope="module", params=CLIENTS, config=ClientServerConfig(server_command=SERVER))
async def client(request, lsp_client: LanguageClient):
    result = await lsp_client.initialize_session(types.InitializeParams(
        capabilities=client_capabilities(request.param)))
    lsp_client.encoding = result.capabilities.position_encoding or "utf-16"  # type: ignore[attr-defined]
    yield
    await lsp_client.shutdown_session()


@pytest.fixture(scope="module")
def broken(tmp_path_factory) -> list[Path]:
    folder = tmp_path_factory.mktemp("broken")
    paths = []
    for name, text in BROKEN.items():
        (folder / name).write_text(text, encoding="utf-8")
        paths.append(folder / name)
    return paths


async def published(client: LanguageClient, uri: str) -> list[types.Diagnostic]:
    """The diagnostics the server publishes for ``uri`` after the caller dropped the last ones."""
    for _ in range(1000):
        if uri in client.diagnostics:
            return client.diagnostics[uri]
        await asyncio.sleep(0.01)
    raise AssertionError(f"no diagnostics for {uri} within 10 s")


async def open_song(client: LanguageClient, path: Path, text: str | None = None, version: int = 1) -> str:
    """Open ``path`` (or ``text`` under its name) and wait for its diagnostics; the document's URI."""
    uri = path.resolve().as_uri()
    client.diagnostics.pop(uri, None)
    client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(
        uri=uri, language_id="song", version=version,
        text=path.read_text(encoding="utf-8") if text is None else text)))
    await published(client, uri)
    return uri


async def change_song(client: LanguageClient, uri: str, text: str, version: int) -> None:
    client.diagnostics.pop(uri, None)
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)]))
    await published(client, uri)


def close_song(client: LanguageClient, uri: str) -> None:
    client.diagnostics.pop(uri, None)
    client.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri=uri)))


async def test_the_server_negotiates_a_position_encoding(client: LanguageClient) -> None:
    offered = (client.capabilities.general and client.capabilities.general.position_encodings) or ["utf-16"]
    assert client.encoding in offered  # type: ignore[attr-defined]


async def test_diagnostics_equal_check_json_on_every_example_and_broken_song(client: LanguageClient,
                                                                           broken: list[Path]) -> None:
    encoding = client.encoding  # type: ignore[attr-defined]
    compared = 0
    for path in [*EXAMPLES, *broken]:
        uri = await open_song(client, path)
        lines = path.read_text(encoding="utf-8").split("\n")
        expected = check_json(path)
        got = client.diagnostics[uri]
        assert [d.code for d in got] == [item["code"] for item in expected], path.name
        for diagnostic, item in zip(got, expected, strict=True):
            assert diagnostic.severity == (types.DiagnosticSeverity.Error if item["severity"] == "error"
                                           else types.DiagnosticSeverity.Warning)
            assert diagnostic.message.split("\n")[0] == item["message"]
            assert item["hint"] in diagnostic.message
            assert diagnostic.source == "musicplan"
            range_ = diagnostic.range
            as_dict = {"start": {"line": range_.start.line, "character": range_.start.character},
                       "end": {"line": range_.end.line, "character": range_.end.character}}
            assert as_dict == expected_range(item, lines, encoding), (path.name, item)
            assert diagnostic.code_description is not None
            assert f"diagnostics.md#{item['code'].lower()}-" in diagnostic.code_description.href
            compared += 1
        close_song(client, uri)
    assert compared >= 8


async def test_an_emoji_before_the_error_still_underlines_the_number(client: LanguageClient,
                                                                     tmp_path: Path) -> None:
    encoding = client.encoding  # type: ignore[attr-defined]
    text = "model: music_v2\n\n[😀 Verse 🎸] 20\n+ soft piano\nla\n"
    uri = await open_song(client, tmp_path / "emoji.song", text)
    (bare,) = [d for d in client.diagnostics[uri] if d.code == "E302"]
    heading = text.split("\n")[2]
    before = heading[: heading.index("20")]
    width = {"utf-16": 2, "utf-8": 4, "utf-32": 1}[encoding]
    # Two emoji, each two UTF-16 units (four UTF-8 bytes), before the `20`.
    assert bare.range.start.character == len(before) + 2 * (width - 1)
    assert bare.range.end.character - bare.range.start.character == 2
    assert bare.range.start.line == bare.range.end.line == 2
    close_song(client, uri)


async def test_the_documentation_link_names_the_code(client: LanguageClient, tmp_path: Path) -> None:
    uri = await open_song(client, tmp_path / "link.song", "model: music_v1\n[Verse] 20\n+ a\n")
    (bare,) = [d for d in client.diagnostics[uri] if d.code == "E302"]
    assert bare.code_description is not None
    page, _, anchor = bare.code_description.href.partition("#")
    assert page.startswith("file://") and page.endswith("diagnostics.md")
    assert anchor.startswith("e302-")
    text = Path(page[len("file://"):]).read_text(encoding="utf-8")
    assert "### E302" in text
    close_song(client, uri)


async def test_diagnostics_follow_each_change_and_the_model(client: LanguageClient, tmp_path: Path) -> None:
    song = "model: music_v1\n\n[Dawn] 0:20\n+ piano\n@adherence high\n"
    uri = await open_song(client, tmp_path / "model.song", song)
    assert "E412" in [d.code for d in client.diagnostics[uri]]
    await change_song(client, uri, song.replace("music_v1", "music_v2"), 2)
    assert "E412" not in [d.code for d in client.diagnostics[uri]]
    await change_song(client, uri, song.replace("0:20", "20"), 3)
    assert {"E302", "E412"} <= {d.code for d in client.diagnostics[uri]}
    close_song(client, uri)


async def test_formatting_equals_fmt_on_every_example(client: LanguageClient, tmp_path: Path) -> None:
    encoding = client.encoding  # type: ignore[attr-defined]
    changed = 0
    for path in EXAMPLES:
        # Each example made untidy the way people write, then formatted by the server.
        text = path.read_text(encoding="utf-8")
        messy = "\n".join(line.replace(": ", ":   ").replace(", ", ",") for line in text.split("\n"))
        copy = tmp_path / path.name
        copy.write_text(messy, encoding="utf-8")
        uri = await open_song(client, copy)
        edits = await client.text_document_formatting_async(types.DocumentFormattingParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            options=types.FormattingOptions(tab_size=4, insert_spaces=True)))
        expected = fmt_text(copy)
        assert expected is not None, path.name
        assert apply_edits(messy, edits or [], encoding) == expected, path.name
        changed += expected != messy
        close_song(client, uri)
    assert changed >= 3


async def test_no_formatting_edits_for_a_song_with_errors(client: LanguageClient, tmp_path: Path) -> None:
    uri = await open_song(client, tmp_path / "bad.song", "model:  music_v1\n[Verse]   20\n+ a,b\n")
    edits = await client.text_document_formatting_async(types.DocumentFormattingParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        options=types.FormattingOptions(tab_size=4, insert_spaces=True)))
    assert not edits
    close_song(client, uri)
