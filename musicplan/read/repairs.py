"""A value as misspelt to the one spelling the format takes, when there is
exactly one: what a diagnostic's ``fix`` writes (``check --fix``, the
language server's code actions). Each function returns None unless the
writer's meaning is certain: ``20`` (seconds, or minutes and seconds?) has no
repair, ``20 sec`` has ``20s``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from musicplan.base.diagnostics import Edit, Span

_NUMBER = r"(\d+(?:\.\d+)?)"
# Patterns as text: `re` compiles (and caches) them on first use, so that
# importing this module costs nothing on the way of a song with no mistakes.
_UNITS = (
    (rf"(?i){_NUMBER}\s*(?:s|secs?|seconds?)", "{}s"),
    (r"(?i)(\d+)\s*(?:ms|msecs?|millis|milliseconds?)", "{}ms"),
    (r"(?i)(\d+)\s*(?:m|mins?|minutes?)", "{}m"),
    (rf"(?i){_NUMBER}\s*(?:bars?|measures?)", "{} bars"),
)
_MINSEC = rf"(?i)(\d+)\s*(?:m|mins?|minutes?)\s*{_NUMBER}\s*(?:s|secs?|seconds?)?"
_CLOCKS = (
    r"(\d*):(\d)(\.\d+)?",  # 1:5 -> 1:05
    r"(\d+):([0-5]\d)(\.\d+)?\.",  # 0:10. -> 0:10
    r"():([0-5]\d)(\.\d+)?",  # :10 -> 0:10
)

_TRUE = ("y", "yeah", "yep", "yup", "1", "enable", "enabled")
_FALSE = ("n", "nope", "nah", "0", "disable", "disabled")
_METER = r"(\d+)\s*[:|\-]\s*(\d+)"


def duration(text: str) -> str | None:
    """``8Bars``, ``20 sec``, ``2 mins``, ``1m30``, ``1:5``, ``:10`` -> the duration
    they can only mean; None for text that is no duration or could be two."""
    text = text.strip()
    for pattern, form in _UNITS:
        match = re.fullmatch(pattern, text)
        if match:
            value = match.group(1)
            shown = form.format(value)
            return shown[:-1] if shown.endswith(" bars") and value == "1" else shown
    match = re.fullmatch(_MINSEC, text)
    if match:
        return f"{match.group(1)}m{match.group(2)}s"
    for pattern in _CLOCKS:
        match = re.fullmatch(pattern, text)
        if match:
            minutes, seconds, fraction = match.groups()
            return f"{minutes or 0}:{seconds.rjust(2, '0')}{fraction or ''}"
    return None


def boolean(text: str) -> str | None:
    """``y``, ``yep``, ``1``, ``enabled`` -> ``yes``; their opposites -> ``no``."""
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return "yes"
    if lowered in _FALSE:
        return "no"
    return None


def meter(text: str) -> str | None:
    """``3:4``, ``6-8``, ``4|4`` -> ``3/4``, ``6/8``, ``4/4``."""
    match = re.fullmatch(_METER, text.strip())
    return f"{match.group(1)}/{match.group(2)}" if match and "0" not in (match.group(1), match.group(2)) else None


def _folded(word: str) -> str:
    return re.sub(r"[\s\-.]+", "_", word.strip().casefold())


def certain(word: str, choices: Sequence[str]) -> str | None:
    """The one choice ``word`` must mean: equal but for case or separators
    (``music-v2`` -> ``music_v2``, ``High`` -> ``high``), or a close misspelling
    with no rival nearly as close (``tittle`` -> ``title``; ``mp3_44100_12`` could be
    ``..._128`` or ``..._192`` and has none)."""
    folded = _folded(word)
    same = [choice for choice in choices if _folded(choice) == folded]
    if len(same) == 1:
        return same[0]
    if same:
        return None
    import difflib

    scores = sorted(((difflib.SequenceMatcher(None, folded, _folded(choice)).ratio(), choice)
                     for choice in choices), reverse=True)
    if not scores or scores[0][0] < 0.8:
        return None
    if len(scores) > 1 and scores[1][0] > scores[0][0] - 0.1:
        return None
    return scores[0][1]


def replace(span: Span, text: str | None) -> tuple[Edit, ...]:
    """The fix that writes ``text`` over ``span`` (none without a text, or when it changes nothing)."""
    return (Edit(span, text),) if text is not None else ()
