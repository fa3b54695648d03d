"""Request JSON back to canonical .song text (the decompiler's core).

Every string is escaped or quoted so that reading the text gives it back. A
string that no .song text can hold (a line break inside a lyric, trailing
whitespace that lines lose, an empty lyric) is reported by ``Unwritable``;
callers decide whether to normalise it with a warning or to refuse.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

from .durations import format_clock
from .limits import CHUNK_MODELS, DEFAULT_MODEL

_LINE_STARTS = "#+-[@\\"
_WS = " \t"
_LABEL = re.compile(r"\[(.*)\]")
_SONG_ID = re.compile(r"[^ \t\r\n,]+")


@dataclass
class Unwritable:
    where: str  # a JSON path such as composition_plan.sections[2].lines[0]
    message: str


@dataclass
class Writer:
    """Collects what had to be normalised while writing."""

    problems: list[Unwritable] = field(default_factory=list)

    def note(self, where: str, message: str) -> None:
        self.problems.append(Unwritable(where, message))

    # ---- strings
    def _clean(self, text: str, where: str, what: str) -> str:
        if "\n" in text or "\r" in text:
            self.note(where, f"{what} holds a line break; it is joined into one line")
            text = " ".join(part.strip(_WS) for part in re.split(r"\r\n|\r|\n", text))
        return text

    def lyric(self, text: str, where: str) -> str | None:
        text = self._clean(text, where, "a lyric line")
        if text != text.rstrip(_WS):
            self.note(where, "a lyric line ends in whitespace, which a line can't keep; it is trimmed")
            text = text.rstrip(_WS)
        if not text:
            self.note(where, "an empty lyric line can't be written (blank lines are not lyrics); it is dropped")
            return None
        if text[0] in _LINE_STARTS or text[0] in _WS:
            return "\\" + text
        return text

    def name(self, text: str, where: str) -> str:
        text = self._clean(text, where, "a section name")
        if text != text.strip(_WS):
            self.note(where, "a section name has surrounding whitespace, which headings trim")
            text = text.strip(_WS)
        return text.replace("\\", "\\\\").replace("]", "\\]")

    def style(self, text: str, where: str) -> str:
        text = self._clean(text, where, "a style")
        needs_quotes = (
            not text or "," in text or text.startswith('"') or text != text.strip(_WS)
        )
        if not needs_quotes:
            return text
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    def styles(self, sign: str, items: list[str], where: str) -> list[str]:
        if not items:
            return []
        return [f"{sign} " + ", ".join(self.style(t, f"{where}[{i}]") for i, t in enumerate(items))]

    def song_id(self, text: str, where: str) -> str:
        if not _SONG_ID.fullmatch(text):
            self.note(where, "a song id with spaces or commas can't be written")
            text = re.sub(r"[ \t\r\n,]+", "_", text) or "_"
        return text

    def prompt(self, text: str, where: str) -> list[str]:
        lines = re.split(r"\r\n|\r|\n", text)
        if len(lines) == 1 and text.strip(_WS) == text and text:
            return [f"prompt: {text}"]
        out = ["prompt:"]
        for index, line in enumerate(lines):
            if line != line.strip(_WS):
                self.note(f"{where}", "a prompt line has surrounding whitespace; it is trimmed")
                line = line.strip(_WS)
            if not line:
                self.note(f"{where}", "an empty prompt line can't be written; it is dropped")
                continue
            if line[0] in _LINE_STARTS:
                line = "\\" + line
            out.append("  " + line)
        return out


def _range(value: dict[str, int]) -> str:
    return f"{format_clock(value['start_ms'])}-{format_clock(value['end_ms'])}"


def _bool(value: bool) -> str:
    return "yes" if value else "no"


# Body key -> (field name, how to write its value); in the order fields are written.
_FIELDS: tuple[tuple[str, str, Callable[[Any], str]], ...] = (
    ("music_length_ms", "length", format_clock),
    ("force_instrumental", "instrumental", _bool),
    ("seed", "seed", str),
    ("respect_sections_durations", "respect_durations", _bool),
    ("finetune_id", "finetune", str),
    ("store_for_inpainting", "inpainting", _bool),
    ("with_timestamps", "timestamps", _bool),
    ("sign_with_c2pa", "c2pa", _bool),
)


def _v1_sections(plan: dict[str, Any], w: Writer) -> list[list[str]]:
    blocks = []
    for index, section in enumerate(plan.get("sections", [])):
        where = f"composition_plan.sections[{index}]"
        name = w.name(section["section_name"], f"{where}.section_name")
        lines = [f"[{name}] {format_clock(section['duration_ms'])}"]
        lines += w.styles("+", section.get("positive_local_styles", []), f"{where}.positive_local_styles")
        lines += w.styles("-", section.get("negative_local_styles", []), f"{where}.negative_local_styles")
        source = section.get("source_from")
        if source:
            text = f"@source {w.song_id(source['song_id'], where + '.source_from.song_id')} {_range(source['range'])}"
            negative = source.get("negative_ranges") or []
            if negative:
                text += " except " + ", ".join(_range(r) for r in negative)
            lines.append(text)
        for i, lyric in enumerate(section.get("lines", [])):
            written = w.lyric(lyric, f"{where}.lines[{i}]")
            if written is not None:
                lines.append(written)
        blocks.append(lines)
    return blocks


def split_chunk_text(text: str) -> tuple[str, list[str]]:
    """A chunk's text as (heading name, lyric lines): a first line that is all
    ``[label]`` is the label; anything else leaves the heading empty."""
    lines = text.split("\n") if text else []
    if lines:
        match = _LABEL.fullmatch(lines[0])
        label = match.group(1) if match else None
        if label and label == label.strip(_WS) and "\r" not in label:
            return label, lines[1:]
    return "", lines


def _chunk_sections(plan: dict[str, Any], w: Writer) -> tuple[list[str], list[str], list[list[str]]]:
    """Chunks to sections. Styles every generation chunk begins with become global styles."""
    chunks = plan.get("chunks", [])
    generation = [c for c in chunks if "text" in c]

    def common(key: str) -> list[str]:
        lists = [c.get(key) or [] for c in generation]
        if not lists:
            return []
        prefix = lists[0]
        for other in lists[1:]:
            n = 0
            while n < min(len(prefix), len(other)) and prefix[n] == other[n]:
                n += 1
            prefix = prefix[:n]
        return list(prefix)

    positive, negative = common("positive_styles"), common("negative_styles")
    blocks = []
    for index, chunk in enumerate(chunks):
        where = f"composition_plan.chunks[{index}]"
        if "text" not in chunk:
            song_id = w.song_id(chunk["song_id"], where + ".song_id")
            blocks.append(["[]", f"@source {song_id} {_range(chunk['range'])}"])
            continue
        label, lyrics = split_chunk_text(chunk["text"])
        lines = [f"[{w.name(label, where + '.text')}] {format_clock(chunk['duration_ms'])}"]
        lines += w.styles("+", (chunk.get("positive_styles") or [])[len(positive):], where + ".positive_styles")
        lines += w.styles("-", (chunk.get("negative_styles") or [])[len(negative):], where + ".negative_styles")
        if chunk.get("context_adherence"):
            lines.append(f"@adherence {chunk['context_adherence']}")
        ref = chunk.get("conditioning_ref")
        if ref:
            text = f"@condition {w.song_id(ref['song_id'], where + '.conditioning_ref.song_id')} {_range(ref['range'])}"
            if chunk.get("condition_strength"):
                text += f" strength {chunk['condition_strength']}"
            lines.append(text)
        for i, lyric in enumerate(lyrics):
            written = w.lyric(lyric, f"{where}.text[{i}]")
            if written is not None:
                lines.append(written)
        blocks.append(lines)
    return positive, negative, blocks


def write_body(body: dict[str, Any], w: Writer | None = None) -> str:
    """Canonical .song text for a request body (or a bare plan, wrapped by the caller)."""
    w = w or Writer()
    model = body.get("model_id") or DEFAULT_MODEL
    header: list[str] = []
    if model != DEFAULT_MODEL:
        header.append(f"model: {model}")
    if body.get("prompt") is not None:
        header += w.prompt(body["prompt"], "prompt")
    for key, name, show in _FIELDS:
        if body.get(key) is not None:
            header.append(f"{name}: {show(body[key])}")
    plan = body.get("composition_plan")
    blocks: list[list[str]] = []
    if plan is not None:
        if model in CHUNK_MODELS or "chunks" in plan:
            positive, negative, blocks = _chunk_sections(plan, w)
        else:
            positive = plan.get("positive_global_styles", [])
            negative = plan.get("negative_global_styles", [])
            blocks = _v1_sections(plan, w)
        styles = w.styles("+", positive, "positive_global_styles") + w.styles("-", negative, "negative_global_styles")
        if styles:
            header += ([""] if header else []) + styles
    parts = ["\n".join(header)] if header else []
    parts += ["\n".join(block) for block in blocks]
    return "\n\n".join(parts) + "\n"
