"""A field's value text to what it means (yes/no, seed, tempo, meter), and a
misspelt field name to a hint."""

from __future__ import annotations

import re
from fractions import Fraction

from musicplan.base.words import nearest
from musicplan.spec.vocabulary import ALIASES, FIELDS

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


def suggest_key(raw_key: str) -> str:
    key = raw_key.lower().strip()
    if key in ALIASES:
        target = ALIASES[key]
        return f"`{key}` is the API's name: in a song write `{target}:`"
    guess = nearest(key, list(FIELDS))
    if guess:
        return f"did you mean `{guess}`?"
    return "known fields: " + ", ".join(FIELDS)
