"""Duration text to milliseconds, exactly (fractions), rounded half up."""

from __future__ import annotations

import re
from fractions import Fraction

from musicplan.base.diagnostics import Report
from musicplan.base.record import Record
from musicplan.read.written import Duration

MAX_DECIMALS = 3
_NUMBER = r"(\d+)(?:\.(\d+))?"
_CLOCK = re.compile(r"(\d+):(\d+)(?:\.(\d+))?")
_MINSEC = re.compile(rf"(\d+)m{_NUMBER}s")
_BARS = re.compile(rf"{_NUMBER}[ \t]*bars?")


class Tempo(Record):
    bpm: Fraction | None
    beats_per_bar: int = 4


def round_half_up(value: Fraction) -> int:
    return int((value * 2 + 1) // 2)


def _decimal(whole: str, frac: str | None) -> Fraction:
    if not frac:
        return Fraction(int(whole))
    return Fraction(int(whole + frac), 10 ** len(frac))


def _whole_ms(minutes: int, seconds: str, frac: str | None) -> int:
    # At most three decimals: exact in whole milliseconds, no rounding needed.
    return minutes * 60_000 + int(seconds) * 1000 + int((frac or "").ljust(3, "0"))


def format_clock(ms: int) -> str:
    """Milliseconds as ``M:SS`` or ``M:SS.fff`` (what the decompiler writes)."""
    minutes, rest = divmod(ms, 60_000)
    seconds, millis = divmod(rest, 1000)
    text = f"{minutes}:{seconds:02d}"
    return f"{text}.{millis:03d}" if millis else text


def to_ms(duration: Duration, tempo: Tempo, report: Report, *, in_range: bool = False) -> int | None:
    """The duration in milliseconds, or None after reporting why it has none."""
    text, span = duration.text, duration.span
    kind = duration.kind

    def too_precise(frac: str | None) -> bool:
        if frac and len(frac) > MAX_DECIMALS:
            report.error("E303", span, f"`{text}` has more than {MAX_DECIMALS} decimals",
                         "durations are counted in whole milliseconds: use at most 3 decimals")
            return True
        return False

    if kind == "number":
        whole, _, frac = text.partition(".")
        clock = format_clock(round_half_up(_decimal(whole, frac) * 1000))
        report.error("E302", span, f"`{text}` has no unit",
                     f"write `{text}s` for seconds or `{clock}` for minutes and seconds")
        return None
    if kind == "clock":
        match = _CLOCK.fullmatch(text)
        assert match
        minutes, seconds, frac = match.groups()
        if len(seconds) != 2 or int(seconds) > 59:
            report.error("E301", span, f"`{text}`: the seconds of `M:SS` run from 00 to 59",
                         "write two digits of seconds, e.g. 0:05, 1:30; 90 seconds is 1:30")
            return None
        if too_precise(frac):
            return None
        return _whole_ms(int(minutes), seconds, frac)
    elif kind == "seconds":
        whole, _, frac = text[:-1].partition(".")
        if too_precise(frac):
            return None
        return _whole_ms(0, whole, frac)
    elif kind == "millis":
        return int(text[:-2])
    elif kind == "minutes":
        return int(text[:-1]) * 60_000
    elif kind == "minsec":
        match = _MINSEC.fullmatch(text)
        assert match
        minutes, whole, frac = match.groups()
        if too_precise(frac):
            return None
        return _whole_ms(int(minutes), whole, frac)
    else:  # bars
        if in_range:
            report.error("E304", span, "bars are not allowed in ranges",
                         "write the range in time, e.g. 0:10-0:30")
            return None
        if tempo.bpm is None:
            report.error("E305", span, f"`{text}` needs a tempo: set `bpm` in the header",
                         "add a field such as `bpm: 120` before the first heading, "
                         "or give the duration in time, e.g. 0:16")
            return None
        match = _BARS.fullmatch(text)
        assert match
        bars = _decimal(match.group(1), match.group(2))
        value = bars * tempo.beats_per_bar * 60 / tempo.bpm
    return round_half_up(value * 1000)
