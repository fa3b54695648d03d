"""The text before the cursor to what may come next: header keys and their
values (models, formats, booleans, meters, beats), directives, the names of
earlier sections after `@repeat `, and levels after `@adherence` and `strength`."""

from __future__ import annotations

import re

from lsprotocol import types
from pygls.workspace import PositionCodec

from musicplan.base.diagnostics import Span
from musicplan.lsp.document import SongDocument
from musicplan.lsp.hover import DIRECTIVES
from musicplan.lsp.positions import to_range
from musicplan.spec import limits
from musicplan.spec.vocabulary import FIELDS

TRIGGERS = ["@", ":", " "]
_BOOLEANS = ("yes", "no", "true", "false", "on", "off")
# Suggestions, not limits: any N/M meter and any note value are accepted.
_METERS = ("4/4", "3/4", "2/4", "2/2", "6/8", "9/8", "12/8", "5/4", "7/8")
_BEATS = ("1/4", "3/8", "1/8", "1/2")
_VALUES: dict[str, tuple[str, ...]] = {
    "model": limits.MODELS, "format": limits.OUTPUT_FORMATS, "boolean": _BOOLEANS, "meter": _METERS, "beat": _BEATS,
}
_Kind = types.CompletionItemKind


def _items(choices: list[tuple[str, str]], kind: types.CompletionItemKind, replace: Span,
           doc: SongDocument, codec: PositionCodec, suffix: str = "") -> list[types.CompletionItem]:
    where = to_range(replace, doc.lines, codec)
    return [types.CompletionItem(label=label, kind=kind, detail=detail or None, sort_text=f"{index:04d}",
                                 text_edit=types.TextEdit(range=where, new_text=label + suffix))
            for index, (label, detail) in enumerate(choices)]


def complete(doc: SongDocument, line: int, column: int, codec: PositionCodec) -> list[types.CompletionItem]:
    before = doc.line(line)[: column - 1]
    stripped = before.lstrip(" \t")
    first_heading = doc.first_heading_line()
    in_header = first_heading is None or line < first_heading

    def span_from(start_column: int) -> Span:
        return Span(line, start_column, line, column)

    if stripped.startswith("@") and not in_header:
        if (match := re.fullmatch(r"@(\w*)", stripped)):
            choices = [(name[1:], DIRECTIVES[name].split(". ")[0]) for name in DIRECTIVES]
            return _items(choices, _Kind.Keyword, span_from(column - len(match.group(1))), doc, codec, " ")
        if (match := re.fullmatch(r"@repeat[ \t]+(.*)", stripped)):
            names: list[tuple[str, str]] = []
            current = doc.section_at(line)
            for placed in doc.placed:
                if current is None or placed.index >= current.index:
                    break  # a section repeats an earlier one, never itself
                name = placed.section.name
                if name and name not in [n for n, _ in names]:
                    names.append((name, f"line {placed.section.heading.span.line}"))
            names = [(name, detail) for name, detail in reversed(names)]  # the nearest first
            return _items(names, _Kind.Reference, span_from(column - len(match.group(1))), doc, codec)
        if (match := re.fullmatch(r"@adherence[ \t]+(\w*)", stripped)):
            choices = [(level, "") for level in limits.ADHERENCE_LEVELS]
            return _items(choices, _Kind.EnumMember, span_from(column - len(match.group(1))), doc, codec)
        if (match := re.fullmatch(r"@condition[ \t].*\bstrength[ \t]+(\w*)", stripped)):
            choices = [(level, "") for level in limits.CONDITION_STRENGTHS]
            return _items(choices, _Kind.EnumMember, span_from(column - len(match.group(1))), doc, codec)
        if (match := re.fullmatch(r"@condition[ \t]+\S+[ \t]+\S+[ \t]+(\w*)", stripped)):
            return _items([("strength", "how strongly the reference conditions the chunk")], _Kind.Keyword,
                          span_from(column - len(match.group(1))), doc, codec, " ")
        return []
    if not in_header or stripped[:1] in ("#", "+", "-", "[", "\\") or before[:1] in (" ", "\t"):
        return []
    if ":" not in stripped:
        if not re.fullmatch(r"\w*", stripped):
            return []
        used = {item.key for item in doc.fields if item.key_span.line != line}
        choices = [(key, spec.body or "not sent") for key, spec in FIELDS.items() if key not in used]
        return _items(choices, _Kind.Property, span_from(column - len(stripped)), doc, codec, ": ")
    key, _, value = stripped.partition(":")
    spec = FIELDS.get(key.strip().lower())
    if spec is None:
        return []
    typed = value.lstrip(" \t")
    if spec.kind == "duration":
        return []
    choices = [(option, "") for option in _VALUES.get(spec.kind, ())]
    if spec.kind == "model":
        choices = [(option, "the API's default; deprecated" if option == limits.DEFAULT_MODEL else "")
                   for option in limits.MODELS]
    prefix = "" if value[:1] in (" ", "\t") or not choices else " "
    items = _items(choices, _Kind.Value, span_from(column - len(typed)), doc, codec)
    for item in items:
        if item.text_edit is not None:
            item.text_edit.new_text = prefix + item.text_edit.new_text
    return items

