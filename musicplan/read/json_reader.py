"""A JSON request body or plan to the song model, every element at its JSON position.

Reading JSON into the same model as a .song file means one set of checks
serves both (``musicplan check plan.json`` reports the rules of the format at
the offending JSON value), and one printer turns either into .song text.
"""

from __future__ import annotations

import re
from typing import Any

from musicplan.base.diagnostics import Report, Span
from musicplan.base.words import nearest
from musicplan.read.json_positions import JsonDoc, Path
from musicplan.read.written import (
    Adherence,
    Condition,
    Duration,
    Field,
    Heading,
    Line,
    Lyric,
    Section,
    SetAside,
    SongModel,
    Source,
    StyleItem,
    StyleLine,
    TimeRange,
)
from musicplan.spec import limits
from musicplan.spec.vocabulary import BODY, FIELDS

_LABEL = re.compile(r"\[(.*)\]")


def split_chunk_text(text: str) -> tuple[str, list[str]]:
    """A chunk's text as (heading name, lyric lines): a first line that is all
    ``[label]`` is the label; anything else leaves the heading empty (``[]``)."""
    lines = text.split("\n") if text else []
    if lines:
        match = _LABEL.fullmatch(lines[0])
        label = match.group(1) if match else None
        if label and label == label.strip(" \t") and "\r" not in label:
            return label, lines[1:]
    return "", lines


# ---- the shapes JSON must have before its values can be checked

STR, INT, BOOL = "a string", "a whole number", "true or false"
Spec = str | dict | list | tuple


def _obj(required: dict[str, Spec], optional: dict[str, Spec] | None = None) -> dict:
    return {"required": required, "optional": optional or {}}


RANGE = _obj({"start_ms": INT, "end_ms": INT})
STYLES = [STR]
SOURCE = _obj({"song_id": STR, "range": RANGE}, {"negative_ranges": [RANGE]})
SECTION = _obj(
    {"section_name": STR, "positive_local_styles": STYLES, "negative_local_styles": STYLES,
     "duration_ms": INT, "lines": [STR]},
    {"source_from": SOURCE},
)
V1_PLAN = _obj({"positive_global_styles": STYLES, "negative_global_styles": STYLES, "sections": [SECTION]})
GENERATION = _obj(
    {"text": STR, "duration_ms": INT, "positive_styles": STYLES},
    {"negative_styles": STYLES, "context_adherence": STR, "conditioning_ref": _obj({"song_id": STR, "range": RANGE}),
     "condition_strength": STR},
)
REFERENCE = _obj({"song_id": STR, "range": RANGE})
CHUNK = ("chunk",)  # a generation chunk or an audio reference, told apart by `text`
CHUNK_PLAN = _obj({"chunks": [CHUNK]})
PLAN = ("plan",)  # a v1 plan or a chunk plan, told apart by `chunks`
_JSON_TYPES: dict[str, Spec] = {"string": STR, "integer": INT, "boolean": BOOL, "plan": PLAN}
BODY_OPTIONS = {key.name: _JSON_TYPES[key.json_type] for key in BODY}
BODY_SHAPE = _obj({}, BODY_OPTIONS)


def _type_ok(value: Any, spec: str) -> bool:
    if spec == STR:
        return isinstance(value, str)
    if spec == INT:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, bool)


def _name(path: Path) -> str:
    if not path:
        return "the document"
    if isinstance(path[-1], int):
        return f"item {path[-1] + 1} of {_name(path[:-1])}"
    return f"`{path[-1]}`"


class _Unread:
    """A value of the wrong shape (or a required key missing): reported once,
    then left out, so that the rest of the document is still checked."""

    def __repr__(self) -> str:
        return "UNREAD"


UNREAD: Any = _Unread()


