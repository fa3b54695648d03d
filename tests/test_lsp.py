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
    FEATURES,
    SERVER,
    apply_edits,
    check_json,
    expected_range,
    fmt_text,
    line_of,
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


async def open_features(client: LanguageClient, tmp_path: Path, text: str = FEATURES) -> str:
    return await open_song(client, tmp_path / "features.song", text)


def document(uri: str) -> types.TextDocumentIdentifier:
    return types.TextDocumentIdentifier(uri=uri)


def at(line: int, character: int) -> types.Position:
    return types.Position(line=line, character=character)


async def test_the_outline_is_the_header_and_one_symbol_per_section_with_its_time_span(
        client: LanguageClient, tmp_path: Path) -> None:
    uri = await open_features(client, tmp_path)
    symbols = await client.text_document_document_symbol_async(types.DocumentSymbolParams(document(uri)))
    assert symbols is not None
    assert [s.name for s in symbols] == ["header", "Intro", "Verse 1", "Chorus", "Chorus 2"]
    # 8 bars at 120 bpm in 4/4 last 16 s; the repeat lends the chorus's 15 s.
    assert [s.detail for s in symbols[1:]] == ["0:00–0:16 · 16 s", "0:16–0:36 · 20 s", "0:36–0:51 · 15 s",
                                               "0:51–1:06 · 15 s"]
    header, intro = symbols[0], symbols[1]
    assert isinstance(header, types.DocumentSymbol) and isinstance(intro, types.DocumentSymbol)
    assert [child.name for child in header.children or []] == ["title", "model", "bpm"]
    assert intro.range.start.line == line_of(FEATURES, "[Intro]")
    assert intro.range.end.line == line_of(FEATURES, "@adherence")
    folds = await client.text_document_folding_range_async(types.FoldingRangeParams(document(uri)))
    assert [(f.start_line, f.end_line) for f in folds or []][1:] == [
        (line_of(FEATURES, "[Intro]"), line_of(FEATURES, "@adherence")),
        (line_of(FEATURES, "[Verse 1]"), line_of(FEATURES, "Walking")),
        (line_of(FEATURES, "[Chorus]"), line_of(FEATURES, "Neon")),
        (line_of(FEATURES, "[Chorus 2]"), line_of(FEATURES, "+ key change"))]
    close_song(client, uri)


async def hover_text(client: LanguageClient, uri: str, line: int, character: int) -> str:
    found = await client.text_document_hover_async(types.HoverParams(document(uri), at(line, character)))
    assert found is not None
    assert isinstance(found.contents, types.MarkupContent)
    return found.contents.value


async def test_hovers(client: LanguageClient, tmp_path: Path) -> None:
    uri = await open_features(client, tmp_path)
    verse = await hover_text(client, uri, line_of(FEATURES, "[Verse 1]"), 3)
    assert "starts at 0:16" in verse and "ends at 0:36" in verse and "20000 ms" in verse
    assert "10 bars at 120 bpm in 4/4" in verse
    repeat = await hover_text(client, uri, line_of(FEATURES, "@repeat"), 10)
    assert f"copies **[Chorus]** (line {line_of(FEATURES, '[Chorus]') + 1}" in repeat
    assert "1 lyric line" in repeat and "+ big vocals" in repeat
    model = await hover_text(client, uri, line_of(FEATURES, "model:"), 2)
    assert "`model_id`" in model and "compose, detailed, plan, stream" in model  # /v1/music/plan takes model_id too
    title = await hover_text(client, uri, line_of(FEATURES, "title:"), 2)
    assert "not sent" in title
    adherence = await hover_text(client, uri, line_of(FEATURES, "@adherence"), 3)
    assert "context_adherence" in adherence
    close_song(client, uri)


async def test_hover_on_a_diagnostic_gives_its_code_documentation(client: LanguageClient, tmp_path: Path) -> None:
    text = FEATURES.replace("[Verse 1] 0:20", "[Verse 1] 20") + "# musicplan: ignore W103\n"
    uri = await open_features(client, tmp_path, text)
    line = line_of(text, "[Verse 1]")
    docs = (Path(__file__).resolve().parent.parent / "docs" / "diagnostics.md").read_text(encoding="utf-8")
    e302 = docs.split("### E302", 1)[1].split("###", 1)[0]
    value = await hover_text(client, uri, line, len("[Verse 1] 2"))
    assert "E302" in value and e302.strip().split("\n")[-1] in value
    in_comment = await hover_text(client, uri, line_of(text, "# musicplan"), len("# musicplan: ignore W1"))
    assert "W103" in in_comment
    close_song(client, uri)


