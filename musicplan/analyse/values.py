"""A field's value text to what it means (yes/no, seed, tempo, meter, beat), and a
misspelt field name to a hint."""

from __future__ import annotations

import re

from musicplan.base.words import nearest
from musicplan.read.repairs import certain
from musicplan.spec.vocabulary import ALIASES, FIELDS

# fractions (with decimal) is imported where a tempo is read: a song without one needs neither.
TYPE_CHECKING = False  # as typing's: true for type checkers
if TYPE_CHECKING:
    from fractions import Fraction

_TRUE = {"yes", "true", "on"}
_FALSE = {"no", "false", "off"}
_BPM = re.compile(r"\d+(?:\.\d+)?")
_FRACTION = re.compile(r"(\d+)/(\d+)")
_SEED = re.compile(r"\d+")
# A field value holds no number longer than this (seeds have 10 digits): a
# longer one is refused before Python is asked to convert it.
MAX_DIGITS = 30


def digits_ok(text: str) -> bool:
    """Whether every run of digits in ``text`` is short enough to compute with
    (leading zeros of a whole part and trailing zeros of decimals aside)."""
    if len(text) <= MAX_DIGITS:
        return True  # no run of digits is longer than the text
    for match in re.finditer(r"(\d+)(?:\.(\d+))?", text):  # compiled when first needed
        whole, frac = match.group(1).lstrip("0"), (match.group(2) or "").rstrip("0")
        if len(whole) + len(frac) > MAX_DIGITS:
            return False
    return True


class TooLong(ValueError):
    """A number with more digits than any field takes."""


def _int(digits: str) -> int:
    significant = digits.lstrip("0")
    if len(significant) > MAX_DIGITS:
        raise TooLong(digits)
    return int(significant or "0")


def parse_boolean(value: str) -> bool | None:
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    return None


def parse_seed(value: str) -> int | None:
    """The seed, or None when it is not a whole number; TooLong past 30 digits."""
    return _int(value) if _SEED.fullmatch(value) else None


def parse_bpm(value: str) -> Fraction | None:
    """The tempo, or None when it is not a number above 0; TooLong past 30 digits."""
    if not _BPM.fullmatch(value):
        return None
    if not digits_ok(value):  # 0.000…1 is as long as it looks
        raise TooLong(value)
    whole, _, frac = value.partition(".")
    frac = frac.rstrip("0")
    tenths = int(whole + frac)  # over 10 ** len(frac), which is above 0: the tempo's sign
    if tenths <= 0:
        return None
    from fractions import Fraction

    return Fraction(tenths, 10 ** len(frac))


def _fraction(value: str) -> tuple[int, int] | None:
    match = _FRACTION.fullmatch(value.replace(" ", ""))
    if not match:
        return None
    top, bottom = _int(match.group(1)), _int(match.group(2))
    return (top, bottom) if top > 0 and bottom > 0 else None


def parse_meter(value: str) -> tuple[int, int] | None:
    """``N/M`` as (N, M), or None; TooLong past 30 digits."""
    return _fraction(value)


def parse_beat(value: str) -> Fraction | None:
    """The note that bpm counts, ``1/4`` or ``3/8``, as a fraction of a whole note."""
    found = _fraction(value)
    if not found:
        return None
    from fractions import Fraction

    return Fraction(*found)


def suggest_key(raw_key: str) -> tuple[str, str | None]:
    """The hint for an unknown field, and the key it can only mean (None if unsure)."""
    key = raw_key.lower().strip()
    if key in ALIASES:
        target = ALIASES[key]
        return f"`{key}` is the API's name: in a song write `{target}:`", target
    sure = certain(key, list(FIELDS))
    if sure:
        return f"did you mean `{sure}`?", sure
    guess = nearest(key, list(FIELDS))
    if guess:
        return f"did you mean `{guess}`?", None
    return "known fields: " + ", ".join(FIELDS), None