class _Shape:
    def __init__(self, doc: JsonDoc, report: Report) -> None:
        self.doc = doc
        self.report = report

    def check(self, value: Any, spec: Spec, path: Path) -> Any:
        """``value`` with every part of the wrong shape reported and made ``UNREAD``
        (unknown keys dropped, items of the wrong type left out of their list)."""
        span = self.doc.span(path)
        if spec is PLAN:
            spec = CHUNK_PLAN if isinstance(value, dict) and "chunks" in value else V1_PLAN
        if spec is CHUNK:
            spec = GENERATION if isinstance(value, dict) and "song_id" not in value else REFERENCE
        if isinstance(spec, str):
            if not _type_ok(value, spec):
                self.report.error("E500", span, f"{_name(path)} should be {spec}",
                                  f"found {json_type(value)}")
                return UNREAD
            return value
        if isinstance(spec, list):
            if not isinstance(value, list):
                self.report.error("E500", span, f"{_name(path)} should be a list", f"found {json_type(value)}")
                return UNREAD
            items = [self.check(item, spec[0], path + (index,)) for index, item in enumerate(value)]
            # A bad section or chunk keeps its place (limits count them); a bad string goes.
            return items if isinstance(spec[0], (dict, tuple)) else [i for i in items if i is not UNREAD]
        if not isinstance(value, dict):
            self.report.error("E500", span, f"{_name(path)} should be an object", f"found {json_type(value)}")
            return UNREAD
        assert isinstance(spec, dict)  # PLAN and CHUNK were resolved to their shapes above
        known = {**spec["required"], **spec["optional"]}
        clean: dict[str, Any] = {}
        for key in spec["required"]:
            if key not in value:
                self.report.error("E501", span, f"`{key}` is missing",
                                  f"add \"{key}\" to this object")
                clean[key] = UNREAD
        for key, item in value.items():
            if key not in known:
                guess = nearest(key, list(known))
                self.report.error("E502", self.doc.key_spans.get(path + (key,), span), f"unknown key `{key}`",
                                  f"did you mean `{guess}`?" if guess else "known keys: " + ", ".join(known))
            elif item is None and key in spec["optional"]:
                continue
            else:
                clean[key] = self.check(item, known[key], path + (key,))
        return clean


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number" if not isinstance(value, int) else "a whole number"
    if isinstance(value, str):
        return "a string"
    return "a list" if isinstance(value, list) else "an object"


# ---- camelCase, as the JavaScript SDK writes plans in code


def _snake_keys(spec: Spec) -> set[str]:
    if isinstance(spec, list):
        return _snake_keys(spec[0])
    if not isinstance(spec, dict):
        return set()
    known = {**spec["required"], **spec["optional"]}
    return set(known).union(*(_snake_keys(value) for value in known.values()))


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


CAMEL_KEYS = {_camel(key): key for key in _snake_keys(BODY_SHAPE) | _snake_keys(V1_PLAN)
              | _snake_keys(GENERATION) | _snake_keys(REFERENCE) | _snake_keys(CHUNK_PLAN) if "_" in key}


def _first_camel(value: Any, path: Path, doc: JsonDoc) -> tuple[str, Span] | None:
    """The first key spelt in camelCase (in document order), and its span."""
    found: list[tuple[Span, str]] = []
    stack: list[tuple[Any, Path]] = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, dict):
            for key, inner in item.items():
                if key in CAMEL_KEYS:
                    found.append((doc.key_spans.get(where + (key,), doc.span(where)), key))
                stack.append((inner, where + (key,)))
        elif isinstance(item, list):
            stack += [(inner, where + (index,)) for index, inner in enumerate(item)]
    if not found:
        return None
    span, key = min(found)
    return key, span


# ---- what kind of document this is

BODY_KEYS = frozenset(BODY_OPTIONS)


def document_kind(value: Any) -> str | None:
    """`body`, `plan` (music_v1), `chunks`, or None when it is none of them."""
    if not isinstance(value, dict):
        return None
    if "chunks" in value:
        return "chunks"
    if {"sections", "positive_global_styles", "negative_global_styles"} & set(value):
        return "plan"
    if BODY_KEYS & set(value):
        return "body"
    return None


