"""JSON text to values with the position of every value and key.

The standard library's parser gives values but no positions; this small
recursive reader gives both, so that a diagnostic about a JSON plan can point
at the offending value, as one about a song points at its line and column.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from json.decoder import scanstring  # type: ignore[attr-defined]  # public since 2.6, missing from typeshed
from typing import Any

from musicplan.base.diagnostics import Report, Span

Path = tuple[str | int, ...]

_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?")
_LITERALS = {"true": True, "false": False, "null": None}
# Past this many digits int() refuses to convert (Python 3.11+ stops at 4,300),
# and no value of a request body comes near it.
NUMBER_DIGITS_MAX = 1000
# JSON may escape half of a UTF-16 pair alone (`"\\ud800"`): no text, and no
# output stream, can hold it.
_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")


@dataclass
class JsonDoc:
    value: Any
    spans: dict[Path, Span] = field(default_factory=dict)  # each value's span
    key_spans: dict[Path, Span] = field(default_factory=dict)  # each member's key

    def span(self, path: Path) -> Span:
        """The span of the value at ``path``, or of the nearest enclosing value."""
        while path not in self.spans and path:
            path = path[:-1]
        return self.spans.get(path, Span.at(1, 1))


class _Reader:
    def __init__(self, text: str, report: Report) -> None:
        self.text = text
        self.report = report
        self.starts = [0] + [m.end() for m in re.finditer(r"\n", text)]
        self.doc = JsonDoc(None)
        self.huge = False  # a number too long to convert was reported

    def pos(self, offset: int) -> tuple[int, int]:
        line = bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1

    def span(self, start: int, end: int) -> Span:
        line, column = self.pos(start)
        end_line, end_column = self.pos(end)
        return Span(line, column, end_line, end_column)

    def skip(self, i: int) -> int:
        found = _WS.match(self.text, i)  # matches the empty string too: never None
        return found.end() if found else i

    def surrogates(self, text: str, span: Span) -> None:
        found = _LONE_SURROGATE.search(text)
        if found:
            code = f"\\u{ord(found.group(0)):04x}"
            self.report.error("E003", span, f"this string holds `{code}`, half of a UTF-16 pair without the other",
                              "no text holds half a pair: remove the escape, or write the whole character "
                              "(two escapes, e.g. `\\ud83c\\udfb5`, or the character itself)")

    def value(self, i: int, path: Path) -> tuple[Any, int]:
        i = self.skip(i)
        ch = self.text[i : i + 1]
        start = i
        if ch == "{":
            result: Any = {}
            i = self.skip(i + 1)
            if self.text[i : i + 1] == "}":
                i += 1
            else:
                while True:
                    i = self.skip(i)
                    key_start = i
                    key, i = scanstring(self.text, i + 1)
                    key_span = self.span(key_start, i)
                    self.surrogates(key, key_span)
                    if key in result:
                        self.report.error("E201", key_span, f"`{key}` is given twice in this object",
                                          f"it was first given on line {self.doc.key_spans[path + (key,)].line}; "
                                          "keep one of them")
                    else:
                        self.doc.key_spans[path + (key,)] = key_span
                    i = self.skip(i) + 1  # the colon
                    result[key], i = self.value(i, path + (key,))
                    i = self.skip(i)
                    if self.text[i] == "}":
                        i += 1
                        break
                    i += 1  # the comma
        elif ch == "[":
            result = []
            i = self.skip(i + 1)
            if self.text[i : i + 1] == "]":
                i += 1
            else:
                while True:
                    item, i = self.value(i, path + (len(result),))
                    result.append(item)
                    i = self.skip(i)
                    if self.text[i] == "]":
                        i += 1
                        break
                    i += 1
        elif ch == '"':
            result, i = scanstring(self.text, i + 1)
            self.surrogates(result, self.span(start, i))
        else:
            for word, literal in _LITERALS.items():
                if self.text.startswith(word, i):
                    result, i = literal, i + len(word)
                    break
            else:
                match = _NUMBER.match(self.text, i)
                assert match, "json.loads accepted what this reader can't read"
                number = match.group(0)
                i = match.end()
                if match.group(1) or match.group(2):
                    result = float(number)
                elif len(number) > NUMBER_DIGITS_MAX:
                    self.huge = True
                    self.report.error("E002", self.span(start, i), f"a number of {len(number.lstrip('-'))} digits",
                                      "no value of a request body has more than 19 digits (the API's integers "
                                      "are 64-bit): check the number")
                    result = 0
                else:
                    result = int(number)
        self.doc.spans[path] = self.span(start, i)
        return result, i


def _validated_int(digits: str) -> int:
    return 0  # only validity is asked of json.loads; the reader converts (and refuses) numbers


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def read(text: str, report: Report) -> JsonDoc | None:
    """Parse ``text``; on invalid JSON report where it breaks and return None."""
    try:
        # Numbers too long for int() are found (with their place) by the reader below.
        json.loads(text, parse_constant=_refuse_constant, parse_int=_validated_int)
    except json.JSONDecodeError as exc:
        report.error("E002", Span.at(exc.lineno, exc.colno), f"not valid JSON: {exc.msg}",
                     "check the brackets, commas and quotes around this point")
        return None
    except (ValueError, RecursionError) as exc:
        report.error("E002", Span.at(1, 1), f"not valid JSON: {exc}",
                     "JSON has no NaN or Infinity, and nests at most a few hundred levels")
        return None
    reader = _Reader(text, report)
    try:
        reader.doc.value, _ = reader.value(0, ())
    except RecursionError:
        report.error("E002", Span.at(1, 1), "this JSON nests too deeply to read",
                     "a request body nests a few levels deep; check the file is the plan you meant")
        return None
    return None if reader.huge else reader.doc
