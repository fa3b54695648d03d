"""The header's fields: which keys exist, what their values may be, where they apply."""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Literal

from .record import Record

Scope = Literal["both", "prompt", "plan"]


class FieldSpec(Record):
    key: str
    kind: str  # text | model | prompt | duration | boolean | seed | format | bpm | meter
    scope: Scope
    sent_as: str | None


SPECS: dict[str, FieldSpec] = {spec.key: spec for spec in (
    FieldSpec("title", "text", "both", None),
    FieldSpec("model", "model", "both", "model_id"),
    FieldSpec("prompt", "prompt", "prompt", "prompt"),
    FieldSpec("length", "duration", "prompt", "music_length_ms"),
    FieldSpec("instrumental", "boolean", "prompt", "force_instrumental"),
    FieldSpec("seed", "seed", "plan", "seed"),
    FieldSpec("respect_durations", "boolean", "plan", "respect_sections_durations"),
    FieldSpec("finetune", "text", "both", "finetune_id"),
    FieldSpec("inpainting", "boolean", "both", "store_for_inpainting"),
    FieldSpec("timestamps", "boolean", "both", "with_timestamps"),
    FieldSpec("c2pa", "boolean", "both", "sign_with_c2pa"),
    FieldSpec("format", "format", "both", None),
    FieldSpec("bpm", "bpm", "both", None),
    FieldSpec("meter", "meter", "both", None),
)}

# The API's own names, and a few that people reach for, point at our field.
ALIASES: dict[str, str] = {
    **{spec.sent_as: spec.key for spec in SPECS.values() if spec.sent_as and spec.sent_as != spec.key},
    "output_format": "format",
    "name": "title",
    "tempo": "bpm",
    "time_signature": "meter",
    "duration": "length",
    "force_instrumental": "instrumental",
}

# The order in which the request body lists its keys (song-format.md, "What is sent").
BODY_ORDER = (
    "prompt", "composition_plan", "music_length_ms", "model_id", "seed", "force_instrumental",
    "finetune_id", "respect_sections_durations", "store_for_inpainting", "with_timestamps",
    "sign_with_c2pa",
)

_TRUE = {"yes", "true", "on"}
_FALSE = {"no", "false", "off"}
_BPM = re.compile(r"\d+(?:\.\d+)?")
_METER = re.compile(r"(\d+)/(\d+)")
_SEED = re.compile(r"\d+")


def parse_boolean(value: str) -> bool | None:
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    return None


def parse_seed(value: str) -> int | None:
    return int(value) if _SEED.fullmatch(value) else None


def parse_bpm(value: str) -> Fraction | None:
    if not _BPM.fullmatch(value):
        return None
    bpm = Fraction(value)
    return bpm if bpm > 0 else None


def parse_meter(value: str) -> tuple[int, int] | None:
    match = _METER.fullmatch(value.replace(" ", ""))
    if not match:
        return None
    beats, unit = int(match.group(1)), int(match.group(2))
    return (beats, unit) if beats > 0 and unit > 0 else None


def nearest(word: str, choices: list[str] | tuple[str, ...]) -> str | None:
    # difflib is imported here: it is needed only when something is misspelt.
    import difflib

    found = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return found[0] if found else None


def suggest_key(raw_key: str) -> str:
    key = raw_key.lower().strip()
    if key in ALIASES:
        target = ALIASES[key]
        return f"`{key}` is the API's name: in a song write `{target}:`"
    guess = nearest(key, list(SPECS))
    if guess:
        return f"did you mean `{guess}`?"
    return "known fields: " + ", ".join(SPECS)