async def test_inlay_hints(client: LanguageClient, tmp_path: Path) -> None:
    uri = await open_features(client, tmp_path)
    lines = FEATURES.split("\n")
    found = await client.text_document_inlay_hint_async(types.InlayHintParams(
        document(uri), types.Range(start=at(0, 0), end=at(len(lines), 0))))
    labels = {(hint.position.line, hint.label) for hint in found or []}
    intro = line_of(FEATURES, "[Intro]")
    assert (intro, "= 16 s") in labels and (intro, "at 0:00") in labels
    assert (line_of(FEATURES, "[Verse 1]"), "at 0:16") in labels
    assert (line_of(FEATURES, "[Chorus 2]"), "15 s from [Chorus]") in labels
    bars = next(hint for hint in found or [] if hint.label == "= 16 s")
    assert bars.position.character == len("[Intro] 8 bars")
    close_song(client, uri)


async def test_inlay_hints_give_the_running_total_near_the_limit(client: LanguageClient, tmp_path: Path) -> None:
    text = "model: music_v1\n\n" + "".join(f"[Part {n}] 2:00\n+ drone\n\n" for n in range(1, 6))
    uri = await open_features(client, tmp_path, text)
    found = await client.text_document_inlay_hint_async(types.InlayHintParams(
        document(uri), types.Range(start=at(0, 0), end=at(40, 0))))
    labels = [hint.label for hint in found or []]
    assert "at 6:00" in labels  # below 9:00, no total
    assert "at 8:00 · total 10:00 of 10:00" in labels
    close_song(client, uri)


async def completion_labels(client: LanguageClient, uri: str, line: int, character: int) -> list[str]:
    found = await client.text_document_completion_async(types.CompletionParams(document(uri), at(line, character)))
    items = found.items if isinstance(found, types.CompletionList) else (found or [])
    return [item.label for item in items]


async def test_completion(client: LanguageClient, tmp_path: Path) -> None:
    text = FEATURES.replace("bpm: 120\n", "bpm: 120\n\nmodel: \nc2pa: \nmeter: \n") + (
        "\n[Bridge] 0:10\n@\n@repeat \n@adherence \n@condition song_1 0:00-0:10 strength \n")
    uri = await open_features(client, tmp_path, text)
    blank = line_of(text, "bpm:") + 1
    keys = await completion_labels(client, uri, blank, 0)
    assert {"length", "seed", "format", "beat"} <= set(keys)
    assert "title" not in keys and "meter" not in keys  # already set
    assert await completion_labels(client, uri, line_of(text, "model: \n"), len("model: ")) == [
        "music_v1", "music_v2", "music_v2_5"]
    assert {"yes", "no"} <= set(await completion_labels(client, uri, line_of(text, "c2pa:"), len("c2pa: ")))
    assert "6/8" in await completion_labels(client, uri, line_of(text, "meter:"), len("meter: "))
    assert await completion_labels(client, uri, line_of(text, "@\n"), 1) == [
        "repeat", "source", "adherence", "condition"]
    names = await completion_labels(client, uri, line_of(text, "@repeat \n"), len("@repeat "))
    assert names == ["Chorus 2", "Chorus", "Verse 1", "Intro"]  # the nearest first
    assert await completion_labels(client, uri, line_of(text, "@adherence \n"), len("@adherence ")) == [
        "low", "medium", "high"]
    strength = line_of(text, "@condition")
    assert await completion_labels(client, uri, strength, len(text.split("\n")[strength])) == [
        "low", "medium", "high", "xhigh"]
    close_song(client, uri)


async def test_code_actions_for_a_bare_number(client: LanguageClient, tmp_path: Path) -> None:
    text = FEATURES.replace("[Verse 1] 0:20", "[Verse 1] 20")
    uri = await open_features(client, tmp_path, text)
    line = line_of(text, "[Verse 1]")
    found = await client.text_document_code_action_async(types.CodeActionParams(
        document(uri), types.Range(start=at(line, 10), end=at(line, 10)),
        types.CodeActionContext(diagnostics=client.diagnostics[uri])))
    actions = [a for a in found or [] if isinstance(a, types.CodeAction)]
    assert [a.title for a in actions] == ["Write `20s`", "Write `0:20`"]
    for action, reading in zip(actions, ("20s", "0:20"), strict=True):
        assert action.kind == types.CodeActionKind.QuickFix
        assert action.diagnostics and action.diagnostics[0].code == "E302"
        assert action.edit is not None and action.edit.changes is not None
        (edit,) = action.edit.changes[uri]
        fixed = apply_edits(text, [edit], client.encoding)  # type: ignore[attr-defined]
        assert fixed == FEATURES.replace("[Verse 1] 0:20", f"[Verse 1] {reading}")
    close_song(client, uri)