# ---- building the model

def _field_text(kind: str, value: Any) -> str:
    """A body value as the song field's text (its shape was checked already)."""
    if kind == "boolean":
        return "yes" if value else "no"
    if kind == "duration":
        return f"{value}ms"
    return str(value)




class _Builder:
    def __init__(self, doc: JsonDoc, path: str) -> None:
        self.doc = doc
        self.song = SongModel(path)

    def span(self, path: Path) -> Span:
        return self.doc.span(path)

    def unread(self, value: Any, word: str, path: Path, into: list[Line]) -> bool:
        """Whether ``value`` was of the wrong shape; if so, mark its place (see ``SetAside``)."""
        if value is UNREAD:
            into.append(SetAside(word, self.span(path)))
            return True
        return False

    def field(self, key: str, value: str, path: Path) -> None:
        key_span = self.doc.key_spans.get(path, self.span(path))
        self.song.header.append(Field(key, key, value, key_span, self.span(path)))

    def duration(self, ms: int, path: Path) -> Duration:
        return Duration(f"{ms}ms", "millis", self.span(path))

    def time_range(self, value: dict, path: Path) -> TimeRange | None:
        if value is UNREAD or UNREAD in (value["start_ms"], value["end_ms"]):
            return None
        return TimeRange(self.duration(value["start_ms"], path + ("start_ms",)),
                         self.duration(value["end_ms"], path + ("end_ms",)))

    def styles(self, items: list[str], positive: bool, path: Path) -> list[Line]:
        if items is UNREAD:
            return [SetAside("+" if positive else "-", self.span(path))]
        if not items:
            return []
        made = [StyleItem(text, self.span(path + (i,)), False) for i, text in enumerate(items)]
        return [StyleLine(positive, made, self.span(path))]

    def lyrics(self, lines: list[str], path: Path, one_string: bool = False) -> list[Line]:
        out: list[Line] = []
        if self.unread(lines, "lines", path, out):
            return out
        for index, text in enumerate(lines):
            span = self.span(path) if one_string else self.span(path + (index,))
            # Past the opening quote, a column counts into the lyric.
            out.append(Lyric(text, span, span.column + 1, False))
        return out

    def body(self, body: dict, base: Path) -> None:
        for spec in FIELDS.values():
            value = body.get(spec.body) if spec.body else None
            if value is None or spec.body is None or self.unread(value, spec.key, base + (spec.body,),
                                                                 self.song.header):
                continue
            self.field(spec.key, _field_text(spec.kind, value), base + (spec.body,))
        plan = body.get("composition_plan")
        if not self.unread(plan, "[", base + ("composition_plan",), self.song.header) and plan is not None:
            self.plan(plan, base + ("composition_plan",))

    def plan(self, plan: dict, base: Path) -> None:
        if "chunks" in plan:
            if not self.unread(plan["chunks"], "[", base + ("chunks",), self.song.header):
                for index, chunk in enumerate(plan["chunks"]):
                    self.chunk(chunk, base + ("chunks", index))
            return
        self.song.header += self.styles(plan["positive_global_styles"], True, base + ("positive_global_styles",))
        self.song.header += self.styles(plan["negative_global_styles"], False, base + ("negative_global_styles",))
        if not self.unread(plan["sections"], "[", base + ("sections",), self.song.header):
            for index, section in enumerate(plan["sections"]):
                self.section(section, base + ("sections", index))

    def heading(self, name: Any, name_path: Path, ms: Any, ms_path: Path) -> Heading:
        """A heading from a name and a duration, either of which may be unread."""
        duration = None if ms is UNREAD else self.duration(ms, ms_path)
        if name is UNREAD:
            return Heading("", "", self.span(name_path), duration, True, ms is UNREAD)
        return Heading(name, name, self.span(name_path), duration, False, ms is UNREAD)

    def section(self, value: dict, path: Path) -> None:
        if value is UNREAD:  # it keeps its place, so that limits count it
            self.song.sections.append(Section(Heading("", "", self.span(path), None, True, True)))
            return
        heading = self.heading(value["section_name"], path + ("section_name",),
                               value["duration_ms"], path + ("duration_ms",))
        section = Section(heading)
        section.lines += self.styles(value["positive_local_styles"], True, path + ("positive_local_styles",))
        section.lines += self.styles(value["negative_local_styles"], False, path + ("negative_local_styles",))
        spath = path + ("source_from",)
        found = self.reference(value.get("source_from"), spath, "@source")
        if isinstance(found, SetAside):
            section.lines.append(found)
        elif found is not None:
            song_id, id_span, main = found
            excepts = [self.time_range(r, spath + ("negative_ranges", i))
                       for i, r in enumerate(_present(value["source_from"].get("negative_ranges")) or [])]
            section.lines.append(Source(song_id, id_span, main, [r for r in excepts if r is not None],
                                        self.span(spath)))
        section.lines += self.lyrics(value["lines"], path + ("lines",))
        self.song.sections.append(section)

    def reference(self, ref: Any, path: Path, word: str) -> tuple[str, Span, TimeRange] | SetAside | None:
        """A song id and a range (``source_from``, an audio reference chunk,
        ``conditioning_ref``) with the id's span; what stands in for it when either
        could not be read; None when there is none."""
        if ref is None:
            return None
        time_range = None if ref is UNREAD else self.time_range(ref["range"], path + ("range",))
        if time_range is None or ref["song_id"] is UNREAD:
            return SetAside(word, self.span(path))
        return ref["song_id"], self.span(path + ("song_id",)), time_range

    def chunk(self, value: dict, path: Path) -> None:
        if value is UNREAD:  # it keeps its place, so that limits count it
            self.song.sections.append(Section(Heading("", "", self.span(path), None, True, True)))
            return
        if "text" not in value:  # an audio reference
            found = self.reference(value, path, "@source")
            assert found is not None  # the chunk itself is the reference
            line = found if isinstance(found, SetAside) else Source(*found, [], self.span(path))
            self.song.sections.append(Section(Heading("", "", self.span(path), None), [line]))
            return
        text = value["text"]
        label, lines = ("", []) if text is UNREAD else split_chunk_text(text)
        heading = self.heading(UNREAD if text is UNREAD else label, path + ("text",),
                               value["duration_ms"], path + ("duration_ms",))
        section = Section(heading)
        section.lines += self.styles(value["positive_styles"], True, path + ("positive_styles",))
        section.lines += self.styles(_present(value.get("negative_styles")) or [], False,
                                     path + ("negative_styles",))
        adherence = value.get("context_adherence")
        if adherence is not None and adherence is not UNREAD:
            apath = path + ("context_adherence",)
            section.lines.append(Adherence(adherence, self.span(apath), self.span(apath)))
        rpath = path + ("conditioning_ref",)
        found = self.reference(value.get("conditioning_ref"), rpath, "@condition")
        if isinstance(found, SetAside):
            section.lines.append(found)
        elif found is not None:
            strength = _present(value.get("condition_strength"))
            spath = path + ("condition_strength",)
            section.lines.append(Condition(*found, strength, self.span(spath) if strength is not None else None,
                                           self.span(rpath)))
        section.lines += self.lyrics(UNREAD if text is UNREAD else lines, path + ("text",), one_string=True)
        self.song.sections.append(section)


