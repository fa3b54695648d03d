"""The Lark parser for grammar/song.lark, built once per process and cached on disk."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from lark import Lark
from lark.exceptions import UnexpectedInput

GRAMMAR_NAME = "song.lark"


def grammar_path() -> Path:
    """The grammar inside the installed package, else the repository's ``grammar/``."""
    package = Path(__file__).resolve().parent.parent
    installed = package / "grammar" / GRAMMAR_NAME
    if installed.is_file():
        return installed
    return package.parent / "grammar" / GRAMMAR_NAME


@lru_cache(maxsize=1)
def parser() -> Lark:
    from musicplan.read.build import TokenMaker

    text = grammar_path().read_text(encoding="utf-8")
    # LALR with the contextual lexer: each line start knows whether a field or
    # a lyric may follow. cache=True pickles the analysed tables keyed by the
    # grammar's hash, which makes every later start-up skip the analysis. The
    # inline transformer turns each line into its model object as it is reduced.
    return Lark(
        text,
        parser="lalr",
        lexer="contextual",
        start=["start", "duration_value", "line_parts"],
        cache=True,
        maybe_placeholders=False,
        transformer=TokenMaker(),
    )


def parse(text: str, start: str, on_error: Callable[[UnexpectedInput], bool] | None = None) -> Any:
    """What the inline transformer made of ``text`` from rule ``start`` (Lark
    types every parse result as a Tree; with a transformer it is whatever the
    transformer returns: a list of lines, or a Duration). ``on_error`` is
    Lark's hook for going on after a syntax error (see ``read.parse``)."""
    return parser().parse(text, start=start, on_error=on_error)