async def test_definition_references_and_rename_of_a_repeated_section(client: LanguageClient,
                                                                       tmp_path: Path) -> None:
    uri = await open_features(client, tmp_path)
    repeat, chorus = line_of(FEATURES, "@repeat"), line_of(FEATURES, "[Chorus]")
    found = await client.text_document_definition_async(types.DefinitionParams(document(uri), at(repeat, 10)))
    assert isinstance(found, types.Location)
    assert (found.range.start.line, found.range.start.character, found.range.end.character) == (
        chorus, 1, len("[Chorus"))
    refs = await client.text_document_references_async(types.ReferenceParams(
        text_document=document(uri), position=at(chorus, 3),
        context=types.ReferenceContext(include_declaration=True)))
    assert sorted((r.range.start.line, r.range.start.character) for r in refs or []) == [
        (chorus, 1), (repeat, len("@repeat "))]
    edit = await client.text_document_rename_async(types.RenameParams(
        text_document=document(uri), position=at(repeat, 9), new_name="Hook"))
    assert edit is not None and edit.changes is not None
    renamed = apply_edits(FEATURES, edit.changes[uri], client.encoding)  # type: ignore[attr-defined]
    assert renamed == FEATURES.replace("[Chorus]", "[Hook]").replace("@repeat Chorus", "@repeat Hook")
    # The other sections are not renamed, and nothing is found on a lyric.
    assert "[Chorus 2]" in renamed
    none = await client.text_document_definition_async(types.DefinitionParams(
        document(uri), at(line_of(FEATURES, "Neon"), 2)))
    assert none is None
    close_song(client, uri)


async def test_each_fix_of_check_is_one_code_action(client: LanguageClient, tmp_path: Path) -> None:
    text = FEATURES.replace("title:", "tittle:").replace("@adherence high", "@adherence HIGH")
    path = tmp_path / "fixes.song"
    path.write_text(text, encoding="utf-8")
    fixes = {item["code"]: item["fix"] for item in check_json(path) if item.get("fix")}
    assert set(fixes) >= {"E200", "E413"}
    uri = await open_song(client, path)
    lines = text.split("\n")
    found = await client.text_document_code_action_async(types.CodeActionParams(
        document(uri), types.Range(start=at(0, 0), end=at(len(lines), 0)),
        types.CodeActionContext(diagnostics=client.diagnostics[uri])))
    actions = [a for a in found or [] if isinstance(a, types.CodeAction)]
    by_code = {a.diagnostics[0].code: a for a in actions if a.diagnostics}
    assert set(by_code) == set(fixes)  # one action for each diagnostic with a fix, no more
    assert by_code["E200"].title == "Replace `tittle` with `title`"
    assert by_code["E413"].title == "Replace `HIGH` with `high`"
    fixed = text
    for code in ("E413", "E200"):  # bottom to top, so that earlier edits keep their places
        edit = by_code[code].edit
        assert edit is not None and edit.changes is not None and by_code[code].is_preferred
        fixed = apply_edits(fixed, edit.changes[uri], client.encoding)  # type: ignore[attr-defined]
    assert fixed == FEATURES
    close_song(client, uri)


async def test_the_settings_file_of_the_song_is_honoured_and_read_again_on_save(client: LanguageClient,
                                                                                 tmp_path: Path) -> None:
    song = tmp_path / "settings.song"
    song.write_text("model: music_v1\n[Empty] 0:20\n[Verse] 0:20\nla la\n", encoding="utf-8")
    settings = tmp_path / "pyproject.toml"
    settings.write_text('[tool.musicplan]\nignore = ["W103"]\n', encoding="utf-8")
    assert check_json(song) == []  # the empty section's W103 is ignored by the settings
    uri = await open_song(client, song)
    assert not client.diagnostics[uri]
    settings.write_text("[tool.musicplan]\nignore = []\n", encoding="utf-8")
    expected = [item["code"] for item in check_json(song)]
    assert expected == ["W103"]
    client.diagnostics.pop(uri, None)
    client.text_document_did_save(types.DidSaveTextDocumentParams(document(uri)))
    assert [d.code for d in await published(client, uri)] == expected
    close_song(client, uri)


async def test_a_request_about_a_file_never_opened_is_answered(client: LanguageClient, tmp_path: Path) -> None:
    # The file does not exist either: the server must not try to read it from disk and fail.
    uri = (tmp_path / "never-opened.song").as_uri()
    found = await client.text_document_hover_async(types.HoverParams(document(uri), at(0, 0)))
    assert found is None or isinstance(found, types.Hover)  # an error reply would have raised
    symbols = await client.text_document_document_symbol_async(types.DocumentSymbolParams(document(uri)))
    assert symbols is not None
