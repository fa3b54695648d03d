"""The table parser is Lark's parser without Lark: same tables as the grammar, same results on any text."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from lark.exceptions import UnexpectedInput
from strategies import FRAGMENTS, hostile_text

from musicplan.read import generate, song_tables, table_parser
from musicplan.read.build import LineMaker
from musicplan.read.lark_parser import parser

ROOT = Path(__file__).resolve().parent.parent
SONGS = sorted((ROOT / "examples").glob("*.song")) + sorted((ROOT / "tests" / "golden").rglob("*.song"))
_FAILED = object()


def by_lark(text: str, start: str = "start") -> Any:
    try:
        return parser().parse(text, start=start)
    except UnexpectedInput:
        return _FAILED


def by_tables(text: str, start: str = "start") -> Any:
    made = table_parser.parse(text, start, LineMaker())
    return _FAILED if made is None else made


def test_the_committed_tables_are_what_the_grammar_gives() -> None:
    # Editing grammar/song.lark without `python -m musicplan.read.generate` fails here.
    assert song_tables.GRAMMAR_SHA256 == generate.grammar_digest(
        (ROOT / "grammar" / "song.lark").read_text(encoding="utf-8"))
    assert generate.TABLES_PATH.read_text(encoding="utf-8") == generate.tables()


def test_every_bundled_song_is_read_by_the_tables_as_lark_reads_it() -> None:
    assert SONGS
    for path in SONGS:
        text = path.read_text(encoding="utf-8")
        text += "" if text.endswith("\n") else "\n"
        made = by_tables(text)
        assert made is not _FAILED, path  # every bundled song fits the grammar
        assert made == by_lark(text), path


def test_a_song_with_no_mistake_never_loads_lark() -> None:
    script = ("import sys\nfrom musicplan import check, load\n"
              f"load({str(ROOT / 'examples' / 'neon-nights.song')!r})\n"
              "assert 'lark' not in sys.modules, 'lark was imported'\n"
              "check('[V] 0:10\\n[unclosed\\n')\n"
              "assert 'lark' in sys.modules, 'a mistake is explained by Lark'\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr


lines_of_songs = st.lists(st.sampled_from(FRAGMENTS), max_size=30).map(
    lambda lines: "\n".join(lines) + "\n")


@given(st.one_of(hostile_text.map(lambda text: text if text.endswith("\n") else text + "\n"), lines_of_songs))
def test_the_tables_and_lark_agree_on_any_text(text: str) -> None:
    assert by_tables(text) == by_lark(text)


@given(st.one_of(st.text(alphabet="0123456789:.msbar \t-x", max_size=12), st.sampled_from(FRAGMENTS)))
def test_the_tables_and_lark_agree_on_any_duration(text: str) -> None:
    assert by_tables(text, "duration_value") == by_lark(text, "duration_value")


def test_the_comparison_sees_lexers_that_try_terminals_in_another_order(monkeypatch: Any) -> None:
    # The agreement above could not fail if the order in the tables barely
    # mattered: lexers that try their terminals backwards (spaces first) no
    # longer see an indented line as a continuation.
    text = "title: Neon\nprompt: synthwave\n  with strings\n\n[Verse] 0:10\nla la\n"
    assert by_tables(text) == by_lark(text) != _FAILED
    monkeypatch.setattr(song_tables, "SCANNERS", tuple(tuple(reversed(names)) for names in song_tables.SCANNERS))
    monkeypatch.setattr(table_parser, "_automaton", None)
    assert by_tables(text) != by_lark(text)