def read_model(doc: JsonDoc, path: str, report: Report) -> tuple[SongModel, str] | None:
    """The song model of a body or bare plan, and its kind; None after reporting why not."""
    camel = _first_camel(doc.value, (), doc)
    if camel is not None:
        key, span = camel
        report.error("E506", span, f"this JSON spells its keys in camelCase (`{key}`), as the JavaScript "
                     f"SDK's code does; the API spells them in snake_case (`{CAMEL_KEYS[key]}`)",
                     "write every key as the API does (`durationMs` → `duration_ms`, `positiveStyles` → "
                     "`positive_styles`, ...): the SDK converts them only when it sends the request")
        return None
    kind = document_kind(doc.value)
    if kind is None:
        report.error("E503", doc.span(()), "this JSON is neither a request body nor a composition plan",
                     "a body has `composition_plan` or `prompt`; a plan has `sections` (music_v1) "
                     "or `chunks` (music_v2, music_v2_5)")
        return None
    spec = {"body": BODY_SHAPE, "plan": V1_PLAN, "chunks": CHUNK_PLAN}[kind]
    # Values of the wrong shape are reported here and left out of the model:
    # the rest of the document is still checked (song-format.md, "Every problem in one run").
    value = _Shape(doc, report).check(doc.value, spec, ())
    if kind == "body" and doc.value.get("prompt") is None and doc.value.get("composition_plan") is None:
        report.error("E501", doc.span(()), "the body has neither `prompt` nor `composition_plan`",
                     "add one of them")
        return None
    builder = _Builder(doc, path)
    if kind == "body":
        builder.body(value, ())
    else:
        builder.plan(value, ())
    for spath, strength in orphan_strengths(value):
        if strength not in limits.CONDITION_STRENGTHS:  # the API refuses it, conditioning or not
            report.error("E413", doc.span(spath), f"unknown `condition_strength` level `{strength}`",
                         "levels: " + ", ".join(limits.CONDITION_STRENGTHS))
    return builder.song, kind


