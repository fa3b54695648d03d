"""`musicplan lsp` spoken to in plain JSON-RPC over stdio, with no LSP library
and no client capabilities (so UTF-16 positions): initialize, open a song,
diagnostics, formatting, the outline, a hover, completion and a quick fix.
Also the code actions made from a diagnostic's own fix, on the document model."""

from __future__ import annotations

import pytest
from jsonrpc import PlainClient
from lsp_support import FEATURES, line_of

URI = "file:///songs/plain.song"
# An emoji before the error in the same line: UTF-16 counts it as two units.
SONG = FEATURES.replace("[Verse 1] 0:20", "[Verse 1 🎸] 20").replace("model: music_v2\n", "model: music_v2\n\n")


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@pytest.fixture(scope="module")
def client():
    plain = PlainClient()
    result = plain.request("initialize", {"processId": None, "rootUri": None, "capabilities": {}})
    assert result["capabilities"].get("positionEncoding", "utf-16") == "utf-16"
    plain.notify("initialized", {})
    plain.notify("textDocument/didOpen", {"textDocument": {"uri": URI, "languageId": "song", "version": 1,
                                                           "text": SONG}})
    yield plain
    assert plain.close() == 0


def test_diagnostics_with_codes_and_utf16_ranges(client) -> None:
    published = client.notification("textDocument/publishDiagnostics")
    assert published["uri"] == URI
    (bare,) = [d for d in published["diagnostics"] if d["code"] == "E302"]
    line = line_of(SONG, "[Verse 1")
    text = SONG.split("\n")[line]
    start = utf16(text[: text.index(" 20") + 1])
    assert bare["range"] == {"start": {"line": line, "character": start},
                             "end": {"line": line, "character": start + 2}}
    assert start == text.index(" 20") + 2  # the emoji is two UTF-16 units
    assert bare["severity"] == 1 and bare["source"] == "musicplan"
    assert "#e302-" in bare["codeDescription"]["href"]


def test_formatting_gives_no_edits_while_the_song_has_errors(client) -> None:
    edits = client.request("textDocument/formatting", {"textDocument": {"uri": URI},
                                                       "options": {"tabSize": 4, "insertSpaces": True}})
    assert not edits


def test_one_symbol_per_section_with_its_time_span(client) -> None:
    symbols = client.request("textDocument/documentSymbol", {"textDocument": {"uri": URI}})
    sections = [s for s in symbols if s["name"] != "header"]
    assert [s["name"] for s in sections] == ["Intro", "Verse 1 🎸", "Chorus", "Chorus 2"]
    assert sections[0]["detail"] == "0:00–0:16 · 16 s"
    assert sections[2]["detail"] == "0:16–0:31 · 15 s"  # the verse has no duration yet


def test_hover_on_a_heading_gives_its_start(client) -> None:
    hover = client.request("textDocument/hover", {"textDocument": {"uri": URI},
                                                  "position": {"line": line_of(SONG, "[Chorus]"), "character": 3}})
    assert "starts at 0:16" in hover["contents"]["value"]


def test_completion_after_repeat_and_a_quick_fix_for_a_bare_number(client) -> None:
    edited = SONG.replace("@repeat Chorus", "@repeat ")
    client.notify("textDocument/didChange", {"textDocument": {"uri": URI, "version": 2},
                                             "contentChanges": [{"text": edited}]})
    client.notification("textDocument/publishDiagnostics")
    line = line_of(edited, "@repeat")
    found = client.request("textDocument/completion", {"textDocument": {"uri": URI},
                                                       "position": {"line": line, "character": len("@repeat ")}})
    items = found["items"] if isinstance(found, dict) else found
    assert [item["label"] for item in items] == ["Chorus", "Verse 1 🎸", "Intro"]
    verse = line_of(edited, "[Verse 1")
    actions = client.request("textDocument/codeAction", {
        "textDocument": {"uri": URI}, "range": {"start": {"line": verse, "character": 0},
                                                "end": {"line": verse, "character": 0}},
        "context": {"diagnostics": []}})
    assert [a["title"] for a in actions] == ["Write `20s`", "Write `0:20`"]
    (edit,) = actions[0]["edit"]["changes"][URI]
    assert edit["newText"] == "20s"


def test_each_diagnostic_fix_is_one_code_action() -> None:
    from pygls.workspace import PositionCodec

    from musicplan.base.diagnostics import Diagnostic, Edit, Span
    from musicplan.lsp.actions import code_actions
    from musicplan.lsp.document import SongDocument

    doc = SongDocument(URI, "title: 🎸 Song\nmodel: music_v1\n[Verse] 0:20\n+ piano\nla\n")
    assert not [d for d in doc.diagnostics if d.is_error]
    # A fix as the checker attaches it (issue 11: `check --fix` applies the same edits).
    doc.diagnostics.append(Diagnostic(doc.path, Span(1, 10, 1, 14), "warning", "W999", "a made-up warning",
                                      "call it Tune", (Edit(Span(1, 10, 1, 14), "Tune"),)))
    doc.diagnostics.append(Diagnostic(doc.path, Span(3, 1, 3, 8), "warning", "W998", "no fix here"))
    actions = code_actions(doc, 1, 3, PositionCodec())
    (action,) = [a for a in actions if a.diagnostics and a.diagnostics[0].code == "W999"]
    assert action.title == "Replace `Song` with `Tune`"
    assert action.is_preferred
    assert action.edit is not None and action.edit.changes is not None
    (edit,) = action.edit.changes[URI]
    # After `title: ` and the emoji (two UTF-16 units) and a space.
    assert (edit.range.start.character, edit.range.end.character, edit.new_text) == (10, 14, "Tune")
    assert not [a for a in actions if a.diagnostics and a.diagnostics[0].code == "W998"]
    assert code_actions(doc, 4, 5, PositionCodec()) == []  # none for lines without diagnostics


def test_without_the_extra_the_command_says_how_to_install_it() -> None:
    import subprocess
    import sys

    probe = ("import sys\nsys.modules['pygls'] = None  # as if musicplan[lsp] were not installed\n"
             "from musicplan.cli import main\nsys.exit(main(['lsp']))\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2
    assert "pip install 'musicplan[lsp]'" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_bad_code_to_ignore_is_a_usage_error_before_the_server_starts() -> None:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "musicplan", "lsp", "--ignore", "BANANA"], capture_output=True,
                          text=True, timeout=60, check=False, stdin=subprocess.DEVNULL)
    assert done.returncode == 2
    assert "BANANA" in done.stderr and "Traceback" not in done.stderr
