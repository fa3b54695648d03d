"""`check --fix`: song text to the text with every certain fix applied, proved
to change nothing else.

A diagnostic's ``fix`` is the edits that are certainly what the writer meant
(``tittle:`` -> ``title:``, ``20 sec`` -> ``20s``); where a hint offers two
candidates there is no fix. The edits of one round are applied together
(one whose span overlaps another waits for the next round), the text is
checked again, and that repeats until nothing more applies: a fixed key may
reveal a value to fix. Like ``fmt``, the result is compared with the original
before it is used: every comment kept in order and every line that no edit
touched unchanged, or FixChangedMeaning (a musicplan bug).
"""

from __future__ import annotations

from collections.abc import Iterable

from musicplan.base.diagnostics import Diagnostic, Edit, Report
from musicplan.base.record import Factory, Record
from musicplan.pipeline import Options, analyse_text
from musicplan.read.source import BOM, Source, from_text
from musicplan.read.written import Comment

ROUNDS_MAX = 10


class FixChangedMeaning(Exception):
    """Fixing would have changed more than the fixes (a musicplan bug)."""


class Fixed(Record):
    """The text after fixing (unchanged when nothing applied), the diagnostics
    whose fixes were applied (at their places in the text as it was then) and
    what is left, at their places in the fixed text."""

    text: str
    fixed: list[Diagnostic] = Factory(list)
    left: list[Diagnostic] = Factory(list)

    @property
    def changed(self) -> bool:
        return bool(self.fixed)


def _offsets(text: str) -> list[int]:
    """The offset of each line's start (lines end in LF; a CR stays in its line)."""
    starts = [0]
    for index, char in enumerate(text):
        if char == "\n":
            starts.append(index + 1)
    return starts


def _offset(starts: list[int], text: str, line: int, column: int) -> int:
    if not 1 <= line <= len(starts):
        raise ValueError(f"line {line} is outside the text")
    end = starts[line] - 1 if line < len(starts) else len(text)
    offset = starts[line - 1] + column - 1
    if not starts[line - 1] <= offset <= end:
        raise ValueError(f"column {column} is outside line {line}")
    return offset


def apply(text: str, edits: Iterable[Edit]) -> str:
    """``text`` with ``edits`` made (they must not overlap). Positions are 1-based
    lines and columns in code points, as in every diagnostic."""
    starts = _offsets(text)
    placed = sorted((_offset(starts, text, e.span.line, e.span.column),
                     _offset(starts, text, e.span.end_line, e.span.end_column), e.text) for e in edits)
    out: list[str] = []
    at = 0
    for start, end, new in placed:
        if start < at or end < start:
            raise ValueError("edits overlap")
        out += [text[at:start], new]
        at = end
    out.append(text[at:])
    return "".join(out)


def _overlap(a: tuple[tuple[int, int], tuple[int, int]], b: tuple[tuple[int, int], tuple[int, int]]) -> bool:
    # Two insertions at one place overlap too: which goes first is not certain.
    return (a[0] < b[1] and b[0] < a[1]) or a[0] == a[1] == b[0] == b[1]


def _choose(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """The fixable diagnostics whose edits overlap no other chosen one's, in order."""
    chosen: list[Diagnostic] = []
    taken: list[tuple[tuple[int, int], tuple[int, int]]] = []
    for d in sorted((d for d in diagnostics if d.fix), key=Diagnostic.sort_key):
        spans = [((e.span.line, e.span.column), (e.span.end_line, e.span.end_column)) for e in d.fix]
        if any(_overlap(span, other) for span in spans for other in taken):
            continue
        chosen.append(d)
        taken += spans
    return chosen


def _check(text: str, path: str, options: Options) -> tuple[list[Diagnostic], list[str]]:
    """The text's diagnostics, and its comments in order (for the proof below)."""
    report = Report(path)
    song = analyse_text(from_text(text, path), report, options).song
    lines = song.header + [line for section in song.sections for line in section.lines]
    return report.sorted(), [line.text for line in lines if isinstance(line, Comment)]


def _prove(before: str, after: str, touched: set[int], comments: tuple[list[str], list[str]]) -> None:
    """Every line no edit touched is as it was, and the comments are the same,
    in order (a line that does not parse is set aside; its neighbours still count)."""
    old, new = before.split("\n"), after.split("\n")
    if len(old) != len(new) or any(a != b for number, (a, b) in enumerate(zip(old, new, strict=True), 1)
                                   if number not in touched):
        raise FixChangedMeaning("a line that no fix was about changed")
    if comments[0] != comments[1]:
        raise FixChangedMeaning("the comments changed")


def fix_source(source: Source, options: Options | None = None) -> Fixed:
    """Apply every certain fix to ``source``, round after round (see the module)."""
    options = options or Options()
    text, path = source.text, source.path
    fixed: list[Diagnostic] = []
    touched: set[int] = set()
    seen = {text}
    diagnostics, comments = _check(text, path, options)
    first_comments = comments
    for _ in range(ROUNDS_MAX):
        chosen = _choose(diagnostics)
        if not chosen:
            break
        changed = apply(text, [edit for d in chosen for edit in d.fix])
        if changed in seen:  # fixes that undo each other: stop rather than go round
            break
        seen.add(changed)
        fixed += chosen
        touched |= {line for d in chosen for e in d.fix for line in range(e.span.line, e.span.end_line + 1)}
        text = changed
        diagnostics, comments = _check(text, path, options)
    if fixed:
        _prove(source.text, text, touched, (first_comments, comments))
    # Edits stay within their lines, so every round's places share the line numbers.
    return Fixed(text, sorted(fixed, key=Diagnostic.sort_key), diagnostics)


def fix_text(text: str, path: str = "<string>") -> str:
    """Song text with every certain fix applied (the text as it was when none applies).
    A byte-order mark at the start is kept."""
    bom = BOM if text.startswith(BOM) else ""
    return bom + fix_source(from_text(text, path)).text
