"""Diagnostics as text: the source line cut around the column, and nothing from
the song that a terminal would act on."""

from __future__ import annotations

from musicplan.base.diagnostics import Diagnostic, Span
from musicplan.cli import main
from musicplan.cli.report import SNIPPET_WIDTH, format_text


def _shown(line: str, column: int, width: int = 1) -> tuple[str, str]:
    d = Diagnostic("s.song", Span.at(1, column, width), "error", "E100", "m", "h")
    out = format_text(d, line).split("\n")
    return out[2][len("1 | "):], out[3][len("  | "):]


def test_the_caret_stands_under_the_column_in_a_cut_line():
    line = "+ " + "ab," * 20_000
    snippet, caret = _shown(line, 30_001, 2)
    assert len(snippet) <= SNIPPET_WIDTH + 2 and snippet.startswith("…") and snippet.endswith("…")
    start = caret.index("^")
    assert snippet[start:start + 2] == line[30_000:30_002] and caret.count("^") == 2


def test_short_lines_are_shown_whole_with_tabs_as_spaces():
    snippet, caret = _shown("a\tb  c", 6)
    assert snippet == "a b  c" and caret == "     ^"


def test_escape_sequences_are_shown_escaped_and_the_caret_follows():
    snippet, caret = _shown("la \x1b[2J la \u202e x", 12)
    assert "\x1b" not in snippet and "\u202e" not in snippet
    assert snippet == "la \\x1b[2J la \\u202e x"
    assert snippet[caret.index("^"):].startswith("\\u202e")


def test_a_forty_kilobyte_style_line_prints_kilobytes_not_gigabytes(tmp_path, capsys):
    path = tmp_path / "s.song"
    path.write_text("[V] 0:10\n+ " + "s," * 20_000 + "s\n", encoding="utf-8")
    assert main(["check", str(path)]) == 1  # more than 50 styles, and 20,000 times `s` listed twice
    out = capsys.readouterr().out
    assert out.count("W001") == 20_000
    assert len(out) < 20_000 * 400


def test_messages_from_the_song_are_escaped(tmp_path, capsys):
    path = tmp_path / "s.song"
    path.write_text("ti\x1b[31mtle: x\n[V] 0:10\n+ x\n", encoding="utf-8")
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out
    assert "\x1b" not in out and "ti\\x1b[31mtle" in out
    main(["check", "--format", "github", str(path)])
    assert "\x1b" not in capsys.readouterr().out
