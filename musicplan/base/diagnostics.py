"""What musicplan says about a song: positions, diagnostics and the one exception."""

from __future__ import annotations

import re
from collections.abc import Iterable
from operator import itemgetter

from musicplan.base.record import Factory, Record

TYPE_CHECKING = False  # as typing's: true for type checkers; at run time typing is not imported (3 ms)
if TYPE_CHECKING:
    from typing import Literal

    Severity = Literal["error", "warning"]

# A message quotes what the writer wrote, which may be 40 KB long or hold a
# lone surrogate (from JSON) that no output stream can encode.
MESSAGE_MAX = 300
_SURROGATE = r"[\ud800-\udfff]"  # compiled (and cached by `re`) for the first message not in ASCII


def _said(text: str) -> str:
    """``text`` fit to be said: lone surrogates written as ``\\udXXX``, the
    middle of an overlong text left out."""
    if text.isascii():
        if len(text) <= MESSAGE_MAX:
            return text  # what nearly every message is
    elif re.search(_SURROGATE, text):
        text = re.sub(_SURROGATE, lambda m: f"\\u{ord(m.group(0)):04x}", text)
    if len(text) > MESSAGE_MAX:
        keep = MESSAGE_MAX // 2
        text = f"{text[:keep]} … {text[-keep // 2:]}"
    return text


class Span(tuple):
    """A stretch of source text. Lines and columns are 1-based; columns count
    code points; ``end_column`` is one past the last character. A tuple, so it
    orders and hashes by position."""

    __slots__ = ()

    def __new__(cls, line: int, column: int, end_line: int, end_column: int) -> Span:
        return tuple.__new__(cls, (line, column, end_line, end_column))

    line = property(itemgetter(0))
    column = property(itemgetter(1))
    end_line = property(itemgetter(2))
    end_column = property(itemgetter(3))

    def __getnewargs__(self) -> tuple[int, int, int, int]:  # pickling, for worker processes
        return (self[0], self[1], self[2], self[3])

    def __repr__(self) -> str:
        return f"Span(line={self[0]}, column={self[1]}, end_line={self[2]}, end_column={self[3]})"

    @classmethod
    def at(cls, line: int, column: int, width: int = 1) -> Span:
        return cls(line, column, line, column + max(width, 1))

    def to(self, other: Span) -> Span:
        return Span(self[0], self[1], other[2], other[3])


class Edit(Record):
    """Replace the text at ``span`` with ``text`` (an empty span inserts).
    A diagnostic's ``fix`` is the edits that are certainly what the writer
    meant; ``check --fix`` and the language server's code actions apply them."""

    span: Span
    text: str

    def to_dict(self) -> dict[str, object]:
        return {"line": self.span.line, "column": self.span.column, "end_line": self.span.end_line,
                "end_column": self.span.end_column, "text": self.text}


class Diagnostic(Record):
    path: str
    span: Span
    severity: Severity
    code: str
    message: str
    hint: str = ""
    fix: tuple[Edit, ...] = ()

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def to_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.span.line,
            "column": self.span.column,
            "end_line": self.span.end_line,
            "end_column": self.span.end_column,
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
            "hint": self.hint,
            **({"fix": [edit.to_dict() for edit in self.fix]} if self.fix else {}),
        }

    def sort_key(self) -> tuple[int, int, str]:
        return (self.span.line, self.span.column, self.code)


class Report(Record):
    """Collects diagnostics for one source while it passes through the pipeline."""

    path: str
    diagnostics: list[Diagnostic] = Factory(list)

    def error(self, code: str, span: Span, message: str, hint: str = "", fix: tuple[Edit, ...] = ()) -> None:
        self.diagnostics.append(Diagnostic(self.path, span, "error", code, _said(message), _said(hint), fix))

    def warning(self, code: str, span: Span, message: str, hint: str = "", fix: tuple[Edit, ...] = ()) -> None:
        self.diagnostics.append(Diagnostic(self.path, span, "warning", code, _said(message), _said(hint), fix))

    @property
    def has_errors(self) -> bool:
        for d in self.diagnostics:
            if d.severity == "error":
                return True
        return False

    def sorted(self) -> list[Diagnostic]:
        return sorted(self.diagnostics, key=Diagnostic.sort_key)


class SongError(Exception):
    """Raised when a song (or plan) has errors; carries every diagnostic found."""

    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics: list[Diagnostic] = list(diagnostics)
        errors = [d for d in self.diagnostics if d.is_error]
        first = errors[0] if errors else (self.diagnostics[0] if self.diagnostics else None)
        if first is None:
            summary = "the song has errors"
        else:
            more = len(errors) - 1
            summary = (
                f"{first.path}:{first.span.line}:{first.span.column}: "
                f"{first.code} {first.message}"
            )
            if more > 0:
                summary += f" (and {more} more error{'s' if more > 1 else ''})"
        super().__init__(summary)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]
