"""The docs keep up with the code; the grammar keeps the properties the design relies on."""

from __future__ import annotations

import re
from pathlib import Path

import musicplan
from musicplan.read.lark_parser import grammar_path, parser

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = Path(musicplan.__file__).resolve().parent


def _codes_in_source() -> set[str]:
    found: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        if path == PACKAGE / "base" / "codes.py":
            continue  # the table of every code: it reports none of them
        found |= set(re.findall(r'"([EW]\d{3})"', path.read_text(encoding="utf-8")))
    return found


def test_every_code_is_documented_and_every_documented_code_exists():
    documented = set(re.findall(r"^### ([EW]\d{3}) ", (ROOT / "docs" / "diagnostics.md").read_text(
        encoding="utf-8"), flags=re.M))
    used = _codes_in_source()
    assert used - documented == set(), "undocumented codes"
    assert documented - used == set(), "documented codes that nothing reports"


def test_the_code_table_agrees_with_the_docs():
    from musicplan.base.codes import CODES

    documented = dict(re.findall(r"^### ([A-Z]\d{3}) (.+)$", (ROOT / "docs" / "diagnostics.md").read_text(
        encoding="utf-8"), flags=re.M))
    assert set(CODES) - set(documented) == set(), "codes in musicplan/base/codes.py that the docs lack"
    assert set(documented) - set(CODES) == set(), "documented codes missing from musicplan/base/codes.py"
    assert {code: title for code, title in CODES.items() if documented[code] != title} == {}, \
        "titles in musicplan/base/codes.py that differ from the docs' headings"


def test_the_grammar_is_loaded_from_the_package():
    path = grammar_path()
    assert path.name == "song.lark" and path.is_file()
    assert path.read_text(encoding="utf-8") == (ROOT / "grammar" / "song.lark").read_text(encoding="utf-8")


def test_no_parser_state_accepts_both_a_field_and_a_lyric():
    # The contextual lexer tells `key: value` from a lyric by the parser state;
    # a state that accepted both would make the lexer guess.
    # (Fields, and lyrics, one after the other are one token since lines became tokens.)
    table = parser().parser.parser._parse_table
    parts = table.start_states["line_parts"]  # an entry point never parsed from (see the grammar)
    states = {state: actions for state, actions in table.states.items() if state != parts}
    assert any("FIELDS" in actions for actions in states.values())
    assert any("LYRICS" in actions for actions in states.values())
    for actions in states.values():
        assert not ({"FIELDS", "KEY"} & set(actions) and {"LYRICS", "LYRIC", "ESCAPED"} & set(actions))


def test_the_readme_commands_are_what_ci_runs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert ".venv/bin/pip install '.[test]' && npm ci --prefix editors && .venv/bin/pytest" in readme
    assert ".venv/bin/pip install --quiet --disable-pip-version-check '.[test]'" in ci
    assert "npm ci --prefix editors " in ci
    assert ci.rstrip().endswith(".venv/bin/pytest")
    # The gates run before the tests, with the configuration in pyproject.toml.
    assert ci.index(".venv/bin/ruff check") < ci.index(".venv/bin/mypy") < ci.rindex(".venv/bin/pytest")
    assert "musicplan compile examples/neon-nights.song" in readme
    assert (ROOT / "examples" / "neon-nights.song").is_file()
