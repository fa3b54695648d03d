"""Text to what ``LineMaker`` makes of it, by the grammar's LALR tables (no Lark at run time).

This is Lark's LALR parser with its contextual lexer, run from the tables that
``read.generate`` wrote out of Lark's own analysis (``read.song_tables``): the
same terminals tried in the same order in each state, the same shifts and
reductions, the same children kept, the same ``LineMaker`` calls, the same
token positions. It only ever accepts: at the first token that does not fit it
answers None, and ``read.parse`` hands the text to Lark, whose error recovery
explains every mistake. A test holds the two to the same results on any text.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from musicplan.read import song_tables

TYPE_CHECKING = False  # as typing's: true for type checkers; at run time typing is not imported (3 ms)
if TYPE_CHECKING:
    from typing import Any

_END = "$END"
_GROW, _ONE = 1, 2


class Token(str):
    """A lexed token: its text, its terminal's name and where it stands (as Lark's Token)."""

    # Lark types the positions as optional (a token made by hand may have
    # none); every token here, and every one Lark's lexer makes, has them.
    type: str
    start_pos: int | None
    line: int
    column: int
    end_line: int
    end_column: int
    end_pos: int | None

    def __new__(cls, type_: str, value: str, start_pos: int | None, line: int, column: int,
                end_line: int, end_column: int, end_pos: int | None) -> Token:
        token = str.__new__(cls, value)
        token.type, token.start_pos, token.line, token.column = type_, start_pos, line, column
        token.end_line, token.end_column, token.end_pos = end_line, end_column, end_pos
        return token

    def __reduce__(self) -> Any:
        return (type(self), (self.type, str(self), self.start_pos, self.line, self.column,
                             self.end_line, self.end_column, self.end_pos), self.__dict__)


class _Automaton:
    """The tables made ready to run: scanners compiled as first needed (an
    example song uses 4 of the 15, and compiling a large one costs as much as
    reading a song), actions by state."""

    def __init__(self) -> None:
        self.scanner_of = [scanner for scanner, _ in song_tables.STATES]
        self.compiled: list[Callable[[str, int], re.Match[str] | None] | None] = [None] * len(song_tables.SCANNERS)
        self.actions = [actions for _, actions in song_tables.STATES]
        # A rule's children kept as the common shapes are handled without the
        # general loop: a repetition growing by one, or a rule of one child.
        self.rules: list[tuple[str, int, Any, str | None]] = [
            (origin, length, _GROW if keep == ((0, True), (1, False)) and length == 2 else
             _ONE if keep == ((0, False),) and length == 1 else keep, method)
            for origin, length, keep, method in song_tables.RULES]
        self.ignore = frozenset(song_tables.IGNORE)

    def scan(self, state: int) -> Callable[[str, int], re.Match[str] | None]:
        """The match of the lexer of ``state``: its terminals tried in Lark's order, the first that matches wins."""
        index = self.scanner_of[state]
        compiled = self.compiled[index]
        if compiled is None:
            patterns = song_tables.PATTERNS
            compiled = self.compiled[index] = re.compile(
                "|".join(f"(?P<{name}>{patterns[name]})" for name in song_tables.SCANNERS[index])).match
        return compiled


_automaton: _Automaton | None = None
_methods: dict[int, tuple[Any, dict[str, Any]]] = {}


def automaton() -> _Automaton:
    global _automaton
    if _automaton is None:
        _automaton = _Automaton()
    return _automaton


def _made_by(maker: Any) -> dict[str, Any]:
    """The maker's methods by the terminal or rule they make (Lark finds them by name too)."""
    if id(maker) not in _methods:
        _methods.clear()  # (one maker at a time in practice: keep no others alive)
        _methods[id(maker)] = (maker, {name: getattr(maker, name) for name in dir(type(maker))
                                       if not name.startswith("_")})
    return _methods[id(maker)][1]


def parse(text: str, start: str, maker: Any) -> Any | None:
    """What ``maker`` (a ``LineMaker``) makes of ``text`` from rule ``start``,
    or None when the text does not fit the grammar."""
    run = automaton()
    scanner_of, compiled, actions, rules, ignore = run.scanner_of, run.compiled, run.actions, run.rules, run.ignore
    made_by = _made_by(maker)
    states = [song_tables.START[start]]
    values: list[Any] = []
    end_state = song_tables.END[start]
    pos, line, line_start, size = 0, 1, 0, len(text)
    while True:
        if pos < size:
            found = (compiled[scanner_of[states[-1]]] or run.scan(states[-1]))(text, pos)
            if found is None:
                return None
            kind = found.lastgroup or ""  # (every alternative is a named group)
            value = found.group()
            token_pos, token_line, token_column = pos, line, pos - line_start + 1
            pos = found.end()
            if "\n" in value:
                line, line_start = line + value.count("\n"), token_pos + value.rindex("\n") + 1
            if kind in ignore:
                continue
        else:
            kind = _END
        while True:
            action = actions[states[-1]].get(kind)
            if action is None:
                return None
            if action >= 0:  # shift
                states.append(action)
                make = made_by.get(kind)
                if make is not None:  # a line, made into its model object
                    values.append(make(value, token_line, token_column))
                else:  # a word of a directive, or a duration: a token for the rule that takes it
                    values.append(Token(kind, value, token_pos, token_line, token_column,
                                        line, pos - line_start + 1, pos))
                break
            origin, length, keep, method = rules[~action]
            children: list[Any]
            if keep is _GROW:  # the list so far takes the new child (no copy: a long song costs no more per line)
                children = values[-2]
                children.append(values.pop())
                del values[-1], states[-2:]
            elif keep is _ONE:
                children = [values.pop()]
                del states[-1]
            else:
                taken = values[len(values) - length:]
                if length:
                    del states[-length:]
                    del values[-length:]
                children = []
                for index, splice in keep:
                    if not splice:
                        children.append(taken[index])
                    elif children:
                        children += taken[index]
                    else:  # an inlined rule's list, taken over whole
                        children = taken[index]
            goto = actions[states[-1]].get(origin)
            if goto is None:  # cannot happen with tables Lark made; answer as for a mistake
                return None
            states.append(goto)
            values.append(made_by[method](children) if method is not None else children)
            if kind is _END and goto == end_state:
                return values[-1]
