"""A report and the song's ignore comments to the report without what they silence.

``# musicplan: ignore W101`` silences the line after it; above a heading it
silences the whole section. ``--ignore`` (or a configuration's ``ignore``)
silences a code for the run, and lints that are off by default stay silent
unless enabled. An ignore comment that silences nothing (a code that is not
reported there, an unknown code, an error code) is a warning of its own, W900.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from musicplan.analyse.lints import OFF_BY_DEFAULT
from musicplan.base.diagnostics import Diagnostic, Report, Span
from musicplan.read.written import Comment, SongModel

# As text: compiled (and cached by `re`) only for songs with comments.
_IGNORE = r"(?i)#\s*musicplan:\s*ignore\b(.*)"
_WORD = r"[^\s,]+"
_CODE_SHAPED = r"[A-Za-z]+\d+[A-Za-z\d]*"


def may_silence(text: str) -> bool:
    """Whether song ``text`` may hold an ignore comment: one needs `musicplan:`,
    so `plan` in some case (letters that, unlike `i` and `s`, match nothing but
    their two cases). Without it the song's comments need not be looked at."""
    return "plan" in text.lower()


class _Rule:
    """One code named by one comment, with the lines it covers."""

    __slots__ = ("code", "span", "first", "last", "used")

    def __init__(self, code: str, span: Span, first: int, last: int) -> None:
        self.code, self.span, self.first, self.last, self.used = code, span, first, last, False


def _extents(song: SongModel | None) -> dict[int, int]:
    """Heading line -> the last line of its section."""
    if song is None or not song.sections:
        return {}
    starts = [section.heading.span.line for section in song.sections]
    return {start: end - 1 for start, end in zip(starts, starts[1:] + [10**12], strict=True)}


def _rules(comments: Iterable[Comment], song: SongModel | None, report: Report) -> list[_Rule]:
    rules: list[_Rule] = []
    sections: dict[int, int] | None = None
    for comment in comments:
        match = re.search(_IGNORE, comment.text) if ":" in comment.text else None
        if match is None:
            continue
        from musicplan.base.codes import CODES, nearest_code  # only for songs with ignore comments

        if sections is None:
            sections = _extents(song)
        line = comment.span.line + 1
        last = sections.get(line, line)
        base = comment.span.column + match.start(1)
        words = []
        for word in re.finditer(_WORD, match.group(1)):
            if not re.fullmatch(_CODE_SHAPED, word.group(0)):
                break  # the codes are followed by a reason, if by anything
            words.append(word)
        if not words:
            report.warning("W900", comment.span, "this ignore comment names no code",
                           "name the warning to silence, e.g. `# musicplan: ignore W101`")
        for word in words:
            code = word.group(0).upper()
            span = Span.at(comment.span.line, base + word.start(), len(word.group(0)))
            if code not in CODES:
                guess = nearest_code(code)
                guess = None if guess == "W900" else guess  # this warning itself is no answer
                report.warning("W900", span, f"`{word.group(0)}` is not a musicplan code: it silences nothing",
                               f"did you mean {guess}?" if guess else "the codes are in docs/diagnostics.md")
            elif not code.startswith("W"):
                report.warning("W900", span, f"{code} is an error: an ignore comment cannot silence it",
                               "fix the error; comments silence warnings only")
            else:
                rules.append(_Rule(code, span, line, last))
    return rules


def silence(report: Report, song: SongModel | None, ignore: frozenset[str] = frozenset(),
            enable: frozenset[str] = frozenset()) -> None:
    """Drop the warnings a comment, ``ignore`` or the off-by-default set silences,
    and report ignore comments that silence nothing."""
    comments = song.comments if song is not None else []
    rules = _rules(comments, song, report) if comments else []

    def running(code: str) -> bool:
        return code not in ignore and (code not in OFF_BY_DEFAULT or code in enable)

    def keep(d: Diagnostic) -> bool:
        if d.is_error or d.code == "W900":
            return True
        if not running(d.code):
            return False
        silenced = False
        for rule in rules:
            if rule.code == d.code and rule.first <= d.span.line <= rule.last:
                rule.used = silenced = True
        return not silenced

    if report.diagnostics:
        report.diagnostics[:] = [d for d in report.diagnostics if keep(d)]
    # A lint this run does not report may well be what the comment is for; and
    # a song with errors may not have been checked far enough to report it.
    checked = bool(rules) and not report.has_errors
    for rule in rules:
        if checked and not rule.used and running(rule.code):
            where = "section" if rule.last != rule.first else "line"
            report.warning("W900", rule.span, f"{rule.code} is not reported on the {where} below: "
                           "this ignore comment silences nothing", "remove the code from the comment")
    if "W900" in ignore:
        report.diagnostics[:] = [d for d in report.diagnostics if d.code != "W900"]