def orphan_strengths(value: Any) -> list[tuple[Path, Any]]:
    """Each ``condition_strength`` of a chunk without a ``conditioning_ref``,
    with its path: a song has no way to write one (it belongs to `@condition`)."""
    base: Path = ()
    if isinstance(value, dict) and isinstance(value.get("composition_plan"), dict):
        value, base = value["composition_plan"], ("composition_plan",)
    chunks = value.get("chunks") if isinstance(value, dict) else None
    if not isinstance(chunks, list):
        return []
    return [(base + ("chunks", index, "condition_strength"), chunk["condition_strength"])
            for index, chunk in enumerate(chunks)
            if isinstance(chunk, dict) and chunk.get("condition_strength") not in (None, UNREAD)
            and chunk.get("conditioning_ref") in (None, UNREAD)]


def model_of(value: dict, kind: str, song: SongModel, report: Report) -> str:
    """The model a document targets; a plan of the wrong shape for it is an error."""
    if kind == "chunks":
        return "music_v2"
    if kind == "plan":
        return limits.DEFAULT_MODEL
    model = value.get("model_id")
    if model is None:  # absent, or null, which means absent
        model = limits.DEFAULT_MODEL
    plan = value.get("composition_plan")
    if not isinstance(model, str):  # reported as the wrong type: go by the plan's shape
        return "music_v2" if isinstance(plan, dict) and "chunks" in plan else limits.DEFAULT_MODEL
    if isinstance(plan, dict) and model in limits.MODELS:
        chunked = "chunks" in plan
        if chunked != (model in limits.CHUNK_MODELS):
            shape = "a chunk plan" if chunked else "a music_v1 plan (`sections`)"
            report.error("E504", song.sections[0].heading.span if song.sections else Span.at(1, 1),
                         f"this is {shape}, which model `{model}` does not take",
                         "music_v1 takes `sections`; music_v2 and music_v2_5 take `chunks`")
    return model if model in limits.MODELS else limits.DEFAULT_MODEL


def _present(value: Any) -> Any:
    """An optional value as read: None when it is absent or could not be read."""
    return None if value is UNREAD else value
